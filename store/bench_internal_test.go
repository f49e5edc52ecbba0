package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/switchboard-dev/switchboard/model/modeltest"
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
		saved, err := s.saveValid(ctx, st)
		if err != nil {
			b.Fatal(err)
		}
		if st, err = s.Stack(ctx, saved.ID); err != nil {
			b.Fatal(err)
		}
	}
}
