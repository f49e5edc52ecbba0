package model_test

import (
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// boxes is a geometry of 200×100 nodes, APIs 30 taller per route.
var boxes = model.Geometry{NodeWidth: 200, NodeHeight: func(s *model.Stack, n model.NodeRef) float64 {
	if a := s.API(n.ID); a != nil {
		return 100 + 30*float64(len(a.Routes))
	}
	return 100
}}

// TestAddNode: a new node of each kind gets the defaults, a fresh ID and a
// name no node has, where it is put; the result passes ValidateDraft, so
// any front end can add nodes without the server's handler code.
func TestAddNode(t *testing.T) {
	st := &model.Stack{Name: "s"}
	for _, kind := range []model.Kind{model.KindAPI, model.KindFunction, model.KindTable, model.KindFunction} {
		id, err := st.AddNode(kind, model.Position{X: 10, Y: 20})
		if err != nil {
			t.Fatal(err)
		}
		n, ok := st.Node(id)
		if !ok || n.Kind != kind || n.Position != (model.Position{X: 10, Y: 20}) {
			t.Fatalf("AddNode(%s) = %q: %+v", kind, id, n)
		}
	}
	if got := [4]string{st.APIs[0].Name, st.Functions[0].Name, st.Functions[1].Name, st.Tables[0].Name}; got != [4]string{"WebSocketApi", "Function", "Function2", "Table"} {
		t.Errorf("names %v", got)
	}
	if f := st.Functions[1]; f.Runtime != model.DefaultRuntime || f.CodePath != "functions/function2" || f.MemorySize != model.DefaultMemorySize {
		t.Errorf("function defaults: %+v", f)
	}
	if err := st.ValidateDraft(); err != nil {
		t.Errorf("new nodes: %v", err)
	}
	if _, err := st.AddNode(model.KindOther, model.Position{}); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("AddNode(other) = %v, want EINVALID", err)
	}
}

// TestFreeSpot: a node placed without a position takes the first grid
// cell, row by row, that no node (with its routes) overlaps.
func TestFreeSpot(t *testing.T) {
	st := &model.Stack{Name: "s"}
	if p := st.FreeSpot(boxes); p != (model.Position{X: 40, Y: 40}) {
		t.Fatalf("empty canvas: %v", p)
	}
	st.AddNode(model.KindFunction, st.FreeSpot(boxes))
	if p := st.FreeSpot(boxes); p != (model.Position{X: 300, Y: 40}) {
		t.Fatalf("second node: %v, want the next cell", p)
	}
	// An API tall with routes covers the cell below it too.
	id, _ := st.AddNode(model.KindAPI, model.Position{X: 300, Y: 40})
	for i := range 6 {
		st.API(id).Routes = append(st.API(id).Routes, &model.Route{ID: "rt" + string(rune('a'+i)), Key: "k"})
	}
	var got []model.Position
	for range 4 {
		p := st.FreeSpot(boxes)
		got = append(got, p)
		st.AddNode(model.KindTable, p)
	}
	want := []model.Position{{X: 560, Y: 40}, {X: 820, Y: 40}, {X: 40, Y: 200}, {X: 560, Y: 200}}
	if !slices.Equal(got, want) {
		t.Errorf("placed at %v, want %v (not under the tall API at 300, 40)", got, want)
	}
}
