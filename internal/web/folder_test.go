package web_test

import (
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// TestStackChanges names each change in the canvas's words, and nothing
// that did not change.
func TestStackChanges(t *testing.T) {
	before, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	after := before.Clone()
	after.Functions[0].MemorySize = 1024
	after.Functions[0].Position.X += 500 // a move alone is not listed
	after.APIs[0].Routes[3].Key = "say"
	after.APIs[0].Routes = after.APIs[0].Routes[:3:3]
	after.Wires = slices.DeleteFunc(after.Wires, func(w *model.Wire) bool { return w.From == before.APIs[0].Routes[3].ID })
	after.Tables = append(after.Tables, model.NewTable("tbl99", "Sessions"))
	got := web.StackChanges(before, after)
	want := []string{
		"Change function " + before.Functions[0].Name + ": memorySize 128 → 1024",
		"Remove route " + before.APIs[0].Routes[3].Key + " from ChatApi",
		"Add table Sessions",
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("no %q in %q", w, got)
		}
	}
	if len(got) != len(want)+1 { // and the wire of the removed route
		t.Errorf("%d changes, want %d: %q", len(got), len(want)+1, got)
	}
	moved := before.Clone()
	moved.Tables[0].Position.Y += 40
	if c := web.StackChanges(before, moved); len(c) != 1 || c[0] != "Move nodes on the canvas" {
		t.Errorf("a move reads %q", c)
	}
}
