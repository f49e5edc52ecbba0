//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// TestEveryWireKindIsStored: a wire of each kind of model.WireRules, between
// nodes of the kinds it joins, is saved (the wires table's CHECKs allow it)
// and read back as it was.
func TestEveryWireKindIsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.Path(t, "wirekinds.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, rule := range model.WireRules {
		t.Run(string(rule.Kind), func(t *testing.T) {
			s := &model.Stack{Name: "wires-" + string(rule.Kind)}
			add := func(kind model.Kind, x float64) string {
				id, err := s.AddNode(kind, model.Position{X: x})
				if err != nil {
					t.Fatal(err)
				}
				return id
			}
			from := ""
			if rule.From == model.KindRoute {
				apiID := add(model.KindAPI, 0)
				r := &model.Route{ID: s.NewID("rt"), Key: "go"}
				s.API(apiID).Routes = append(s.API(apiID).Routes, r)
				from = r.ID
			} else {
				from = add(rule.From, 0)
			}
			to := add(rule.To, 600)
			if rule.Kind == model.WireStartSyncExecution {
				s.StateMachine(to).Type = model.StateMachineExpress
			}
			s.Wires = append(s.Wires, &model.Wire{ID: s.NewID("w"), Kind: rule.Kind, From: from, To: to})
			created, err := st.CreateStack(ctx, s)
			if err != nil {
				t.Fatalf("storing a %s wire (%s → %s): %v", rule.Kind, rule.From, rule.To, err)
			}
			got, err := st.Stack(ctx, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Wires) != 1 || *got.Wires[0] != (model.Wire{ID: s.Wires[0].ID, Kind: rule.Kind, From: from, To: to}) {
				t.Errorf("read back %+v, want one %s wire %s → %s", got.Wires, rule.Kind, from, to)
			}
		})
	}
}
