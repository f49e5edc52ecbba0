package server

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// wireKind decides what a wire drawn from one thing to another means, or
// says in words why it means nothing. from is a route or a function; kind,
// when given, picks between the kinds those ends allow.
func wireKind(st *model.Stack, from, to string, kind model.WireKind) (model.WireKind, error) {
	refuse := func(format string, args ...any) (model.WireKind, error) {
		return "", model.Errorf(model.EINVALID, format, args...)
	}
	toNode, ok := st.Node(to)
	if !ok {
		return refuse("Drop the wire on a function, a table or an API.")
	}
	// What may be drawn is model.WireRules; the checks here only put a
	// refusal in words.
	var allowed []model.WireKind
	if a, rt := st.Route(from); rt != nil {
		if allowed = model.WireKindsBetween(model.KindRoute, toNode.Kind); len(allowed) == 0 {
			return refuse("Route %s of %s can only be handled by a function, not by %s %s.", rt.Key, a.Name, web.KindLabel(toNode.Kind), toNode.Name)
		}
		if h := st.RouteHandler(rt.ID); h != nil {
			return refuse("Route %s already goes to %s; a route invokes one function. Delete that wire first.", rt.Key, h.Name)
		}
	} else if fn := st.Function(from); fn != nil {
		if allowed = model.WireKindsBetween(model.KindFunction, toNode.Kind); len(allowed) == 0 {
			if toNode.ID == fn.ID {
				return refuse("A function cannot be wired to itself.")
			}
			return refuse("Functions are not wired to functions: wire %s to a table it uses or to an API it sends to.", fn.Name)
		}
	} else if n, ok := st.Node(from); ok {
		return refuse("Wires start at a route of an API or at a function, not at %s %s.", web.KindLabel(n.Kind), n.Name)
	} else {
		return refuse("The wire starts nowhere; start it at a route's or a function's port.")
	}
	if kind == "" {
		kind = allowed[0]
	}
	if !slices.Contains(allowed, kind) {
		return refuse("A %s wire cannot go there.", kind)
	}
	for _, w := range st.Wires {
		if w.From == from && w.To == to {
			return refuse("These two are already wired (%s).", w.Kind)
		}
	}
	return kind, nil
}

// handleWireCreate connects two things. A wire that makes no sense is
// refused with a 422 and the reason, shown as a message; the draft wire the
// browser drew disappears because the server's list lacks it.
func (s *Server) handleWireCreate(w http.ResponseWriter, r *http.Request) {
	var f wireForm
	if !s.readForm(w, r, &f) {
		return
	}
	if err := f.ends(); err != nil {
		s.error(w, r, err)
		return
	}
	var id, what string
	st, _, err := s.edit(r, func(st *model.Stack) error {
		kind, err := wireKind(st, f.From, f.To, f.Kind)
		if err != nil {
			return err
		}
		id = st.NewID("w")
		st.Wires = append(st.Wires, &model.Wire{ID: id, Kind: kind, From: f.From, To: f.To})
		what = "wire " + web.DescribeWire(st, st.Wire(id))
		return nil
	}, store.DescribeAfter(func() string { return what }))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.changed(w, r, st, triggers{"wireCreated": map[string]string{"id": id}},
		web.PanelOOB(web.WirePanel(web.WirePanelView{Base: web.StackURL(st.ID), Stack: st, Wire: st.Wire(id)})))
}

// handleWirePanel shows a wire's panel.
func (s *Server) handleWirePanel(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	wire := st.Wire(r.PathValue("wireID"))
	if wire == nil {
		s.error(w, r, model.Errorf(model.ENOTFOUND, "No such wire."))
		return
	}
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	s.render(w, r, http.StatusOK, web.WirePanel(web.WirePanelView{Base: web.StackURL(st.ID), Stack: st, Wire: wire}))
}

// handleWireSave switches a wire between the kinds its ends allow: read or
// read-write, send or authorizer.
func (s *Server) handleWireSave(w http.ResponseWriter, r *http.Request) {
	var f wireForm
	if !s.readForm(w, r, &f) {
		return
	}
	id := r.PathValue("wireID")
	st, _, err := s.edit(r, func(st *model.Stack) error {
		wire := st.Wire(id)
		if wire == nil {
			return model.Errorf(model.ENOTFOUND, "No such wire.")
		}
		if kinds := model.WireAlternatives(wire.Kind); !slices.Contains(kinds, f.Kind) {
			return model.Errorf(model.EINVALID, "This wire can be %v, not %q.", kinds, f.Kind)
		}
		wire.Kind = f.Kind
		return nil
	}, store.Describe("make a wire "+string(f.Kind)))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.changed(w, r, st, nil, web.WirePanel(web.WirePanelView{Base: web.StackURL(st.ID), Stack: st, Wire: st.Wire(id)}))
}

// handleWireDelete removes a wire.
func (s *Server) handleWireDelete(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r, noForm{}) {
		return
	}
	id := r.PathValue("wireID")
	var what string
	st, _, err := s.edit(r, func(st *model.Stack) error {
		if w := st.Wire(id); w != nil {
			what = "delete wire " + web.DescribeWire(st, w)
		}
		if !st.RemoveWire(id) {
			return model.Errorf(model.ENOTFOUND, "No such wire.")
		}
		return nil
	}, store.DescribeAfter(func() string { return what }))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.changed(w, r, st, triggers{"wireDeleted": map[string]string{"id": id}}, web.EmptyPanel())
}
