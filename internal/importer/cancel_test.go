package importer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/importer"
)

// cancelAfter is a context that is cancelled once its Err has been asked n
// times: a request that goes away at a chosen point of an import, without
// depending on timing.
type cancelAfter struct {
	context.Context
	n, calls int
}

func (c *cancelAfter) Err() error {
	c.calls++
	if c.calls > c.n {
		return context.Canceled
	}
	return nil
}

func newCancelAfter(n int) *cancelAfter {
	return &cancelAfter{Context: context.Background(), n: n}
}

// checks returns how many times an import of data looks at its context.
func checks(t *testing.T, name string, data []byte) int {
	t.Helper()
	ctx := newCancelAfter(1 << 30)
	if _, err := importer.Import(ctx, name, data); err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return ctx.calls
}

// stopsAt cancels an import of data at its k-th look at the context: it
// must return context.Canceled from that very look, doing no more work.
func stopsAt(t *testing.T, name string, data []byte, k int) {
	t.Helper()
	ctx := newCancelAfter(k)
	res, err := importer.Import(ctx, name, data)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%s cancelled at check %d: want context.Canceled, got %v (result %v)", name, k, err, res != nil)
	}
	if !strings.Contains(err.Error(), name) {
		t.Errorf("the error %q does not name the file", err)
	}
	if ctx.calls != k+1 {
		t.Errorf("%s cancelled at check %d: the import looked at its context %d more times", name, k, ctx.calls-k-1)
	}
}

// TestImportCancelled: a cancelled request stops its import at once, with
// the context's error, at whatever point it is cancelled.
func TestImportCancelled(t *testing.T) {
	t.Parallel()
	t.Run("before it starts", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := importer.Import(ctx, "large.json", largeTemplate(t, 71, 1<<20))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
	})
	// The points at which a fixture's import looks at its context.
	for _, fx := range fixtures {
		t.Run(fx.file, func(t *testing.T) {
			data, err := os.ReadFile(fx.file)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(fx.file)
			n := checks(t, name, data)
			// Every look in the reader and the first phases, then a sample.
			for k := 0; k < n; k += max(1, min(k/8, n/16)) {
				stopsAt(t, name, data, k)
			}
			stopsAt(t, name, data, n-1)
		})
	}
	// A large template is looked at throughout: in the reader every few
	// hundred values, then once per resource at least.
	t.Run("large", func(t *testing.T) {
		data := largeTemplate(t, 71, 1<<20)
		n := checks(t, "large.json", data)
		if n < 500 {
			t.Errorf("the import of 500 resources looks at its context %d times; want once per resource at least", n)
		}
		for _, k := range []int{0, n / 2, n - 1} {
			stopsAt(t, "large.json", data, k)
		}
	})
}
