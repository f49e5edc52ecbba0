package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// ParseStack decodes a stack document, refusing unknown fields so a typo is
// reported rather than silently dropped, and applies the defaults.
func ParseStack(data []byte) (*Stack, error) {
	var s Stack
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, Errorf(EINVALID, "stack document: %v", err)
	}
	if dec.More() {
		return nil, Errorf(EINVALID, "stack document: unexpected data after the stack")
	}
	if err := s.CheckShape(); err != nil {
		return nil, err
	}
	s.ApplyDefaults()
	return &s, nil
}

// CheckShape refuses null entries in a stack's lists ("apis": [null]),
// which would otherwise reach Validate and the exporter as nil pointers.
// ParseStack calls it; code handed a stack from elsewhere calls it first.
func (s *Stack) CheckShape() error {
	null := func(list string, i int) error {
		return Errorf(EINVALID, "stack document: %s[%d] is null", list, i)
	}
	// An ID that could steer a URL is refused here, before any of it is
	// stored or rendered, not merely reported as a problem.
	badID := func(list string, i int, id string) error {
		return Errorf(EINVALID, "stack document: %s[%d] has id %q; an id is a letter then up to 63 letters, digits, _ or -", list, i, id)
	}
	for i, a := range s.APIs {
		if a == nil {
			return null("apis", i)
		}
		if !ValidID(a.ID) {
			return badID("apis", i, a.ID)
		}
		for j, r := range a.Routes {
			if r == nil {
				return null(fmt.Sprintf("apis[%d].routes", i), j)
			}
			if !ValidID(r.ID) {
				return badID(fmt.Sprintf("apis[%d].routes", i), j, r.ID)
			}
		}
	}
	for i, f := range s.Functions {
		if f == nil {
			return null("functions", i)
		}
		if !ValidID(f.ID) {
			return badID("functions", i, f.ID)
		}
	}
	for i, t := range s.Tables {
		if t == nil {
			return null("tables", i)
		}
		if !ValidID(t.ID) {
			return badID("tables", i, t.ID)
		}
	}
	for _, nodes := range []struct {
		field string
		ids   []string
		nils  int
	}{shapeOf("queues", s.Queues, func(q *Queue) string { return q.ID }),
		shapeOf("topics", s.Topics, func(t *Topic) string { return t.ID }),
		shapeOf("stateMachines", s.StateMachines, func(m *StateMachine) string { return m.ID }),
		shapeOf("buses", s.Buses, func(b *Bus) string { return b.ID }),
		shapeOf("rules", s.Rules, func(r *Rule) string { return r.ID }),
		shapeOf("buckets", s.Buckets, func(b *Bucket) string { return b.ID }),
		shapeOf("streams", s.Streams, func(t *Stream) string { return t.ID }),
		shapeOf("layers", s.Layers, func(l *Layer) string { return l.ID }),
		shapeOf("usagePlans", s.UsagePlans, func(p *UsagePlan) string { return p.ID }),
		shapeOf("domains", s.Domains, func(d *Domain) string { return d.ID })} {
		if nodes.nils >= 0 {
			return null(nodes.field, nodes.nils)
		}
		for i, id := range nodes.ids {
			if !ValidID(id) {
				return badID(nodes.field, i, id)
			}
		}
	}
	for i, p := range s.UsagePlans {
		if slices.Contains(p.Keys, nil) {
			return null("usagePlans["+strconv.Itoa(i)+"].keys", slices.Index(p.Keys, nil))
		}
	}
	for i, w := range s.Wires {
		if w == nil {
			return null("wires", i)
		}
		if !ValidID(w.ID) {
			return badID("wires", i, w.ID)
		}
	}
	for i, o := range s.Others {
		if o == nil {
			return null("others", i)
		}
	}
	return nil
}

// Sorted returns the keys of m in order; exported templates and problem
// lists depend on it to be deterministic.
func Sorted[V any](m map[string]V) []string { return sortedKeys(m) }

// shapeOf lists the IDs of a kind's nodes, and the index of the first nil
// node (-1 for none).
func shapeOf[T any](field string, nodes []*T, id func(*T) string) (out struct {
	field string
	ids   []string
	nils  int
}) {
	out.field, out.nils = field, -1
	for i, n := range nodes {
		if n == nil {
			out.nils = i
			return out
		}
		out.ids = append(out.ids, id(n))
	}
	return out
}
