//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// TestSteps: each revision keeps the summary its edit gave, Steps names
// what Undo and Redo would do and says when there is nothing to do, and
// the summaries outlive the Store and go with the revisions they describe.
func TestSteps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	s := MustOpenPath(t, path)
	st := MustCreate(t, s, MustExample(t, "chat", "chat"))

	steps := func(s *store.Store) store.Steps {
		t.Helper()
		got, err := s.Steps(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		got.Revision = 0 // checked below where it matters
		return got
	}
	if got := steps(s); got.CanUndo || got.CanRedo {
		t.Fatalf("a new stack has something to undo or redo: %+v", got)
	}
	if got, err := s.Steps(ctx, st.ID); err != nil || got.Revision != st.Revision {
		t.Fatalf("Steps of a new stack at revision %d, %v; want %d", got.Revision, err, st.Revision)
	}

	fn := st.Functions[0]
	edited, _, err := s.Edit(ctx, st.ID, st.Revision, func(st *model.Stack) error {
		st.Function(fn.ID).Name = "Connector"
		return nil
	}, store.Describe("rename "+fn.Name+" to Connector"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := steps(s), (store.Steps{CanUndo: true, Undo: "rename " + fn.Name + " to Connector"}); got != want {
		t.Fatalf("after a rename: %+v, want %+v", got, want)
	}
	moved, err := s.MoveNode(ctx, st.ID, edited.Revision, fn.ID, model.Position{X: 1, Y: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := steps(s); got.Undo != "move Connector" {
		t.Fatalf("after a move, Undo would %q, want move Connector", got.Undo)
	}
	undone, err := s.Undo(ctx, st.ID, moved.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := steps(s), (store.Steps{CanUndo: true, Undo: "rename " + fn.Name + " to Connector", CanRedo: true, Redo: "move Connector"}); got != want {
		t.Fatalf("after an undo: %+v, want %+v", got, want)
	}
	first, err := s.Undo(ctx, st.ID, undone.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if got := steps(s); got.CanUndo || !got.CanRedo || got.Redo != "rename "+fn.Name+" to Connector" {
		t.Fatalf("at the first revision: %+v", got)
	}

	// A new edit drops the redo branch, and its summaries with it.
	long := strings.Repeat("x", 500)
	if _, _, err := s.Edit(ctx, st.ID, first.Revision, func(st *model.Stack) error {
		st.Description = "new branch"
		return nil
	}, store.DescribeAfter(func() string { return "describe\n" + long })); err != nil {
		t.Fatal(err)
	}
	got := steps(s)
	if got.CanRedo || !strings.HasPrefix(got.Undo, "describe xxx") || len(got.Undo) > 200 || !strings.HasSuffix(got.Undo, "…") {
		t.Fatalf("after a new edit: %+v", got)
	}
	db := MustRawDB(t, path)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM revision_summaries WHERE stack_id = ?`, st.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 { // the creation and the new edit
		t.Fatalf("%d summaries kept, want 2", n)
	}
	s.Close()
	if again := steps(MustOpenPath(t, path)); again != got {
		t.Fatalf("after reopening: %+v, want %+v", again, got)
	}
}
