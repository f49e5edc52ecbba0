package web

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Every kind in the model's catalogue has a view here, is in the palette
// and gets its own fields in the properties panel.
func TestEveryKindDraws(t *testing.T) {
	s := &model.Stack{ID: 1, Name: "kinds"}
	for _, k := range model.Kinds() {
		v, ok := kindViews[k.Kind]
		if !ok {
			t.Errorf("kind %q has no view (web/kind_%s.templ)", k.Kind, k.Kind)
			continue
		}
		if v.label == "" || v.icon == "" {
			t.Errorf("kind %q: label %q, icon %q", k.Kind, v.label, v.icon)
		}
		if _, err := s.AddNode(k.Kind, model.Position{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(kindViews) != len(model.Kinds()) {
		t.Errorf("%d views for %d kinds", len(kindViews), len(model.Kinds()))
	}
	views := NewCanvasView(s).Nodes()
	if len(views) != len(model.Kinds()) {
		t.Fatalf("%d node views for %d nodes", len(views), len(model.Kinds()))
	}
	for i, n := range s.Nodes() {
		if views[i].ID != n.ID || views[i].Kind != n.Kind || views[i].Summary == "" {
			t.Errorf("node view %d is %+v, want %s %s with a summary", i, views[i], n.Kind, n.ID)
		}
	}
	// An API draws a row per route below its head; others none.
	s.APIs[0].Routes = []*model.Route{{ID: "rt1", Key: "$connect"}, {ID: "rt2", Key: "$default"}}
	for _, n := range s.Nodes() {
		want := float64(HeadHeight + BodyHeight)
		if n.Kind == model.KindAPI {
			want += 2 * RouteHeight
		}
		if got := NodeHeight(s, n); got != want {
			t.Errorf("%s is drawn %v high, want %v", n.Kind, got, want)
		}
	}
	page := render(t, CanvasPage(NewCanvasView(s)))
	for _, n := range s.Nodes() {
		one(t, page, "palette-"+string(n.Kind))
		p := PanelView{Base: StackURL(s.ID), Stack: s, Kind: n.Kind, API: s.API(n.ID), Function: s.Function(n.ID), Table: s.Table(n.ID),
			Queue: s.Queue(n.ID), Topic: s.Topic(n.ID), StateMachine: s.StateMachine(n.ID),
			Bus: s.Bus(n.ID), Rule: s.Rule(n.ID), Bucket: s.Bucket(n.ID), Stream: s.Stream(n.ID),
			Layer: s.Layer(n.ID), UsagePlan: s.UsagePlan(n.ID), Domain: s.Domain(n.ID)}
		form := one(t, render(t, NodePanel(p)), "panel-form")
		if len(testIDs(form, "f-name")) != 1 {
			t.Errorf("the %s panel has no name field", n.Kind)
		}
	}
}
