//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock(s *Store, start string) *fakeClock {
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		panic(err)
	}
	c := &fakeClock{t: t}
	s.now = c.now
	return c
}

func openWithClock(t *testing.T) (*Store, *fakeClock, string) {
	t.Helper()
	path := freshPath(t, "switchboard.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, newFakeClock(s, "2026-01-01T09:00:00Z"), path
}

func createExample(t *testing.T, s *Store, example string) *model.Stack {
	t.Helper()
	st, err := model.Example(example, example)
	if err != nil {
		t.Fatal(err)
	}
	if st, err = s.CreateStack(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

func revisionCount(t *testing.T, s *Store, id int64) int {
	t.Helper()
	revs, err := s.Revisions(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return len(revs)
}

// TestMoveNode_MergesADrag: moves of one node less than moveMergeWindow
// apart are one revision; a pause, another node or another edit in between
// starts a new one. Undo goes back a whole drag.
func TestMoveNode_MergesADrag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, _ := openWithClock(t)
	st := createExample(t, s, "chat")
	a, b := st.APIs[0].ID, st.Functions[0].ID
	move := func(node string, x float64) {
		t.Helper()
		clock.advance(500 * time.Millisecond)
		var err error
		if st, err = s.MoveNode(ctx, st.ID, st.Revision, node, model.Position{X: x, Y: 1}); err != nil {
			t.Fatal(err)
		}
	}
	for x := range 10 {
		move(a, float64(x+1)) // one drag: 10 moves 0.5 s apart
	}
	if n := revisionCount(t, s, st.ID); n != 2 {
		t.Fatalf("a drag of 10 moves left %d revisions, want 2 (creation and the drag)", n)
	}
	move(b, 100) // another node: a new revision
	move(a, 11)  // back to a: new again, b's move came between
	clock.advance(3 * time.Second)
	move(a, 12) // after a pause: new
	if n := revisionCount(t, s, st.ID); n != 5 {
		t.Fatalf("%d revisions, want 5", n)
	}
	// A tab still at the merged-away revision number is told it is stale.
	if _, err := s.MoveNode(ctx, st.ID, st.Revision-1, a, model.Position{X: 0, Y: 0}); model.ErrorCode(err) != model.ECONFLICT {
		t.Fatalf("a move from a replaced revision = %v, want a conflict", err)
	}

	wantX := []float64{11, 10}
	for _, x := range wantX {
		var err error
		if st, err = s.Undo(ctx, st.ID, st.Revision); err != nil {
			t.Fatal(err)
		}
		node, _ := st.Node(a)
		if node.Position.X != x {
			t.Fatalf("undo: %s at x=%v, want %v", a, node.Position.X, x)
		}
	}
	redone, err := s.Redo(ctx, st.ID, st.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if node, _ := redone.Node(b); node.Position.X != 100 {
		t.Fatalf("redo: %s at x=%v, want 100", b, node.Position.X)
	}
}

// TestHistory_DraggedStackStaysSmall drags a stack 8,000 times over 100
// simulated days, four drags a day of 20 moves each, and checks the database
// stays under 1 MB with undo working through all that is left. Without
// merging and retention it held 8,001 revisions, about 16 MB.
func TestHistory_DraggedStackStaysSmall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, path := openWithClock(t)
	st := createExample(t, s, "chat")
	nodes := st.Nodes()
	const days, dragsPerDay = 100, 4
	const movesPerDrag = 20
	var err error
	for day := range days {
		for drag := range dragsPerDay {
			node := nodes[(day*dragsPerDay+drag)%len(nodes)].ID
			for m := range movesPerDrag {
				clock.advance(50 * time.Millisecond)
				pos := model.Position{X: float64(day*1000 + drag*100 + m), Y: float64(m)}
				if st, err = s.MoveNode(ctx, st.ID, st.Revision, node, pos); err != nil {
					t.Fatal(err)
				}
			}
			clock.advance(2 * time.Hour)
		}
		clock.advance(16 * time.Hour)
	}
	revs := revisionCount(t, s, st.ID)
	// The last 30 days keep every drag, the 70 days before one a day, give
	// or take what came since the last prune.
	if want := 30*dragsPerDay + 70; revs > want+pruneEvery {
		t.Fatalf("%d revisions left, want about %d", revs, want)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, path)
	if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	after := fileSize(t, path)
	t.Logf("%d moves: %d revisions, database %d bytes before VACUUM, %d after", days*dragsPerDay*movesPerDrag, revs, before, after)
	if after >= 1<<20 {
		t.Fatalf("database is %d bytes after VACUUM, want under 1 MB", after)
	}

	// Undo walks back through every revision left. The oldest is the first
	// day's last drag: creation day is older than 30 days and had later
	// revisions.
	for range revs - 1 {
		if st, err = s.Undo(ctx, st.ID, st.Revision); err != nil {
			t.Fatal(err)
		}
	}
	lastOfFirstDay := nodes[dragsPerDay-1].ID
	if node, _ := st.Node(lastOfFirstDay); node.Position.X != float64((dragsPerDay-1)*100+movesPerDrag-1) {
		t.Fatalf("oldest revision kept has %s at x=%v", lastOfFirstDay, node.Position.X)
	}
	if _, err := s.Undo(ctx, st.ID, st.Revision); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("undo past the oldest revision = %v", err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
