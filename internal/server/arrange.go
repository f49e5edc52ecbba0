package server

import (
	"net/http"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// handleArrange saves the positions Arrange laid out in the browser (ELK's
// layered layout, web/src/canvas/arrange.js) as one revision, so one Undo
// puts every node back. A node the request does not name stays where it
// is (one added in another tab meanwhile is refused by the revision check
// anyway); a name that is no node of the stack refuses the whole arrange.
func (s *Server) handleArrange(w http.ResponseWriter, r *http.Request) {
	var f arrangeForm
	if !s.readForm(w, r, &f) {
		return
	}
	st, _, err := s.edit(r, func(st *model.Stack) error {
		nodes := map[string]*model.Node{}
		for _, n := range st.Nodes() {
			nodes[n.ID] = n.Node
		}
		for id, p := range f.Positions {
			n, ok := nodes[id]
			if !ok {
				return model.Errorf(model.ENOTFOUND, "No resource %q in this stack.", id)
			}
			n.Position = p
		}
		return nil
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.changed(w, r, st, triggers{"stackArranged": true})
}
