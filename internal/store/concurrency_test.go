//go:build race || !racesplit

// These tests drive the code from several goroutines: `make test` runs
// them under -race, and its race-free job (-tags racesplit) leaves them
// out (RACE_SPLIT in the Makefile).

package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// TestSaveStack_Concurrent has 8 writers save the same stack from the same
// base revision, round after round. Exactly one may win each round; the
// others must be told of the conflict, never "database is locked", and no
// win may be lost. Some rounds share one Store, others give each writer its
// own, as separate processes would have.
func TestSaveStack_Concurrent(t *testing.T) {
	t.Parallel()
	const writers, rounds = 8, 6
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	shared := MustOpenPath(t, path)
	own := make([]*store.Store, writers)
	for i := range own {
		own[i] = MustOpenPath(t, path)
	}
	created := MustCreate(t, shared, MustExample(t, "chat", "chat"))
	id := created.ID

	// winners[r] is the description the winner of revision r wrote.
	winners := map[int64]string{}
	for round := range rounds {
		base, err := shared.Stack(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			wins []*model.Stack
		)
		for w := range writers {
			s := shared
			if round%2 == 1 {
				s = own[w]
			}
			edit := base.Clone()
			edit.Description = fmt.Sprintf("round %d writer %d", round, w)
			edit.Functions[w%len(edit.Functions)].Position.X = float64(round*100 + w)
			wg.Go(func() {
				saved, err := s.SaveStack(ctx, edit)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins = append(wins, saved)
				case model.ErrorCode(err) == model.ECONFLICT:
					if msg := err.Error(); strings.Contains(msg, "locked") || strings.Contains(msg, "BUSY") {
						t.Errorf("round %d writer %d: %v", round, w, err)
					}
				default:
					t.Errorf("round %d writer %d: %v", round, w, err)
				}
			})
		}
		wg.Wait()
		if len(wins) != 1 {
			t.Fatalf("round %d: %d writers won, want 1", round, len(wins))
		}
		win := wins[0]
		if win.Revision != base.Revision+1 {
			t.Fatalf("round %d: winner saved revision %d, want %d", round, win.Revision, base.Revision+1)
		}
		winners[win.Revision] = win.Description
	}

	revs, err := shared.Revisions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != rounds+1 || revs[0].Revision != rounds+1 {
		t.Fatalf("revisions = %+v, want %d", revs, rounds+1)
	}
	for rev, desc := range winners {
		st, err := shared.StackAtRevision(ctx, id, rev)
		if err != nil {
			t.Fatal(err)
		}
		if st.Description != desc {
			t.Fatalf("revision %d holds %q, but %q won it", rev, st.Description, desc)
		}
		var writer, round int
		if _, err := fmt.Sscanf(desc, "round %d writer %d", &round, &writer); err != nil {
			t.Fatal(err)
		}
		if x := st.Functions[writer%len(st.Functions)].Position.X; x != float64(round*100+writer) {
			t.Fatalf("revision %d: the winner's move is missing (x = %v)", rev, x)
		}
	}
	// The current state is the last winner's, in the tables as in the
	// document.
	head, err := shared.Stack(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	last, err := shared.StackAtRevision(ctx, id, rounds+1)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, head, last)
	if got, want := mustJSON(t, head), mustJSON(t, last); got != want {
		t.Fatalf("head differs from its document:\n%s\n%s", got, want)
	}
}

// TestConcurrentCreateAndRead mixes writers of different stacks with
// readers, each with its own Store.
func TestConcurrentCreateAndRead(t *testing.T) {
	t.Parallel()
	const workers = 8
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	MustOpenPath(t, path)
	var wg sync.WaitGroup
	for w := range workers {
		s := MustOpenPath(t, path)
		wg.Go(func() {
			st := MustExample(t, "chat", fmt.Sprintf("chat%d", w))
			created, err := s.CreateStack(ctx, st)
			if err != nil {
				t.Error(err)
				return
			}
			for i := range 5 {
				created.Functions[0].Position.Y = float64(i)
				if created, err = s.SaveStack(ctx, created); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Stacks(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
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
