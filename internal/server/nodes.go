package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// handleNodeCreate adds a node of a kind where it was dropped, or at a free
// spot when it came from the keyboard, and selects it.
func (s *Server) handleNodeCreate(w http.ResponseWriter, r *http.Request) {
	var f nodeCreateForm
	if !s.readForm(w, r, &f) {
		return
	}
	var id, name string
	st, problems, err := s.edit(r, func(st *model.Stack) error {
		at := f.At
		switch {
		case f.Placed:
		case f.HasNear:
			at = st.FreeSpotNear(web.Geometry, f.Near)
		default:
			at = st.FreeSpot(web.Geometry)
		}
		var err error
		if f.Kind == model.KindOther {
			id, err = addOther(st, f.Type, at)
		} else {
			id, err = st.AddNode(f.Kind, at)
		}
		if err != nil {
			return err
		}
		n, _ := st.Node(id)
		name = n.Name
		return nil
	}, store.DescribeAfter(func() string { return "add " + name }))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.changed(w, r, st, triggers{"nodeCreated": map[string]string{"id": id}}, web.PanelOOB(web.NodePanel(newPanel(st, problems, id))))
}

// handleNodeMove saves where a node was dragged. It is the most frequent
// request, so it answers 204 with the new revision and renders nothing:
// the browser already drew the node and its wires where they are. The
// store's MoveNode is its Edit for a move, which skips what a full save does
// and a move cannot need.
func (s *Server) handleNodeMove(w http.ResponseWriter, r *http.Request) {
	var f moveForm
	if !s.readForm(w, r, &f) {
		return
	}
	id, base, err := editTarget(r)
	if err != nil {
		s.error(w, r, &editError{err})
		return
	}
	st, err := s.store.MoveNode(r.Context(), id, base, r.PathValue("nodeID"), f.To)
	if model.ErrorCode(err) == model.ENOTFOUND {
		// Unknown stack or node alike: the message names no internals.
		err = model.Errorf(model.ENOTFOUND, "No such resource.")
	}
	if err != nil {
		s.error(w, r, &editError{err})
		return
	}
	s.live.notify(id, st.Revision)
	w.Header().Set(headerSaved, strconv.FormatInt(st.Revision, 10))
	if st.Revision != base+1 && st.Revision != base {
		// Merged with changes made since the page's revision (the one
		// the drag started from): it gets what changed since then, the
		// answer every other view at that revision gets.
		ans, err := s.changesSince(r.Context(), id, base)
		if err != nil {
			s.error(w, r, err)
			return
		}
		s.writeChanges(w, r, base, ans)
		return
	}
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	s.setSteps(w, r, id)
	w.WriteHeader(http.StatusNoContent)
}

// handleNodePanel shows a node's properties.
func (s *Server) handleNodePanel(w http.ResponseWriter, r *http.Request) {
	st, problems, ok := s.loadProblems(w, r)
	if !ok {
		return
	}
	id := r.PathValue("nodeID")
	if _, ok := st.Node(id); !ok {
		s.error(w, r, model.Errorf(model.ENOTFOUND, "No such resource."))
		return
	}
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	s.render(w, r, http.StatusOK, web.NodePanel(newPanel(st, problems, id)))
}

// handleNodeDelete removes a node, its routes and every wire touching them.
func (s *Server) handleNodeDelete(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r, noForm{}) {
		return
	}
	id := r.PathValue("nodeID")
	var name string
	st, _, err := s.edit(r, func(st *model.Stack) error {
		if n, ok := st.Node(id); ok {
			name = n.Name
		}
		if !st.RemoveNode(id) {
			return model.Errorf(model.ENOTFOUND, "No such resource.")
		}
		return nil
	}, store.DescribeAfter(func() string { return "delete " + name }))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.changed(w, r, st, triggers{"nodeDeleted": map[string]string{"id": id}}, web.EmptyPanel())
}

// handleNodeSave saves a node's properties form. A change the model refuses
// is not saved: the form comes back, 422, with each problem next to its
// field and the values as the user sent them.
func (s *Server) handleNodeSave(w http.ResponseWriter, r *http.Request) {
	var props propertiesForm
	if !s.readForm(w, r, &props) {
		return
	}
	id := r.PathValue("nodeID")
	var form *nodeForm
	var was, now string
	var move *web.CodeMove
	sid, _ := stackID(r)
	taken := s.codeFolderTaken(r, sid, id, &props)
	st, problems, err := s.edit(r, func(st *model.Stack) error {
		n, ok := st.Node(id)
		if !ok {
			return model.Errorf(model.ENOTFOUND, "No such resource.")
		}
		was = n.Name
		var wasPath string
		if fn := st.Function(id); fn != nil {
			wasPath = fn.CodePath
		}
		form = props.apply(st, id)
		if len(form.errors) > 0 {
			return errFormInvalid
		}
		move = followName(st, id, was, wasPath, taken)
		n, _ = st.Node(id)
		now = n.Name
		return nil
	}, store.DescribeAfter(func() string {
		if was != now {
			return "rename " + was + " to " + now
		}
		return "edit " + now
	}))
	if err == nil {
		p := newPanel(st, problems, id)
		p.EnvRows = form.savedEnvRows()
		p.Saved = true
		p.CodeMove = move
		s.changed(w, r, st, nil, web.NodePanel(p))
		return
	}
	if form == nil || (!errors.Is(err, errFormInvalid) && problemsOf(err) == nil) {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, web.NodePanel(form.panel(problemsOf(err))))
}
