package localrun

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Every kind in the model's catalogue is served by a local run, in the
// order starting needs: tables, then the APIs whose ports the functions'
// environment names, then the functions.
func TestEveryKindRuns(t *testing.T) {
	var order []model.Kind
	for _, k := range kindServers {
		if k.serve == nil {
			t.Errorf("kind %q has no serve", k.kind)
		}
		order = append(order, k.kind)
	}
	want := []model.Kind{model.KindTable, model.KindAPI, model.KindFunction}
	if len(order) != len(want) || len(order) != len(model.Kinds()) {
		t.Fatalf("served kinds %v, want %v (one per kind of the catalogue)", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("served in the order %v, want %v", order, want)
		}
	}
}
