//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// edits are changes a user makes on the canvas. Each may leave the stack
// invalid, in which case the test skips it.
var edits = map[string]func(r *rand.Rand, st *model.Stack){
	"move": func(r *rand.Rand, st *model.Stack) {
		nodes := st.Nodes()
		if len(nodes) == 0 {
			return
		}
		n := nodes[r.IntN(len(nodes))]
		n.Position = model.Position{X: float64(r.IntN(2000)), Y: float64(r.IntN(2000)) + 0.5}
	},
	"rename": func(r *rand.Rand, st *model.Stack) {
		nodes := st.Nodes()
		if len(nodes) == 0 {
			return
		}
		nodes[r.IntN(len(nodes))].Name = st.NewName("Renamed")
	},
	"swap names": func(r *rand.Rand, st *model.Stack) {
		nodes := st.Nodes()
		if len(nodes) == 0 {
			return
		}
		a, b := nodes[r.IntN(len(nodes))], nodes[r.IntN(len(nodes))]
		a.Name, b.Name = b.Name, a.Name
	},
	"remove node": func(r *rand.Rand, st *model.Stack) {
		nodes := st.Nodes()
		if len(nodes) == 0 {
			return
		}
		st.RemoveNode(nodes[r.IntN(len(nodes))].ID)
	},
	"remove route": func(r *rand.Rand, st *model.Stack) {
		if len(st.APIs) == 0 {
			return
		}
		a := st.APIs[r.IntN(len(st.APIs))]
		if len(a.Routes) > 1 {
			st.RemoveRoute(a.Routes[r.IntN(len(a.Routes))].ID)
		}
	},
	"remove wire": func(r *rand.Rand, st *model.Stack) {
		if len(st.Wires) > 0 {
			st.RemoveWire(st.Wires[r.IntN(len(st.Wires))].ID)
		}
	},
	"add function": func(r *rand.Rand, st *model.Stack) {
		f := model.NewFunction(st.NewID("fn"), st.NewName("Added"))
		f.Environment = map[string]string{"K": fmt.Sprint(r.IntN(9))}
		st.Functions = append(st.Functions, f)
	},
	"table becomes function": func(r *rand.Rand, st *model.Stack) {
		// Same ID, other kind: the row keeps its key and changes kind.
		if len(st.Tables) == 0 {
			return
		}
		t := st.Tables[r.IntN(len(st.Tables))]
		st.RemoveNode(t.ID)
		st.Functions = append(st.Functions, model.NewFunction(t.ID, t.Name))
	},
	"add route": func(r *rand.Rand, st *model.Stack) {
		if len(st.APIs) == 0 {
			return
		}
		a := st.APIs[r.IntN(len(st.APIs))]
		a.Routes = append(a.Routes, &model.Route{ID: st.NewID("rt"), Key: fmt.Sprintf("added%d", r.IntN(1000)), TwoWay: r.IntN(2) == 0})
	},
	"swap route keys": func(r *rand.Rand, st *model.Stack) {
		if len(st.APIs) == 0 {
			return
		}
		a := st.APIs[r.IntN(len(st.APIs))]
		if len(a.Routes) > 1 {
			x, y := a.Routes[r.IntN(len(a.Routes))], a.Routes[r.IntN(len(a.Routes))]
			x.Key, y.Key = y.Key, x.Key
		}
	},
	"move route to other API": func(r *rand.Rand, st *model.Stack) {
		if len(st.APIs) < 2 {
			return
		}
		from, to := st.APIs[0], st.APIs[1]
		if len(from.Routes) < 2 {
			return
		}
		i := r.IntN(len(from.Routes))
		to.Routes = append(to.Routes, from.Routes[i])
		from.Routes = append(from.Routes[:i:i], from.Routes[i+1:]...)
	},
	"rewire": func(r *rand.Rand, st *model.Stack) {
		if len(st.Wires) == 0 || len(st.Functions) == 0 {
			return
		}
		w := st.Wires[r.IntN(len(st.Wires))]
		if w.Kind == model.WireIntegration {
			w.To = st.Functions[r.IntN(len(st.Functions))].ID
		}
	},
	"add read wire": func(r *rand.Rand, st *model.Stack) {
		if len(st.Functions) == 0 || len(st.Tables) == 0 {
			return
		}
		st.Wires = append(st.Wires, &model.Wire{ID: st.NewID("w"), Kind: model.WireRead,
			From: st.Functions[r.IntN(len(st.Functions))].ID, To: st.Tables[r.IntN(len(st.Tables))].ID})
	},
	"reorder": func(r *rand.Rand, st *model.Stack) {
		r.Shuffle(len(st.Functions), func(i, j int) { st.Functions[i], st.Functions[j] = st.Functions[j], st.Functions[i] })
		r.Shuffle(len(st.Wires), func(i, j int) { st.Wires[i], st.Wires[j] = st.Wires[j], st.Wires[i] })
		for _, a := range st.APIs {
			r.Shuffle(len(a.Routes), func(i, j int) { a.Routes[i], a.Routes[j] = a.Routes[j], a.Routes[i] })
		}
	},
	"settings": func(r *rand.Rand, st *model.Stack) {
		if len(st.Functions) > 0 {
			f := st.Functions[r.IntN(len(st.Functions))]
			f.MemorySize = 128 + r.IntN(100)
			if r.IntN(2) == 0 {
				f.Environment = nil
			} else {
				f.Environment = map[string]string{"LOG_LEVEL": "debug", "N": fmt.Sprint(r.IntN(5))}
			}
		}
		if len(st.Tables) > 0 {
			t := st.Tables[r.IntN(len(st.Tables))]
			if t.SortKey == nil {
				t.SortKey = &model.Key{Name: "sk", Type: model.AttributeNumber}
			} else {
				t.SortKey = nil
			}
		}
	},
}

// TestSaveStack_RandomEdits saves random canvas edits, through two Stores in
// turn, and checks every load against what was saved: the diff must get any
// mix of moves, renames, swaps, reorders and deletions right.
func TestSaveStack_RandomEdits(t *testing.T) {
	t.Parallel()
	// Seed 17 once found a route moved off an API deleted in the same save.
	for _, seed := range []uint64{1, 17} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			testRandomEdits(t, seed)
		})
	}
}

func testRandomEdits(t *testing.T, seed uint64) {
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	stores := []*store.Store{MustOpenPath(t, path), MustOpenPath(t, path)}
	names := make([]string, 0, len(edits))
	for name := range edits {
		names = append(names, name)
	}
	slices.Sort(names)
	r := rand.New(rand.NewPCG(seed, 2))
	st := MustCreate(t, stores[0], modeltest.Large("random", 12, 120))
	saved := 0
	const steps = 300
	for step := range steps {
		next := st.Clone()
		var applied []string
		for range 1 + r.IntN(3) {
			name := names[r.IntN(len(names))]
			edits[name](r, next)
			applied = append(applied, name)
		}
		if next.ValidateDraft() != nil {
			continue
		}
		// Mostly one Store, which then diffs against the rows it
		// remembers; now and then the other, as another process would.
		s := stores[0]
		if step%5 == 4 {
			s = stores[1]
		}
		out, err := s.SaveStack(ctx, next)
		if err != nil {
			t.Fatalf("step %d %v: %v", step, applied, err)
		}
		got, err := stores[1].Stack(ctx, out.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != out.Revision {
			t.Fatalf("step %d: loaded revision %d, saved %d", step, got.Revision, out.Revision)
		}
		assertSameStack(t, got, next)
		st = got
		saved++
	}
	if saved < steps/3 {
		t.Fatalf("only %d of %d random edits were valid", saved, steps)
	}
}

// TestEdit is the one edit path: the revision is checked in the write
// transaction, an edit that changes nothing adds no revision, a refused or
// invalid edit writes nothing, and the saved state's problems are reused.
func TestEdit(t *testing.T) { // not parallel: it counts checks on model's process-wide counter
	ctx := context.Background()
	s := MustOpen(t)
	ex, _ := model.Example("chat", "Chat")
	st := MustCreate(t, s, ex)

	t.Run("Saves", func(t *testing.T) {
		got, problems, err := s.Edit(ctx, st.ID, st.Revision, func(st *model.Stack) error {
			st.Description = "edited"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != st.Revision+1 || got.Description != "edited" || got.UpdatedAt.IsZero() {
			t.Fatalf("saved revision %d %q at %v, want %d", got.Revision, got.Description, got.UpdatedAt, st.Revision+1)
		}
		if len(problems) != len(got.Check()) {
			t.Errorf("Edit returned %d problems, Check finds %d", len(problems), len(got.Check()))
		}
		read, err := s.Stack(ctx, st.ID)
		if err != nil || read.Description != "edited" || read.Revision != got.Revision {
			t.Fatalf("read back %v, %v", read, err)
		}
		st = got
	})
	t.Run("StaleBaseMerges", func(t *testing.T) {
		// st.Revision changed the description; an edit from the revision
		// before it that changes the name lands beside it (model.Merge).
		got, _, err := s.Edit(ctx, st.ID, st.Revision-1, func(st *model.Stack) error { st.Name += "-merged"; return nil })
		if err != nil {
			t.Fatalf("stale edit of another field: %v", err)
		}
		if got.Revision != st.Revision+1 || got.Description != "edited" || !strings.HasSuffix(got.Name, "-merged") {
			t.Fatalf("merged = revision %d %q %q", got.Revision, got.Name, got.Description)
		}
		st = got
	})
	t.Run("StaleBaseSameFieldIsAConflict", func(t *testing.T) {
		_, _, err := s.Edit(ctx, st.ID, st.Revision-2, func(st *model.Stack) error { st.Description = "mine"; return nil })
		var mc *model.MergeConflictError
		if model.ErrorCode(err) != model.ECONFLICT || !errors.As(err, &mc) || len(mc.Conflicts) != 1 || mc.Conflicts[0].Path != "/description" {
			t.Fatalf("stale edit of the same field: %v, want a merge conflict on /description", err)
		}
		if string(mc.Conflicts[0].Mine) != `"mine"` || string(mc.Conflicts[0].Theirs) != `"edited"` {
			t.Errorf("conflict = %+v", mc.Conflicts[0])
		}
		if read, _ := s.Stack(ctx, st.ID); read.Revision != st.Revision {
			t.Errorf("a conflict saved revision %d", read.Revision)
		}
	})
	t.Run("NoChangeNoRevision", func(t *testing.T) {
		got, _, err := s.Edit(ctx, st.ID, st.Revision, func(st *model.Stack) error {
			st.Description += "x"
			st.Description = st.Description[:len(st.Description)-1]
			return nil
		})
		if err != nil || got.Revision != st.Revision {
			t.Fatalf("unchanged edit: revision %v, %v; want %d", got, err, st.Revision)
		}
	})
	t.Run("RefusedWritesNothing", func(t *testing.T) {
		refuse := errors.New("no")
		_, _, err := s.Edit(ctx, st.ID, st.Revision, func(st *model.Stack) error {
			st.Description = "lost"
			return refuse
		})
		if !errors.Is(err, refuse) {
			t.Fatalf("got %v, want fn's error", err)
		}
		_, _, err = s.Edit(ctx, st.ID, st.Revision, func(st *model.Stack) error {
			st.Functions[0].MemorySize = 1
			return nil
		})
		var v *model.ValidationError
		if !errors.As(err, &v) || model.ErrorCode(err) != model.EINVALID {
			t.Fatalf("invalid edit: %v, want a validation error", err)
		}
		read, _ := s.Stack(ctx, st.ID)
		if read.Revision != st.Revision || read.Description != "edited" || read.Functions[0].MemorySize == 1 {
			t.Fatalf("a refused edit was written: revision %d", read.Revision)
		}
	})
	t.Run("ProblemsCheckedOnce", func(t *testing.T) {
		got, _, err := s.Edit(ctx, st.ID, st.Revision, func(st *model.Stack) error {
			st.Description = "checked once"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		before := model.CheckCount()
		for range 3 {
			read, problems, err := s.Problems(ctx, st.ID)
			if err != nil || read.Revision != got.Revision || len(problems) != len(read.Check()) {
				t.Fatalf("Problems: %v, %d problems, %v", read, len(problems), err)
			}
		}
		// Three reads, each checked here for comparison: none by Problems.
		if n := model.CheckCount() - before; n != 3 {
			t.Errorf("Problems checked the stack %d times after the save that checked it", n-3)
		}
		moved, err := s.MoveNode(ctx, st.ID, got.Revision, got.Functions[0].ID, model.Position{X: 1, Y: 2})
		if err != nil {
			t.Fatal(err)
		}
		before = model.CheckCount()
		if _, _, err := s.Problems(ctx, moved.ID); err != nil {
			t.Fatal(err)
		}
		if n := model.CheckCount() - before; n != 0 {
			t.Errorf("a move made Problems check the stack again (%d)", n)
		}
		st = moved
	})
	t.Run("ProblemsFollowUndo", func(t *testing.T) {
		// A route with no handler: a problem (incomplete) the save keeps.
		got, problems, err := s.Edit(ctx, st.ID, st.Revision, func(st *model.Stack) error {
			st.APIs[0].Routes = append(st.APIs[0].Routes, &model.Route{ID: "rt99", Key: "lonely"})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !hasProblemOn(problems, "rt99") {
			t.Fatalf("the edit's problems miss the new route: %v", problems)
		}
		if _, err := s.Undo(ctx, st.ID, got.Revision); err != nil {
			t.Fatal(err)
		}
		_, problems, err = s.Problems(ctx, st.ID)
		if err != nil || hasProblemOn(problems, "rt99") {
			t.Fatalf("after undo, the problems are the undone state's: %v %v", problems, err)
		}
		redone, err := s.Redo(ctx, st.ID, st.Revision)
		if err != nil {
			t.Fatal(err)
		}
		if _, problems, _ = s.Problems(ctx, st.ID); !hasProblemOn(problems, "rt99") {
			t.Fatalf("after redo, the problems miss the route again: %v", problems)
		}
		st = redone
	})
}

// TestStaleMoveMerges: a drag in a tab that has not seen another tab's
// rename of another node lands beside it, as one more revision.
func TestStaleMoveMerges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t)
	ex, err := model.Example("chat", "stale-move")
	if err != nil {
		t.Fatal(err)
	}
	st := MustCreate(t, s, ex)
	renamed, _, err := s.Edit(ctx, st.ID, st.Revision, func(st *model.Stack) error { st.Table("tbl9").Name = "Members"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	moved, err := s.MoveNode(ctx, st.ID, st.Revision, "fn8", model.Position{X: 11, Y: 12})
	if err != nil {
		t.Fatalf("stale move: %v", err)
	}
	if moved.Revision != renamed.Revision+1 || moved.Table("tbl9").Name != "Members" || moved.Function("fn8").Position != (model.Position{X: 11, Y: 12}) {
		t.Fatalf("after the stale move: revision %d, table %q, fn8 at %v", moved.Revision, moved.Table("tbl9").Name, moved.Function("fn8").Position)
	}
}

func hasProblemOn(problems []model.Problem, id string) bool {
	for _, p := range problems {
		if p.Resource == id {
			return true
		}
	}
	return false
}
