package server

import (
	"net/http"
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// Edits of a selection: many nodes (and wires) moved, deleted, duplicated
// or pasted at once, each one revision, so one Undo takes it back.

// selectionForm names the selected nodes and wires: node=fn3&node=tbl4&wire=w9.
type selectionForm struct{ Nodes, Wires []string }

func (f *selectionForm) read(r *http.Request) error {
	f.Nodes, f.Wires = r.Form["node"], r.Form["wire"]
	if len(f.Nodes)+len(f.Wires) == 0 {
		return badRequest("Nothing is selected.")
	}
	for _, ids := range [][]string{f.Nodes, f.Wires} {
		for _, id := range ids {
			if !model.ValidID(id) {
				return badRequest("%s", invalidIDMessage("selected", id))
			}
		}
	}
	return nil
}

// selectionMoveForm moves each of Nodes to the position at the same index:
// node=fn3&x=100&y=40&node=tbl4&x=400&y=40.
type selectionMoveForm struct {
	Nodes []string
	To    []model.Position
}

func (f *selectionMoveForm) read(r *http.Request) error {
	nodes, xs, ys := r.Form["node"], r.Form["x"], r.Form["y"]
	if len(nodes) == 0 || len(xs) != len(nodes) || len(ys) != len(nodes) {
		return badRequest("A move names each node with its x and y.")
	}
	for i, id := range nodes {
		if !model.ValidID(id) {
			return badRequest("%s", invalidIDMessage("node", id))
		}
		p, _, err := position(map[string][]string{"x": {xs[i]}, "y": {ys[i]}})
		if err != nil {
			return err
		}
		f.Nodes = append(f.Nodes, id)
		f.To = append(f.To, p)
	}
	return nil
}

// pasteForm is a fragment from the clipboard (model.ParseFragment reads it),
// to land with its top left At.
type pasteForm struct {
	Fragment []byte
	At       model.Position
	Placed   bool
}

func (f *pasteForm) read(r *http.Request) error {
	f.Fragment = []byte(r.PostForm.Get("fragment"))
	var err error
	f.At, f.Placed, err = position(r.PostForm)
	return err
}

// duplicateOffset is how far a duplicate lands from its original: clear of
// it, close enough to read as its copy.
const duplicateOffset = 40

// handleSelectionMove saves where a selection was dragged: one revision.
// Like a single node's move it answers 204 with the revision; the browser
// already drew everything where it is.
func (s *Server) handleSelectionMove(w http.ResponseWriter, r *http.Request) {
	var f selectionMoveForm
	if !s.readForm(w, r, &f) {
		return
	}
	st, _, err := s.edit(r, func(st *model.Stack) error {
		for i, id := range f.Nodes {
			n, ok := st.Node(id)
			if !ok {
				return model.Errorf(model.ENOTFOUND, "No such resource.")
			}
			n.Position = f.To[i]
		}
		return nil
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	w.WriteHeader(http.StatusNoContent)
}

// handleSelectionDelete removes the selected nodes, with their wires, and
// the selected wires.
func (s *Server) handleSelectionDelete(w http.ResponseWriter, r *http.Request) {
	var f selectionForm
	if !s.readForm(w, r, &f) {
		return
	}
	st, _, err := s.edit(r, func(st *model.Stack) error {
		for _, id := range f.Wires {
			// A wire may already have gone with a selected node's.
			st.RemoveWire(id)
		}
		for _, id := range f.Nodes {
			if !st.RemoveNode(id) {
				return model.Errorf(model.ENOTFOUND, "No such resource.")
			}
		}
		return nil
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.changed(w, r, st, triggers{"selectionDeleted": true}, web.PanelOOB(web.EmptyPanel()))
}

// handleSelectionDuplicate copies the selected nodes, and the wires between
// them, next to themselves, and selects the copies.
func (s *Server) handleSelectionDuplicate(w http.ResponseWriter, r *http.Request) {
	var f selectionForm
	if !s.readForm(w, r, &f) {
		return
	}
	var ids []string
	st, _, err := s.edit(r, func(st *model.Stack) error {
		frag, err := st.Fragment(f.Nodes)
		if err != nil {
			return err
		}
		at := frag.TopLeft()
		ids, err = st.Paste(frag, model.Position{X: at.X + duplicateOffset, Y: at.Y + duplicateOffset})
		return err
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.pasted(w, r, st, ids)
}

// handleFragment answers the selected nodes as a fragment for the
// clipboard.
func (s *Server) handleFragment(w http.ResponseWriter, r *http.Request) {
	var f selectionForm
	if !s.readForm(w, r, &f) {
		return
	}
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	frag, err := st.Fragment(f.Nodes)
	if err == nil && len(f.Nodes) == 0 {
		err = model.Errorf(model.EINVALID, "Select a node to copy; a wire is copied with the nodes at its ends.")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	data, err := model.MarshalFragment(frag)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

// handlePaste adds a fragment from the clipboard as new nodes, at the
// place asked or next to where the fragment was copied from, and selects
// them. The fragment is untrusted: model.ParseFragment and the store's
// validation decide what of it may become part of the stack.
func (s *Server) handlePaste(w http.ResponseWriter, r *http.Request) {
	var f pasteForm
	if !s.readForm(w, r, &f) {
		return
	}
	frag, err := model.ParseFragment(f.Fragment)
	if err != nil {
		s.error(w, r, &editError{err})
		return
	}
	var ids []string
	st, _, err := s.edit(r, func(st *model.Stack) error {
		at := f.At
		if !f.Placed {
			at = frag.TopLeft()
			at.X += duplicateOffset
			at.Y += duplicateOffset
		}
		var perr error
		ids, perr = st.Paste(frag, at)
		return perr
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.pasted(w, r, st, ids)
}

// pasted answers a duplicate or paste: the canvas, and the new nodes for
// the page to select.
func (s *Server) pasted(w http.ResponseWriter, r *http.Request, st *model.Stack, ids []string) {
	s.changed(w, r, st, triggers{"nodesPasted": map[string][]string{"ids": ids}}, web.PanelOOB(web.EmptyPanel()))
}
