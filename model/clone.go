package model

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of the stack, store fields included; nil slices
// and maps stay nil. It copies field by field rather than through JSON,
// which took milliseconds on a large stack: the store copies a stack on
// every save and load. A field that holds a pointer, slice or map must be
// copied here too; TestCloneSharesNothing fails until it is.
func (s *Stack) Clone() *Stack {
	c := *s
	c.APIs = cloneEach(s.APIs, func(a *API) *API {
		c := *a
		c.Routes = cloneEach(a.Routes, func(r *Route) *Route { c := *r; c.Kept = cloneKept(r.Kept); return &c })
		c.Kept = cloneKept(a.Kept)
		if a.Authorizer != nil {
			au := *a.Authorizer
			au.IdentitySources = slices.Clone(au.IdentitySources)
			c.Authorizer = &au
		}
		return &c
	})
	c.Functions = cloneEach(s.Functions, func(f *Function) *Function {
		c := *f
		c.Environment = maps.Clone(f.Environment)
		c.Kept = cloneKept(f.Kept)
		return &c
	})
	c.Tables = cloneEach(s.Tables, func(t *Table) *Table {
		c := *t
		if t.SortKey != nil {
			k := *t.SortKey
			c.SortKey = &k
		}
		c.Kept = cloneKept(t.Kept)
		return &c
	})
	c.Wires = cloneEach(s.Wires, func(w *Wire) *Wire { c := *w; return &c })
	c.Others = cloneEach(s.Others, func(o *Other) *Other { c := *o; c.Resource = cloneRaw(o.Resource); return &c })
	c.Sections = cloneFields(s.Sections)
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
