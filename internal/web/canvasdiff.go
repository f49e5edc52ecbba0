package web

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// CanvasChanges is what an edit changed on the canvas, node by node and wire
// by wire: an edit answers with these fragments alone, so it costs what it
// changes, not the size of the stack (issue 14).
type CanvasChanges struct {
	Base                       string
	Nodes, AddedNodes          []NodeView
	Wires, AddedWires          []WireView
	RemovedNodes, RemovedWires []string
}

// DiffCanvas compares the canvas of before with that of after, as they
// draw: a node or wire whose view differs is changed, whatever caused it (a
// rename, a moved end, a new route).
func DiffCanvas(before, after *model.Stack) CanvasChanges {
	b, a := NewCanvasView(before), NewCanvasView(after)
	c := CanvasChanges{Base: a.Base()}
	was := map[string]NodeView{}
	for _, n := range b.Nodes() {
		was[n.ID] = n
	}
	for _, n := range a.Nodes() {
		old, ok := was[n.ID]
		switch {
		case !ok:
			c.AddedNodes = append(c.AddedNodes, n)
		case !reflect.DeepEqual(old, n):
			c.Nodes = append(c.Nodes, n)
		}
		delete(was, n.ID)
	}
	for id := range was {
		c.RemovedNodes = append(c.RemovedNodes, id)
	}
	wasWire := map[string]WireView{}
	for _, w := range b.Wires {
		wasWire[w.ID] = w
	}
	for _, w := range a.Wires {
		old, ok := wasWire[w.ID]
		switch {
		case !ok:
			c.AddedWires = append(c.AddedWires, w)
		case !reflect.DeepEqual(old, w):
			c.Wires = append(c.Wires, w)
		}
		delete(wasWire, w.ID)
	}
	for id := range wasWire {
		c.RemovedWires = append(c.RemovedWires, id)
	}
	return c
}

// elementSelector is the CSS selector of the element with the ID prefix+id.
// IDs are model.ValidID, which need no escaping; one that is not (a stack
// file written by hand) is escaped, so it can only ever name one element.
func elementSelector(prefix, id string) string {
	var b strings.Builder
	b.WriteString("#")
	for _, r := range prefix + id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "\\%x ", r)
		}
	}
	return b.String()
}
