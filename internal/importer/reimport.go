package importer

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Reimport imports data as a new version of prev, the stack it was
// exported from (an edit in the Template tab, a template.yaml changed in
// the working folder). What still exists keeps its identity: a node with
// the same kind and name keeps its ID and position, a route with the same
// key on a kept API and a wire with the same kind and ends keep their IDs,
// so wires, selection, history and layout survive the edit and the
// revision differs from prev only where the text does. New objects get IDs
// prev never used and a free spot on the canvas. The stack keeps prev's
// name and the folder it was imported from, which a template does not say.
func Reimport(ctx context.Context, name string, data []byte, prev *model.Stack, g model.Geometry) (*Result, error) {
	res, err := Import(ctx, name, data)
	if err != nil {
		return nil, err
	}
	next := res.Stack
	next.ID, next.Revision, next.UpdatedAt = prev.ID, prev.Revision, prev.UpdatedAt
	next.Name = prev.Name
	next.ImportedFrom = prev.ImportedFrom
	next.Environments = keptEnvironments(prev.Environments, next)
	res.Lines = keepIdentities(next, prev, res.Lines, g)
	return res, nil
}

// keptEnvironments are prev's environments, which a template does not
// hold, with the values of the parameters next still has: an edit of the
// text keeps dev and prod, and one that removes a parameter removes its
// values with it.
func keptEnvironments(prev []*model.Environment, next *model.Stack) []*model.Environment {
	var out []*model.Environment
	for _, e := range prev {
		if e == nil {
			continue
		}
		kept := &model.Environment{Name: e.Name, Values: map[string]string{}}
		for name, v := range e.Values {
			if next.HasParameter(name) {
				kept.Values[name] = v
			}
		}
		out = append(out, kept)
	}
	return out
}

// keepIdentities gives next's objects the IDs (and nodes the positions) of
// their counterparts in prev, fresh IDs and free spots (by g) to the rest,
// and returns lines
// keyed by the new IDs.
func keepIdentities(next, prev *model.Stack, lines map[string]int, g model.Geometry) map[string]int {
	type nodeKey struct {
		kind model.Kind
		name string
	}
	old := map[nodeKey]model.NodeRef{}
	for _, n := range prev.Nodes() {
		old[nodeKey{n.Kind, n.Name}] = n
	}
	oldRoutes := map[string]string{} // API ID + " " + route key → route ID
	for _, a := range prev.APIs {
		for _, r := range a.Routes {
			oldRoutes[a.ID+" "+r.Key] = r.ID
		}
	}
	fresh := highestID(prev)
	renew := func(id string) string {
		fresh++
		return strings.TrimRight(id, "0123456789") + strconv.Itoa(fresh)
	}
	ids := map[string]string{} // next's imported ID → kept or fresh ID
	var placed []*model.Node
	for _, n := range next.Nodes() {
		if o, ok := old[nodeKey{n.Kind, n.Name}]; ok {
			ids[n.ID] = o.ID
			n.ID, n.Position = o.ID, o.Position
			placed = append(placed, n.Node)
			continue
		}
		id := renew(n.ID)
		ids[n.ID], n.ID = id, id
	}
	for _, a := range next.APIs {
		for _, r := range a.Routes {
			id, ok := oldRoutes[a.ID+" "+r.Key]
			if !ok {
				id = renew(r.ID)
			}
			ids[r.ID], r.ID = id, id
		}
	}
	oldWires := map[string]string{}
	for _, w := range prev.Wires {
		oldWires[string(w.Kind)+" "+w.From+" "+w.To] = w.ID
	}
	for _, w := range next.Wires {
		w.From, w.To = ids[w.From], ids[w.To]
		id, ok := oldWires[string(w.Kind)+" "+w.From+" "+w.To]
		if !ok {
			id = renew(w.ID)
		}
		ids[w.ID], w.ID = id, id
	}
	// New nodes take free spots around the kept ones; with nothing kept
	// the import's own layout stands.
	if len(placed) > 0 {
		var unplaced []model.NodeRef
		for _, n := range next.Nodes() {
			if !isPlaced(placed, n.Node) {
				// Out of the way while the others find their spots.
				n.Position = model.Position{X: -1e9, Y: -1e9}
				unplaced = append(unplaced, n)
			}
		}
		for _, n := range unplaced {
			n.Position = next.FreeSpot(g)
		}
	}
	keepOrder(next, prev)
	kept := make(map[string]int, len(lines))
	for id, l := range lines {
		kept[ids[id]] = l
	}
	return kept
}

func isPlaced(placed []*model.Node, n *model.Node) bool {
	for _, p := range placed {
		if p == n {
			return true
		}
	}
	return false
}

// highestID is the highest number any ID of s ends with: IDs above it are
// new to s and to its history's view of it.
func highestID(s *model.Stack) int {
	highest := 0
	seen := func(id string) {
		if n, err := strconv.Atoi(strings.TrimLeft(id, "abcdefghijklmnopqrstuvwxyz")); err == nil && n > highest {
			highest = n
		}
	}
	for _, n := range s.Nodes() {
		seen(n.ID)
	}
	for _, a := range s.APIs {
		for _, r := range a.Routes {
			seen(r.ID)
		}
	}
	for _, w := range s.Wires {
		seen(w.ID)
	}
	return highest
}

// keepOrder puts next's objects that prev has in prev's order, new ones
// after them in the order read, so the stack document changes only where
// the text did.
func keepOrder(next, prev *model.Stack) {
	rank := map[string]int{}
	for i, n := range prev.Nodes() {
		rank[n.ID] = i
	}
	for _, a := range prev.APIs {
		for i, r := range a.Routes {
			rank[r.ID] = i
		}
	}
	for i, w := range prev.Wires {
		rank[w.ID] = i
	}
	byRank := func(id string) int {
		if r, ok := rank[id]; ok {
			return r
		}
		return math.MaxInt
	}
	sortBy(next.APIs, func(a *model.API) int { return byRank(a.ID) })
	for _, a := range next.APIs {
		sortBy(a.Routes, func(r *model.Route) int { return byRank(r.ID) })
	}
	sortBy(next.Functions, func(f *model.Function) int { return byRank(f.ID) })
	sortBy(next.Tables, func(t *model.Table) int { return byRank(t.ID) })
	sortBy(next.Others, func(o *model.Other) int { return byRank(o.ID) })
	sortBy(next.Wires, func(w *model.Wire) int { return byRank(w.ID) })
}

func sortBy[T any](s []T, key func(T) int) {
	slices.SortStableFunc(s, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
}
