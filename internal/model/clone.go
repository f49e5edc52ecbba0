package model

import "slices"

// Clone returns a deep copy of the stack, store fields included; nil slices
// and maps stay nil. It copies field by field rather than through JSON,
// which took milliseconds on a large stack: the store copies a stack on
// every save and load. A field that holds a pointer, slice or map must be
// copied here too; TestCloneSharesNothing fails until it is.
func (s *Stack) Clone() *Stack {
	c := *s
	for _, k := range kinds {
		k.clone(&c, s)
	}
	c.Wires = cloneEach(s.Wires, func(w *Wire) *Wire { c := *w; return &c })
	c.Others = cloneEach(s.Others, func(o *Other) *Other { c := *o; c.Resource = cloneRaw(o.Resource); return &c })
	c.Sections = cloneFields(s.Sections)
	c.Parameters = cloneEach(s.Parameters, func(p *Parameter) *Parameter {
		c := *p
		if p.Default != nil {
			d := *p.Default
			c.Default = &d
		}
		c.AllowedValues = slices.Clone(p.AllowedValues)
		return &c
	})
	c.Environments = cloneEnvironments(s.Environments)
	for _, n := range c.Nodes() {
		n.Params = slices.Clone(n.Params)
	}
	return &c
}

func cloneEach[T any](in []*T, cloneOne func(*T) *T) []*T {
	if in == nil {
		return nil
	}
	out := make([]*T, len(in))
	for i, v := range in {
		if v != nil {
			out[i] = cloneOne(v)
		}
	}
	return out
}
