package server

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Every kind in the model's catalogue has a properties form, and applying
// a form that sends only a name renames a node of that kind.
func TestEveryKindHasAForm(t *testing.T) {
	t.Parallel()
	// One more: the generic node's (kind_other.go), of no catalogue kind.
	if len(kindForms) != len(model.Kinds())+1 || kindForms[model.KindOther] == nil {
		t.Errorf("%d forms for %d kinds and the generic node", len(kindForms), len(model.Kinds()))
	}
	for _, k := range model.Kinds() {
		kf := kindForms[k.Kind]
		if kf == nil {
			t.Errorf("kind %q has no form (server/kind_%s.go)", k.Kind, k.Kind)
			continue
		}
		if !kf.fields["name"] {
			t.Errorf("the %s form does not show its name", k.Kind)
		}
		st := &model.Stack{Name: "forms"}
		id, err := st.AddNode(k.Kind, model.Position{})
		if err != nil {
			t.Fatal(err)
		}
		name := "Renamed"
		(&propertiesForm{Name: &name}).apply(st, id)
		if n, _ := st.Node(id); n.Name != name {
			t.Errorf("the %s form left the name %q", k.Kind, n.Name)
		}
	}
}
