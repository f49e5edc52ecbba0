package model

import "slices"

// The bus kind: an EventBridge event bus. Routes put events on it; rules
// wired from it match its events.
func init() {
	registerKind(&KindSpec{
		Kind: KindBus, Order: 71,
		Noun: "bus", Article: "a bus",
		IDPrefix: "bus", BaseName: "Bus",
		add: func(s *Stack, id, name string) *Node {
			b := NewBus(id, name)
			s.Buses = append(s.Buses, b)
			return &b.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, b := range s.Buses {
				fn(b.ID, &b.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, b := range s.Buses {
				fn(&b.Node)
			}
		},
		count:         func(s *Stack) int { return len(s.Buses) },
		applyDefaults: func(*Stack) {},
		check:         func(*validator) {},
		clone: func(dst, src *Stack) {
			dst.Buses = cloneEach(src.Buses, func(b *Bus) *Bus { c := *b; c.Kept = cloneKept(b.Kept); return &c })
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.Buses)
			s.Buses = slices.DeleteFunc(s.Buses, func(b *Bus) bool { return b.ID == id })
			return len(s.Buses) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, b := range src.Buses {
				b.ID = ids.renew(b.ID, "bus")
				b.Kept = forgetLogicalIDs(b.Kept)
				dst.Buses = append(dst.Buses, b)
			}
		},
	})
}

// Bus is an EventBridge event bus, named after the stack and its logical
// ID when deployed.
type Bus struct {
	Node
	// Kept is what an imported template said about the bus that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// NewBus returns a bus.
func NewBus(id, name string) *Bus { return &Bus{Node: Node{ID: id, Name: name}} }
