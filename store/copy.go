package store

import (
	"maps"
	"slices"

	"github.com/switchboard-dev/switchboard/model"
)

// copyStack returns a deep copy of st, nil slices and maps kept nil. It does
// what model.Stack.Clone does without the JSON round trip, which takes
// milliseconds on a large stack. A model field that holds a pointer, slice
// or map must be copied here too; TestCopyStack_SharesNothing fails until it
// is.
func copyStack(st *model.Stack) *model.Stack {
	c := *st
	c.APIs = copyEach(st.APIs, func(a *model.API) *model.API {
		c := *a
		c.Routes = copyEach(a.Routes, func(r *model.Route) *model.Route { c := *r; return &c })
		if a.Authorizer != nil {
			au := *a.Authorizer
			au.IdentitySources = slices.Clone(au.IdentitySources)
			c.Authorizer = &au
		}
		return &c
	})
	c.Functions = copyEach(st.Functions, func(f *model.Function) *model.Function {
		c := *f
		c.Environment = maps.Clone(f.Environment)
		return &c
	})
	c.Tables = copyEach(st.Tables, func(t *model.Table) *model.Table {
		c := *t
		if t.SortKey != nil {
			k := *t.SortKey
			c.SortKey = &k
		}
		return &c
	})
	c.Wires = copyEach(st.Wires, func(w *model.Wire) *model.Wire { c := *w; return &c })
	return &c
}

func copyEach[T any](in []*T, copyOne func(*T) *T) []*T {
	if in == nil {
		return nil
	}
	out := make([]*T, len(in))
	for i, v := range in {
		if v != nil {
			out[i] = copyOne(v)
		}
	}
	return out
}
