package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestEdit is the one edit path: the revision is checked in the write
// transaction, an edit that changes nothing adds no revision, a refused or
// invalid edit writes nothing, and the saved state's problems are reused.
func TestEdit(t *testing.T) {
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

func hasProblemOn(problems []model.Problem, id string) bool {
	for _, p := range problems {
		if p.Resource == id {
			return true
		}
	}
	return false
}

// TestEditConcurrent: edits of one field racing from the same base
// revision, as two tabs would: exactly one is saved, the others are merged
// with it and get ECONFLICT naming the field, never writing over it.
func TestEditConcurrent(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	st := MustCreate(t, s, &model.Stack{Name: "race"})
	const n = 8
	errs := make(chan error, n)
	var ran atomic.Int32
	for i := range n {
		go func() {
			_, _, err := s.Edit(ctx, st.ID, st.Revision, func(st *model.Stack) error {
				ran.Add(1)
				st.Description = fmt.Sprint("edit ", i)
				return nil
			})
			errs <- err
		}()
	}
	saved := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			saved++
		case model.ErrorCode(err) != model.ECONFLICT || !errors.As(err, new(*model.MergeConflictError)):
			t.Errorf("a racing edit: %v, want a merge conflict", err)
		}
	}
	if saved != 1 || ran.Load() != n {
		t.Fatalf("%d edits saved and %d changes ran, want 1 and %d", saved, ran.Load(), n)
	}
	if h, _ := s.Stack(ctx, st.ID); h.Revision != st.Revision+1 {
		t.Fatalf("head at %d, want %d", h.Revision, st.Revision+1)
	}
}

// TestStaleMoveMerges: a drag in a tab that has not seen another tab's
// rename of another node lands beside it, as one more revision.
func TestStaleMoveMerges(t *testing.T) {
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
