package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// FolderOfferView is what the working folder's files would change.
type FolderOfferView struct {
	Base string
	// Key names the offer; empty when there is nothing to offer.
	Key string
	// Dir is the working folder.
	Dir string
	// Changes lists what loading the files changes (StackChanges).
	Changes []string
	// Problem says why the files cannot be loaded.
	Problem string
}

// maxChangeValue bounds a value quoted in a change.
const maxChangeValue = 60

// StackChanges says what turning before into after changes, one line per
// node, route or wire, in the canvas's words: "Add table Sessions",
// "Change function SendHandler: memorySize 128 → 1536", "Remove wire
// SendHandler → Connections (read-write)". Positions are left out; the
// template's kept sections and parameters are one line each.
func StackChanges(before, after *model.Stack) []string {
	var out []string
	was := map[string]model.NodeRef{}
	for _, n := range before.Nodes() {
		was[n.ID] = n
	}
	now := map[string]bool{}
	for _, n := range after.Nodes() {
		now[n.ID] = true
		old, ok := was[n.ID]
		if !ok {
			out = append(out, fmt.Sprintf("Add %s %s", noun(n.Kind), n.Name))
			continue
		}
		if fields := changedFields(nodeObject(before, old), nodeObject(after, n)); len(fields) > 0 {
			out = append(out, fmt.Sprintf("Change %s %s: %s", noun(n.Kind), old.Name, strings.Join(fields, "; ")))
		}
		if n.Kind == model.KindAPI {
			out = append(out, routeChanges(before.API(n.ID), after.API(n.ID))...)
		}
	}
	for _, n := range before.Nodes() {
		if !now[n.ID] {
			out = append(out, fmt.Sprintf("Remove %s %s", noun(n.Kind), n.Name))
		}
	}
	wire := func(s *model.Stack, w *model.Wire) string {
		return endName(s, w.From) + " → " + endName(s, w.To) + " (" + string(w.Kind) + ")"
	}
	oldWires := map[string]bool{}
	for _, w := range before.Wires {
		oldWires[wire(before, w)] = true
	}
	newWires := map[string]bool{}
	for _, w := range after.Wires {
		d := wire(after, w)
		newWires[d] = true
		if !oldWires[d] {
			out = append(out, "Add wire "+d)
		}
	}
	for _, w := range before.Wires {
		if d := wire(before, w); !newWires[d] {
			out = append(out, "Remove wire "+d)
		}
	}
	if !jsonEqual(before.Sections, after.Sections) {
		out = append(out, "Change the template's kept sections")
	}
	if !jsonEqual(before.Parameters, after.Parameters) {
		out = append(out, "Change the parameters")
	}
	if before.Description != after.Description {
		out = append(out, "Change the description")
	}
	if len(out) == 0 {
		out = append(out, "Move nodes on the canvas")
	}
	return out
}

func noun(k model.Kind) string {
	if spec, ok := model.SpecOf(k); ok {
		return spec.Noun
	}
	return "resource"
}

// nodeObject is the node's fields as JSON, without its place.
func nodeObject(s *model.Stack, n model.NodeRef) map[string]json.RawMessage {
	var v any = n.Node
	switch n.Kind {
	case model.KindAPI:
		v = s.API(n.ID)
	case model.KindFunction:
		v = s.Function(n.ID)
	case model.KindTable:
		v = s.Table(n.ID)
	case model.KindOther:
		for _, o := range s.Others {
			if o.ID == n.ID {
				v = o
			}
		}
	}
	raw, _ := json.Marshal(v)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	delete(m, "position")
	delete(m, "id")
	// An API's routes are told route by route (routeChanges).
	delete(m, "routes")
	return m
}

// routeChanges says which of an API's routes were added, removed or
// changed, by route ID.
func routeChanges(before, after *model.API) []string {
	var out []string
	was := map[string]*model.Route{}
	for _, r := range before.Routes {
		was[r.ID] = r
	}
	for _, r := range after.Routes {
		old, ok := was[r.ID]
		delete(was, r.ID)
		if !ok {
			out = append(out, "Add route "+r.Key+" to "+after.Name)
			continue
		}
		a, _ := json.Marshal(old)
		b, _ := json.Marshal(r)
		if !bytes.Equal(a, b) {
			var am, bm map[string]json.RawMessage
			_ = json.Unmarshal(a, &am)
			_ = json.Unmarshal(b, &bm)
			out = append(out, "Change route "+old.Key+" of "+after.Name+": "+strings.Join(changedFields(am, bm), "; "))
		}
	}
	for _, r := range before.Routes {
		if was[r.ID] != nil {
			out = append(out, "Remove route "+r.Key+" from "+after.Name)
		}
	}
	return out
}

// changedFields lists the fields that differ, with short values.
func changedFields(a, b map[string]json.RawMessage) []string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	var out []string
	for _, k := range sorted {
		if bytes.Equal(a[k], b[k]) {
			continue
		}
		out = append(out, k+" "+shortValue(a[k])+" → "+shortValue(b[k]))
	}
	return out
}

func shortValue(v json.RawMessage) string {
	if len(v) == 0 {
		return "(none)"
	}
	s := string(v)
	if len([]rune(s)) > maxChangeValue {
		s = string([]rune(s)[:maxChangeValue]) + "…"
	}
	return s
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
