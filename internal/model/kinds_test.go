package model_test

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Every kind in the catalogue can be added, defaulted, checked, copied and
// removed through the registry alone: what a new kind's file must supply.
func TestKindCatalogue(t *testing.T) {
	want := []model.Kind{model.KindAPI, model.KindFunction, model.KindTable, model.KindQueue, model.KindTopic, model.KindStateMachine, model.KindLayer, model.KindBus, model.KindRule, model.KindBucket, model.KindStream, model.KindUsagePlan, model.KindDomain}
	var got []model.Kind
	for _, k := range model.Kinds() {
		got = append(got, k.Kind)
	}
	if len(got) != len(want) {
		t.Fatalf("kinds %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("kinds %v, want %v (in order)", got, want)
		}
	}
	for _, k := range model.Kinds() {
		t.Run(string(k.Kind), func(t *testing.T) {
			if spec, ok := model.SpecOf(k.Kind); !ok || spec != k {
				t.Fatalf("SpecOf(%q) = %v, %v", k.Kind, spec, ok)
			}
			s := &model.Stack{Name: "cat"}
			id, err := s.AddNode(k.Kind, model.Position{X: 10, Y: 20})
			if err != nil {
				t.Fatal(err)
			}
			n, ok := s.Node(id)
			if !ok || n.Kind != k.Kind || n.Name != k.BaseName || n.Position.X != 10 {
				t.Fatalf("added node %+v, %v", n, ok)
			}
			for _, p := range s.Check() {
				if p.Resource == id && !p.Incomplete && p.Severity == model.SeverityError {
					t.Errorf("a new %s has a problem: %s", k.Noun, p)
				}
			}
			c := s.Clone()
			cn, _ := c.Node(id)
			cn.Name = "Changed"
			if n.Name != k.BaseName {
				t.Errorf("the clone shares the %s's node", k.Noun)
			}
			if !c.RemoveNode(id) || len(c.Nodes()) != 0 || len(s.Nodes()) != 1 {
				t.Errorf("RemoveNode of a %s: clone %d nodes, original %d", k.Noun, len(c.Nodes()), len(s.Nodes()))
			}
		})
	}
	if _, ok := model.SpecOf(model.KindOther); ok {
		t.Error("KindOther is in the catalogue; it cannot be drawn")
	}
}
