package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

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
			return refuse("Route %s of %s goes to a function, queue, topic, state machine or table, not to %s %s.", rt.Key, a.Name, web.KindLabel(toNode.Kind), toNode.Name)
		}
		if w := st.RouteTarget(rt.ID); w != nil {
			return refuse("Route %s already goes to %s; a route has one integration. Delete that wire first.", rt.Key, endName(st, w.To))
		}
		if rt.Integration.Wireless() {
			return refuse("Route %s is a %s integration, which reaches nothing in the stack; change it in the API's panel first.", rt.Key, rt.Integration.Type)
		}
	} else if n, ok := st.Node(from); ok && n.Kind != model.KindFunction && len(model.WireKindsBetween(n.Kind, toNode.Kind)) > 0 {
		allowed = model.WireKindsBetween(n.Kind, toNode.Kind)
		if toNode.ID == n.ID {
			return refuse("A %s cannot be wired to itself.", web.KindLabel(n.Kind))
		}
	} else if fn := st.Function(from); fn != nil {
		if allowed = model.WireKindsBetween(model.KindFunction, toNode.Kind); len(allowed) == 0 {
			if toNode.ID == fn.ID {
				return refuse("A function cannot be wired to itself.")
			}
			if toNode.Kind == model.KindFunction {
				return refuse("Functions are not wired to functions: wire %s to a table it uses or to an API it sends to.", fn.Name)
			}
			return refuse("A function is wired to the tables and buckets it uses, the queues, topics, buses, state machines and streams it calls, the APIs it sends to and its layers, not to %s %s; to have %s trigger %s, drag from its port to the function.", web.KindLabel(toNode.Kind), toNode.Name, toNode.Name, fn.Name)
		}
	} else if n, ok := st.Node(from); ok {
		if len(model.WireKindsBetween(n.Kind, toNode.Kind)) == 0 && (n.Kind == model.KindQueue || n.Kind == model.KindTopic) {
			return refuse("A %s is wired to the functions it triggers%s, not to %s %s.", web.KindLabel(n.Kind), map[bool]string{true: " or to its dead-letter queue"}[n.Kind == model.KindQueue], web.KindLabel(toNode.Kind), toNode.Name)
		}
		if ends := wireEnds(n.Kind); len(ends) > 0 {
			spec, _ := model.SpecOf(n.Kind)
			return refuse("%s%s is wired to %s, not to %s %s.", strings.ToUpper(spec.Article[:1]), spec.Article[1:], ends, web.KindLabel(toNode.Kind), toNode.Name)
		}
		return refuse("Wires start at a route of an API, a function, a queue or a topic, not at %s %s.", web.KindLabel(n.Kind), n.Name)
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

// wireEnds names the kinds a wire from a node of the kind may end at:
// "a function or a queue".
func wireEnds(from model.Kind) string {
	var ends []string
	for _, r := range model.WireRules {
		if r.From == from {
			spec, ok := model.SpecOf(r.To)
			if end := spec.Article; ok && !slices.Contains(ends, end) {
				ends = append(ends, end)
			}
		}
	}
	return strings.Join(ends, " or ")
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
		if f.Kind != "" {
			if kinds := model.WireAlternatives(wire.Kind); !slices.Contains(kinds, f.Kind) {
				return model.Errorf(model.EINVALID, "This wire can be %v, not %q.", kinds, f.Kind)
			}
			wire.Kind = f.Kind
		}
		if f.Integration != nil {
			_, route := st.Route(wire.From)
			if route == nil {
				return model.Errorf(model.EINVALID, "Only a route's wire has an integration.")
			}
			f.Integration.apply(route, wire.Kind)
		}
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

// endName names a wire's end: a node's name, or an API's route.
func endName(st *model.Stack, id string) string {
	if n, ok := st.Node(id); ok {
		return n.Name
	}
	if a, r := st.Route(id); r != nil {
		return a.Name + " " + r.Key
	}
	return id
}
