package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
)

// BenchmarkSaveLoadStoreOnly is BenchmarkSaveLoad without ValidateDraft:
// the store's own share of a canvas move on the large stack.
func BenchmarkSaveLoadStoreOnly(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "switchboard.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	st, err := s.CreateStack(ctx, modeltest.Large("large", 200, 1000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		st.Functions[i%len(st.Functions)].Position.X = float64(i)
		enc, err := encode(st)
		if err != nil {
			b.Fatal(err)
		}
		saved, err := s.saveEncoded(ctx, st, enc)
		if err != nil {
			b.Fatal(err)
		}
		if st, err = s.Stack(ctx, saved.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// benchWriteState measures writing the large stack's tables after edit,
// rolled back each time so every run starts from the same rows: the diff
// unless rewrite, else deleting and inserting every row.
func benchWriteState(b *testing.B, edit func(*model.Stack), rewrite bool) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "switchboard.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	st, err := s.CreateStack(ctx, modeltest.Large("large", 200, 1000))
	if err != nil {
		b.Fatal(err)
	}
	var token int64
	if err := s.db.QueryRow(`SELECT state_token FROM stacks WHERE id = ?`, st.ID).Scan(&token); err != nil {
		b.Fatal(err)
	}
	edit(st)
	if err := st.ValidateDraft(); err != nil {
		b.Fatal(err)
	}
	want, err := stackRows(st)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if rewrite {
			err = rewriteState(ctx, tx, st.ID, want)
		} else {
			err = s.writeState(ctx, tx, st.ID, token, want)
		}
		if err != nil {
			b.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			b.Fatal(err)
		}
	}
}

func moveNode(st *model.Stack) { st.Functions[0].Position.X += 10 }

func swapNames(st *model.Stack) {
	a, f := st.Functions[0], st.Functions[1]
	a.Name, f.Name = f.Name, a.Name
}

// BenchmarkWriteStateMove is the canvas case: one node moved.
func BenchmarkWriteStateMove(b *testing.B) { benchWriteState(b, moveNode, false) }

// BenchmarkWriteStateSwapNames parks two names, then updates both rows.
func BenchmarkWriteStateSwapNames(b *testing.B) { benchWriteState(b, swapNames, false) }

// BenchmarkWriteStateRewrite is the same move written as delete-all and
// insert-all, for comparison.
func BenchmarkWriteStateRewrite(b *testing.B) { benchWriteState(b, moveNode, true) }

// BenchmarkStackRows is the large stack turned into table rows, the part of
// every save that the table codecs do.
func BenchmarkStackRows(b *testing.B) {
	st := modeltest.Large("large", 200, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := stackRows(st); err != nil {
			b.Fatal(err)
		}
	}
}
