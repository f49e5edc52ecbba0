package server

import (
	"net/http"

	"github.com/switchboard-dev/switchboard/web"
)

// handleStackIndex lists the stacks.
func (s *Server) handleStackIndex(w http.ResponseWriter, r *http.Request) {
	summaries, err := s.store.Stacks(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	rows := make([]web.StackRow, len(summaries))
	for i, st := range summaries {
		rows[i] = web.StackRow{Name: st.Name, Description: st.Description, Resources: st.Resources, Revision: st.Revision, UpdatedAt: st.UpdatedAt}
	}
	s.render(w, r, http.StatusOK, web.StacksPage(rows))
}
