package server

import (
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestWireKindFollowsWireRules draws every kind of wire between every pair
// of ends: the canvas accepts exactly what model.WireRules allows, picks
// its default when no kind is given, and what it accepts validates.
func TestWireKindFollowsWireRules(t *testing.T) {
	t.Parallel()
	api := model.NewAPI("api1", "Api")
	api.Routes = []*model.Route{{ID: "rt2", Key: "$default"}}
	table := model.NewTable("tbl5", "Things")
	table.PartitionKey = model.Key{Name: "id", Type: model.AttributeString}
	base := &model.Stack{
		Name:      "Wires",
		APIs:      []*model.API{api, model.NewAPI("api6", "Other")},
		Functions: []*model.Function{model.NewFunction("fn3", "One"), model.NewFunction("fn4", "Two")},
		Tables:    []*model.Table{table},
	}
	kindOf := func(id string) model.Kind {
		if _, r := base.Route(id); r != nil {
			return model.KindRoute
		}
		n, _ := base.Node(id)
		return n.Kind
	}
	for _, from := range []string{"rt2", "fn3", "tbl5", "api1", "nowhere"} {
		for _, to := range []string{"fn3", "fn4", "tbl5", "api1"} {
			between := model.WireKindsBetween(kindOf(from), kindOf(to))
			if from == to {
				between = nil
			}
			for _, kind := range append([]model.WireKind{""}, model.WireKinds...) {
				st := base.Clone()
				got, err := wireKind(st, from, to, kind)
				want := kind
				if kind == "" && len(between) > 0 {
					want = between[0]
				}
				allowed := len(between) > 0 && (kind == "" || slices.Contains(between, kind))
				if allowed != (err == nil) || (err == nil && got != want) {
					t.Errorf("%s → %s as %q: got %q, %v; the rules allow %v", from, to, kind, got, err, between)
					continue
				}
				if err != nil {
					continue
				}
				st.Wires = append(st.Wires, &model.Wire{ID: "w9", Kind: got, From: from, To: to})
				for _, p := range st.Check() {
					if p.Resource == "w9" {
						t.Errorf("%s → %s as %q: accepted, but %s", from, to, got, p.Message)
					}
				}
			}
		}
	}
}
