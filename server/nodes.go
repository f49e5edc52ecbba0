package server

import (
	"net/http"
	"strconv"

	"github.com/switchboard-dev/switchboard/model"
	"github.com/switchboard-dev/switchboard/web"
)

// Default names of new nodes; Stack.NewName numbers them when taken.
var newNodeNames = map[model.Kind]string{
	model.KindAPI:      "WebSocketApi",
	model.KindFunction: "Function",
	model.KindTable:    "Table",
}

// handleNodeCreate adds a node of a kind where it was dropped, or at a free
// spot when it came from the keyboard, and selects it.
func (s *Server) handleNodeCreate(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	kind := model.Kind(r.FormValue("kind"))
	var id string
	st, err := s.edit(r, func(st *model.Stack) error {
		base, ok := newNodeNames[kind]
		if !ok {
			return model.Errorf(model.EINVALID, "Unknown kind of resource %q; choose api, function or table.", kind)
		}
		pos, err := dropPosition(r, st)
		if err != nil {
			return err
		}
		name := st.NewName(base)
		switch kind {
		case model.KindAPI:
			id = st.NewID("api")
			a := model.NewAPI(id, name)
			a.Position = pos
			st.APIs = append(st.APIs, a)
		case model.KindFunction:
			id = st.NewID("fn")
			f := model.NewFunction(id, name)
			f.Position = pos
			st.Functions = append(st.Functions, f)
		case model.KindTable:
			id = st.NewID("tbl")
			t := model.NewTable(id, name)
			t.Position = pos
			st.Tables = append(st.Tables, t)
		}
		return nil
	})
	if err != nil {
		s.editFailed(w, r, err)
		return
	}
	s.changed(w, r, st, triggers{"nodeCreated": map[string]string{"id": id}}, web.PanelOOB(web.NodePanel(newPanel(st, id))))
}

// dropPosition is where a new node goes: x and y from the request, or the
// first free cell of a grid.
func dropPosition(r *http.Request, st *model.Stack) (model.Position, error) {
	x, okX, err := formFloat(r, "x")
	if err != nil {
		return model.Position{}, err
	}
	y, okY, err := formFloat(r, "y")
	if err != nil {
		return model.Position{}, err
	}
	if okX && okY {
		return model.Position{X: x, Y: y}, nil
	}
	return freeSpot(st), nil
}

// freeSpot returns the first cell of a grid, row by row, that no node
// overlaps.
func freeSpot(st *model.Stack) model.Position {
	const cellW, cellH = web.NodeWidth + 60, 160
	nodes := st.Nodes()
	for i := 0; ; i++ {
		p := model.Position{X: float64(40 + (i%4)*cellW), Y: float64(40 + (i/4)*cellH)}
		free := true
		for _, n := range nodes {
			h := web.NodeHeight(st, n)
			if n.Position.X < p.X+cellW && n.Position.X+web.NodeWidth+40 > p.X && n.Position.Y < p.Y+cellH && n.Position.Y+h+20 > p.Y {
				free = false
				break
			}
		}
		if free {
			return p
		}
	}
}

// handleNodeMove saves where a node was dragged. It is the most frequent
// request, so it answers 204 with the new revision and renders nothing:
// the browser already drew the node and its wires where they are.
func (s *Server) handleNodeMove(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	st, err := s.moveNode(r)
	if err != nil {
		s.editFailed(w, r, err)
		return
	}
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	w.WriteHeader(http.StatusNoContent)
}

// moveNode reads a move and hands it to the store's move, which skips what a
// full save does and a move cannot need: the move is the canvas's commonest
// request, sent after every drag.
func (s *Server) moveNode(r *http.Request) (*model.Stack, error) {
	id, base, err := editTarget(r)
	if err != nil {
		return nil, err
	}
	x, okX, err := formFloat(r, "x")
	if err != nil {
		return nil, err
	}
	y, okY, err := formFloat(r, "y")
	if err != nil {
		return nil, err
	}
	if !okX || !okY {
		return nil, model.Errorf(model.EINVALID, "A move needs x and y.")
	}
	st, err := s.store.MoveNode(r.Context(), id, base, r.PathValue("nodeID"), model.Position{X: x, Y: y})
	if model.ErrorCode(err) == model.ENOTFOUND {
		// Unknown stack or node alike: the message names no internals.
		return nil, model.Errorf(model.ENOTFOUND, "No such resource.")
	}
	return st, err
}

// handleNodePanel shows a node's properties.
func (s *Server) handleNodePanel(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	id := r.PathValue("nodeID")
	if _, ok := st.Node(id); !ok {
		s.error(w, r, model.Errorf(model.ENOTFOUND, "No such resource."))
		return
	}
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	s.render(w, r, http.StatusOK, web.NodePanel(newPanel(st, id)))
}

// handleNodeDelete removes a node, its routes and every wire touching them.
func (s *Server) handleNodeDelete(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("nodeID")
	st, err := s.edit(r, func(st *model.Stack) error {
		if !st.RemoveNode(id) {
			return model.Errorf(model.ENOTFOUND, "No such resource.")
		}
		return nil
	})
	if err != nil {
		s.editFailed(w, r, err)
		return
	}
	s.changed(w, r, st, triggers{"nodeDeleted": map[string]string{"id": id}}, web.EmptyPanel())
}

// handleNodeSave saves a node's properties form. A change the model refuses
// is not saved: the form comes back, 422, with each problem next to its
// field and the values as the user sent them.
func (s *Server) handleNodeSave(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("nodeID")
	var form *nodeForm
	st, err := s.edit(r, func(st *model.Stack) error {
		if _, ok := st.Node(id); !ok {
			return model.Errorf(model.ENOTFOUND, "No such resource.")
		}
		form = parseNodeForm(r, st, id)
		if len(form.errors) > 0 {
			return errFormInvalid
		}
		return st.ValidateDraft()
	})
	if err == nil {
		p := newPanel(st, id)
		p.EnvRows = form.savedEnvRows()
		p.Saved = true
		s.changed(w, r, st, nil, web.NodePanel(p))
		return
	}
	if form == nil || (err != errFormInvalid && problemsOf(err) == nil) {
		s.editFailed(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, web.NodePanel(form.panel(problemsOf(err))))
}
