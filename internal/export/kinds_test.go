package export

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Every kind the model's catalogue holds has its CloudFormation here, and
// nothing is registered for a kind the model does not know: a new kind's
// export file is found, or its absence fails here rather than in build.
func TestEveryKindExports(t *testing.T) {
	t.Parallel()
	known := map[model.Kind]bool{}
	for _, k := range model.Kinds() {
		known[k.Kind] = true
		kb := kindBuilders[k.Kind]
		if kb == nil || kb.room == nil || kb.build == nil {
			t.Errorf("kind %q has no complete export (export/kind_%s.go)", k.Kind, k.Kind)
		}
	}
	for k := range kindBuilders {
		if !known[k] {
			t.Errorf("export registers kind %q, which the model's catalogue does not hold", k)
		}
	}
	// One node of each kind, so each builder's room covers what it adds.
	s := &model.Stack{Name: "kinds"}
	for _, k := range model.Kinds() {
		if _, err := s.AddNode(k.Kind, model.Position{}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := build(s, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.resources) > cap(b.resources) || len(b.outputs) != cap(b.outputs) {
		t.Errorf("%d resources in room for %d, %d outputs in room for %d", len(b.resources), cap(b.resources), len(b.outputs), cap(b.outputs))
	}
}
