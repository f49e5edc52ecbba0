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

// TestFreeSpotNear: a node added while the user looks at a point lands
// there when it is free, and in the nearest free cell around it when not,
// never on a node.
func TestFreeSpotNear(t *testing.T) {
	st := &model.Stack{Name: "s"}
	at := model.Position{X: 2000, Y: 1500}
	p := st.FreeSpotNear(boxes, at)
	if p.X > at.X || p.X+boxes.NodeWidth < at.X || p.Y > at.Y || p.Y+100 < at.Y {
		t.Fatalf("FreeSpotNear(%v) on an empty stack = %v, want a node over the point", at, p)
	}
	id, _ := st.AddNode(model.KindTable, p)
	q := st.FreeSpotNear(boxes, at)
	if q == p {
		t.Fatalf("FreeSpotNear put a second node on the first at %v", q)
	}
	if dx, dy := q.X-p.X, q.Y-p.Y; dx*dx+dy*dy > 2*(300*300+200*200) {
		t.Errorf("FreeSpotNear = %v, far from %v", q, p)
	}
	n, _ := st.Node(id)
	if q.X < n.Position.X+boxes.NodeWidth && q.X+boxes.NodeWidth > n.Position.X && q.Y < n.Position.Y+100 && q.Y+100 > n.Position.Y {
		t.Errorf("FreeSpotNear = %v overlaps the node at %v", q, n.Position)
	}
}
