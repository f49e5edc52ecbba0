package server

import (
	"net/http"
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// handleCanvas shows a stack's canvas. The path names the stack by ID, as
// every link does, or by name, as a person types it.
func (s *Server) handleCanvas(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("stackID")
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		var named *model.Stack
		if named, err = s.store.StackByName(r.Context(), ref); err != nil {
			s.error(w, r, err)
			return
		}
		id = named.ID
	}
	// The problems are checked once per state and kept by the store; the
	// page shows their count, and the list when its tab is shown.
	st, problems, err := s.store.Problems(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	v := web.NewCanvasView(st)
	v.ProblemCount = len(problems)
	if steps, err := s.store.Steps(r.Context(), st.ID); err == nil {
		v.Steps = webSteps(steps)
	}
	s.render(w, r, http.StatusOK, web.CanvasPage(v))
}

// handleUndo makes the previous revision current again.
func (s *Server) handleUndo(w http.ResponseWriter, r *http.Request) { s.step(w, r, -1) }

// handleRedo brings back the revision an undo left.
func (s *Server) handleRedo(w http.ResponseWriter, r *http.Request) { s.step(w, r, +1) }

func (s *Server) step(w http.ResponseWriter, r *http.Request, delta int) {
	if !s.readForm(w, r, noForm{}) {
		return
	}
	id, base, err := editTarget(r)
	if err != nil {
		s.error(w, r, &editError{err})
		return
	}
	// Nothing to undo or redo is no error: the button was disabled (a
	// key press may still ask), and nothing happens.
	steps, err := s.store.Steps(r.Context(), id)
	if err != nil {
		s.error(w, r, &editError{err})
		return
	}
	// A stale tab (another base) is told so by the store's conflict.
	if steps.Revision == base && ((delta < 0 && !steps.CanUndo) || (delta > 0 && !steps.CanRedo)) {
		w.Header().Set(headerSteps, webSteps(steps).Header())
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// The state the page shows, to answer with what the step changes.
	before, err := s.store.Stack(r.Context(), id)
	if err != nil {
		s.error(w, r, &editError{err})
		return
	}
	var st *model.Stack
	if delta < 0 {
		st, err = s.store.Undo(r.Context(), id, base)
	} else {
		st, err = s.store.Redo(r.Context(), id, base)
	}
	if err != nil {
		s.error(w, r, &editError{err})
		return
	}
	if rec := editRecordOf(r); rec != nil && before.Revision == base {
		rec.before = before
		if _, problems, err := s.store.Problems(r.Context(), id); err == nil {
			rec.problems = &problems
		}
	}
	s.changed(w, r, st, triggers{"stackReloaded": true}, web.PanelOOB(web.EmptyPanel()))
}
