package web

import "github.com/switchboard-dev/switchboard/internal/model"

// eventNode is the node of a bus, rule, bucket or stream panel, or nil.
func (p PanelView) eventNode() *model.Node {
	switch {
	case p.Bus != nil:
		return &p.Bus.Node
	case p.Rule != nil:
		return &p.Rule.Node
	case p.Bucket != nil:
		return &p.Bucket.Node
	case p.Stream != nil:
		return &p.Stream.Node
	}
	return nil
}

// wiresOfKindFrom counts the wires of a kind that start at id.
func wiresOfKindFrom(s *model.Stack, id string, kind model.WireKind) int {
	n := 0
	for _, w := range s.Wires {
		if w.From == id && w.Kind == kind {
			n++
		}
	}
	return n
}
