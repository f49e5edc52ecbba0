//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"math"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

func TestMoveNode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	s := MustOpenPath(t, path)
	st := MustCreate(t, s, MustExample(t, "chat", "chat"))
	to := model.Position{X: 123.5, Y: -40}

	moved, err := s.MoveNode(ctx, st.ID, st.Revision, "fn8", to)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Revision != st.Revision+1 || moved.Function("fn8").Position != to {
		t.Fatalf("move gave revision %d, position %v", moved.Revision, moved.Function("fn8").Position)
	}
	want := MustExample(t, "chat", "chat")
	want.Function("fn8").Position = to

	t.Run("LoadSeesTheMove", func(t *testing.T) {
		got, err := s.Stack(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertSameStack(t, got, want)
	})
	t.Run("TablesHoldTheMove", func(t *testing.T) {
		// A new Store has nothing remembered and reads the tables.
		got, err := MustOpenPath(t, path).Stack(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertSameStack(t, got, want)
	})
	t.Run("RevisionHoldsTheMove", func(t *testing.T) {
		got, err := s.StackAtRevision(ctx, st.ID, moved.Revision)
		if err != nil {
			t.Fatal(err)
		}
		assertSameStack(t, got, want)
	})
	t.Run("ErrStaleRevision", func(t *testing.T) {
		_, err := s.MoveNode(ctx, st.ID, st.Revision, "fn8", model.Position{X: 1, Y: 1})
		// The move before moved fn8 too: a conflict, not an overwrite.
		assertCode(t, err, model.ECONFLICT, "conflicts with one saved since")
	})
	t.Run("ErrUnknownNode", func(t *testing.T) {
		_, err := s.MoveNode(ctx, st.ID, moved.Revision, "fn404", model.Position{})
		assertCode(t, err, model.ENOTFOUND, "fn404")
	})
	t.Run("ErrUnknownStack", func(t *testing.T) {
		_, err := s.MoveNode(ctx, 9999, 1, "fn8", model.Position{})
		assertCode(t, err, model.ENOTFOUND, "9999")
	})
	t.Run("ErrNotANumber", func(t *testing.T) {
		_, err := s.MoveNode(ctx, st.ID, moved.Revision, "fn8", model.Position{X: math.NaN()})
		assertCode(t, err, model.EINVALID, "finite")
	})
	t.Run("SamePlaceAddsNoRevision", func(t *testing.T) {
		same, err := s.MoveNode(ctx, st.ID, moved.Revision, "fn8", to)
		if err != nil {
			t.Fatal(err)
		}
		if same.Revision != moved.Revision {
			t.Fatalf("a move to the same place made revision %d", same.Revision)
		}
	})
	t.Run("UndoPutsItBack", func(t *testing.T) {
		undone, err := s.Undo(ctx, st.ID, moved.Revision)
		if err != nil {
			t.Fatal(err)
		}
		assertSameStack(t, undone, MustExample(t, "chat", "chat"))
		redone, err := s.Redo(ctx, st.ID, undone.Revision)
		if err != nil {
			t.Fatal(err)
		}
		assertSameStack(t, redone, want)
		moved = redone
	})
	t.Run("SaveAfterMove", func(t *testing.T) {
		// A full save after moves diffs against the tables, not against rows
		// remembered from before the move.
		edit := moved.Clone()
		edit.Functions[0].MemorySize = 256
		saved, err := s.SaveStack(ctx, edit)
		if err != nil {
			t.Fatal(err)
		}
		got, err := MustOpenPath(t, path).Stack(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertSameStack(t, got, edit)
		if got.Revision != saved.Revision {
			t.Fatalf("revision %d, want %d", got.Revision, saved.Revision)
		}
	})
}

// BenchmarkMoveNode is the canvas's commonest edit on a big stack.
func BenchmarkMoveNode(b *testing.B) {
	ctx := context.Background()
	s := MustOpen(b)
	st := MustCreate(b, s, modeltest.Large("large", 200, 1000))
	rev := st.Revision
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		moved, err := s.MoveNode(ctx, st.ID, rev, "fn1", model.Position{X: float64(i), Y: 1})
		if err != nil {
			b.Fatal(err)
		}
		rev = moved.Revision
	}
}
