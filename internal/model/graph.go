package model

import (
	"slices"
	"strconv"
	"strings"
)

// NewID returns an ID not used in the stack yet, such as "fn7". IDs share one
// sequence across kinds, so an ID alone names one thing.
func (s *Stack) NewID(prefix string) string {
	highest := 0
	s.eachID(func(id string) {
		digits := strings.TrimLeft(id, "abcdefghijklmnopqrstuvwxyz")
		if n, err := strconv.Atoi(digits); err == nil && n > highest {
			highest = n
		}
	})
	return prefix + strconv.Itoa(highest+1)
}

// NewName returns base, or base followed by the smallest number from 2 that no
// node of the stack is named yet: Function, Function2, Function3.
func (s *Stack) NewName(base string) string {
	taken := map[string]bool{}
	for _, n := range s.Nodes() {
		taken[n.Name] = true
	}
	if !taken[base] {
		return base
	}
	for i := 2; ; i++ {
		if name := base + strconv.Itoa(i); !taken[name] {
			return name
		}
	}
}

func (s *Stack) eachID(fn func(string)) {
	for _, a := range s.APIs {
		fn(a.ID)
		for _, r := range a.Routes {
			fn(r.ID)
		}
	}
	for _, f := range s.Functions {
		fn(f.ID)
	}
	for _, t := range s.Tables {
		fn(t.ID)
	}
	for _, q := range s.Queues {
		fn(q.ID)
	}
	for _, t := range s.Topics {
		fn(t.ID)
	}
	for _, m := range s.StateMachines {
		fn(m.ID)
	}
	s.eachEventID(fn)
	for _, l := range s.Layers {
		fn(l.ID)
	}
	for _, p := range s.UsagePlans {
		fn(p.ID)
	}
	for _, d := range s.Domains {
		fn(d.ID)
	}
	for _, w := range s.Wires {
		fn(w.ID)
	}
	for _, o := range s.Others {
		fn(o.ID)
	}
}

// NodeRef is a kind-agnostic view of one node.
type NodeRef struct {
	Kind Kind
	*Node
}

// Nodes returns every node of the stack: APIs, then functions, then tables,
// then others.
func (s *Stack) Nodes() []NodeRef {
	n := len(s.Others)
	for _, k := range kinds {
		n += k.count(s)
	}
	nodes := make([]NodeRef, 0, n)
	for _, k := range kinds {
		k.eachNode(s, func(n *Node) { nodes = append(nodes, NodeRef{k.Kind, n}) })
	}
	for _, o := range s.Others {
		nodes = append(nodes, NodeRef{KindOther, &o.Node})
	}
	return nodes
}

// Node returns the node with the ID, if there is one.
func (s *Stack) Node(id string) (NodeRef, bool) {
	for _, n := range s.Nodes() {
		if n.ID == id {
			return n, true
		}
	}
	return NodeRef{}, false
}

// API returns the API with the ID, or nil.
func (s *Stack) API(id string) *API {
	for _, a := range s.APIs {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// Function returns the function with the ID, or nil.
func (s *Stack) Function(id string) *Function {
	for _, f := range s.Functions {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// Table returns the table with the ID, or nil.
func (s *Stack) Table(id string) *Table {
	for _, t := range s.Tables {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Queue returns the queue with the ID, or nil.
func (s *Stack) Queue(id string) *Queue {
	for _, q := range s.Queues {
		if q.ID == id {
			return q
		}
	}
	return nil
}

// Topic returns the topic with the ID, or nil.
func (s *Stack) Topic(id string) *Topic {
	for _, t := range s.Topics {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// StateMachine returns the state machine with the ID, or nil.
func (s *Stack) StateMachine(id string) *StateMachine {
	for _, m := range s.StateMachines {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// RouteTarget returns the wire that integrates the route, or nil.
func (s *Stack) RouteTarget(routeID string) *Wire {
	for _, w := range s.Wires {
		if w.From == routeID && RouteWire(w.Kind) {
			return w
		}
	}
	return nil
}

// Route returns the route with the ID and the API it belongs to, or nils.
func (s *Stack) Route(id string) (*API, *Route) {
	for _, a := range s.APIs {
		for _, r := range a.Routes {
			if r.ID == id {
				return a, r
			}
		}
	}
	return nil, nil
}

// Wire returns the wire with the ID, or nil.
func (s *Stack) Wire(id string) *Wire {
	for _, w := range s.Wires {
		if w.ID == id {
			return w
		}
	}
	return nil
}

// WiresFrom returns the wires of the kind that start at id, in stack order.
func (s *Stack) WiresFrom(id string, kind WireKind) []*Wire {
	var out []*Wire
	for _, w := range s.Wires {
		if w.From == id && w.Kind == kind {
			out = append(out, w)
		}
	}
	return out
}

// WiresTo returns the wires of the kind that end at id, in stack order.
func (s *Stack) WiresTo(id string, kind WireKind) []*Wire {
	var out []*Wire
	for _, w := range s.Wires {
		if w.To == id && w.Kind == kind {
			out = append(out, w)
		}
	}
	return out
}

// RouteHandler returns the function wired to handle the route, or nil.
func (s *Stack) RouteHandler(routeID string) *Function {
	for _, w := range s.WiresFrom(routeID, WireIntegration) {
		if f := s.Function(w.To); f != nil {
			return f
		}
	}
	return nil
}

// AuthorizerFunction returns the function wired as the API's authorizer, or nil.
func (s *Stack) AuthorizerFunction(apiID string) *Function {
	for _, w := range s.WiresTo(apiID, WireAuthorizer) {
		if f := s.Function(w.From); f != nil {
			return f
		}
	}
	return nil
}

// RemoveNode deletes the node with the ID, its routes if it is an API, and
// every wire that touched any of them. It reports whether the node existed.
func (s *Stack) RemoveNode(id string) bool {
	gone := map[string]bool{id: true}
	found := false
	for _, k := range kinds {
		found = k.remove(s, id, gone) || found
	}
	s.Others = slices.DeleteFunc(s.Others, func(o *Other) bool {
		found = found || o.ID == id
		return o.ID == id
	})
	s.Wires = slices.DeleteFunc(s.Wires, func(w *Wire) bool { return gone[w.From] || gone[w.To] })
	return found
}

// RemoveRoute deletes the route with the ID and its wires. It reports whether
// the route existed.
func (s *Stack) RemoveRoute(id string) bool {
	a, _ := s.Route(id)
	if a == nil {
		return false
	}
	a.Routes = slices.DeleteFunc(a.Routes, func(r *Route) bool { return r.ID == id })
	s.Wires = slices.DeleteFunc(s.Wires, func(w *Wire) bool { return w.From == id || w.To == id })
	return true
}

// RemoveWire deletes the wire with the ID and reports whether it existed.
func (s *Stack) RemoveWire(id string) bool {
	n := len(s.Wires)
	s.Wires = slices.DeleteFunc(s.Wires, func(w *Wire) bool { return w.ID == id })
	return len(s.Wires) != n
}
