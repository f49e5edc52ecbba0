package importer

import (
	"context"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Every kind in the model's catalogue has a recogniser here, and each
// brings back the nodes of its kind from an export of the chat example,
// which holds all three.
func TestEveryKindImports(t *testing.T) {
	s, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	out, err := export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(context.Background(), "template.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	count := func(st *model.Stack, k model.Kind) int {
		n := 0
		for _, node := range st.Nodes() {
			if node.Kind == k {
				n++
			}
		}
		return n
	}
	for _, k := range model.Kinds() {
		i := 0
		for i < len(recognisers) && recognisers[i].kind != k.Kind {
			i++
		}
		if i == len(recognisers) {
			t.Errorf("kind %q has no recogniser (importer/kind_%s.go)", k.Kind, k.Kind)
			continue
		}
		if want, got := count(s, k.Kind), count(res.Stack, k.Kind); got != want || want == 0 {
			t.Errorf("%s: imported %d nodes of the %d exported (%s)", k.Kind, got, want, recognisers[i].mainType)
		}
	}
	if len(recognisers) != len(model.Kinds()) {
		t.Errorf("%d recognisers for %d kinds", len(recognisers), len(model.Kinds()))
	}
}
