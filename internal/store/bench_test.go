package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
)

// BenchmarkSaveLoad is the canvas case: one node of a big stack moved,
// saved on the right base revision, then the stack loaded again.
func BenchmarkSaveLoad(b *testing.B) {
	ctx := context.Background()
	s := MustOpen(b)
	st := MustCreate(b, s, modeltest.Large("large", 200, 1000))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		st.Functions[i%len(st.Functions)].Position.X = float64(i)
		saved, err := s.SaveStack(ctx, st)
		if err != nil {
			b.Fatal(err)
		}
		if st, err = s.Stack(ctx, saved.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSave is BenchmarkSaveLoad without the load.
func BenchmarkSave(b *testing.B) {
	ctx := context.Background()
	s := MustOpen(b)
	st := MustCreate(b, s, modeltest.Large("large", 200, 1000))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		st.Functions[i%len(st.Functions)].Position.X = float64(i)
		saved, err := s.SaveStack(ctx, st)
		if err != nil {
			b.Fatal(err)
		}
		st.Revision = saved.Revision
	}
}

// BenchmarkLoad loads the large stack.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	s := MustOpen(b)
	st := MustCreate(b, s, modeltest.Large("large", 200, 1000))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Stack(ctx, st.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateLarge is a first full save of the large stack.
func BenchmarkCreateLarge(b *testing.B) {
	ctx := context.Background()
	s := MustOpen(b)
	st := modeltest.Large("large", 200, 1000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		st.Name = fmt.Sprintf("large%d", i)
		if _, err := s.CreateStack(ctx, st); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateDraftLarge is the model's share of every save of the
// large stack, measured here to read BenchmarkSave against.
func BenchmarkValidateDraftLarge(b *testing.B) {
	st := modeltest.Large("large", 200, 1000)
	for b.Loop() {
		if err := st.ValidateDraft(); err != nil {
			b.Fatal(err)
		}
	}
}
