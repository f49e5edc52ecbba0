//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestEveryKindIsStored: each kind of the catalogue registers how it is
// stored, with at least one table of its own, and no table twice.
func TestEveryKindIsStored(t *testing.T) {
	t.Parallel()
	seen := map[*table]model.Kind{}
	for _, k := range model.Kinds() {
		ks := kindStores[k.Kind]
		if ks == nil || ks.size == nil || ks.rows == nil || ks.read == nil || len(ks.tables) == 0 {
			t.Errorf("kind %q has no complete store (internal/store/kind_%s.go)", k.Kind, k.Kind)
			continue
		}
		for _, tb := range ks.tables {
			if other, dup := seen[tb]; dup {
				t.Errorf("table %s belongs to kinds %q and %q", tb.name, other, k.Kind)
			}
			seen[tb] = k.Kind
		}
	}
	if got, want := len(allTables()), 1+len(seen)+5+len(designTables()); got != want {
		t.Errorf("allTables has %d tables, want %d (nodes, the kinds', wires, others, sections, parameters, imported-from, design)", got, want)
	}
}
