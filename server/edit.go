package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"github.com/switchboard-dev/switchboard/model"
	"github.com/switchboard-dev/switchboard/web"
)

// stackID reads {stackID}. A path that is no ID names no stack: 404.
func stackID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("stackID"), 10, 64)
	if err != nil || id < 1 {
		return 0, model.Errorf(model.ENOTFOUND, "No such stack.")
	}
	return id, nil
}

// requireValidID refuses with 400 a request whose path parameter param is
// not a model.ValidID: an ID that could not have come from the canvas, so
// a request built from a hostile one stops here, before any handler uses it.
func (s *Server) requireValidID(param, what string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if id := r.PathValue(param); !model.ValidID(id) {
				s.errorPage(w, r, http.StatusBadRequest, invalidIDMessage(what, id))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// invalidIDMessage says why an ID is refused, quoting it safely.
func invalidIDMessage(what, id string) string {
	return fmt.Sprintf("%q is not a valid %s ID: an ID is a letter followed by up to 63 letters, digits, _ or -.", id, what)
}

// loadStack returns the stack the path names, or answers with the error.
func (s *Server) loadStack(w http.ResponseWriter, r *http.Request) (*model.Stack, bool) {
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return nil, false
	}
	st, err := s.store.Stack(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return nil, false
	}
	return st, true
}

// editTarget reads which stack an edit is for and the revision it was based
// on.
func editTarget(r *http.Request) (id, base int64, err error) {
	if id, err = stackID(r); err != nil {
		return 0, 0, err
	}
	if base, err = baseRevision(r); err != nil {
		return 0, 0, err
	}
	return id, base, nil
}

// edit applies change to the stack the path names and saves the result as
// its next revision. The request must name the head revision as its base;
// if another tab has saved since, nothing is written and the error is
// ECONFLICT. change returns an error to refuse the edit.
func (s *Server) edit(r *http.Request, change func(st *model.Stack) error) (*model.Stack, error) {
	id, base, err := editTarget(r)
	if err != nil {
		return nil, err
	}
	st, err := s.store.Stack(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if st.Revision != base {
		return nil, model.Errorf(model.ECONFLICT, "stack changed since revision %d", base)
	}
	before, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("server: encode stack %d: %w", id, err)
	}
	if err := change(st); err != nil {
		return nil, err
	}
	// A change event that changed nothing (a field typed and typed back,
	// Enter after a change) must not add a revision for undo to walk.
	if after, err := json.Marshal(st); err == nil && bytes.Equal(before, after) {
		return st, nil
	}
	saved, err := s.store.SaveStack(r.Context(), st)
	if err != nil {
		return nil, fmt.Errorf("server: save stack %d: %w", id, err)
	}
	return saved, nil
}

// conflictMessage is what a stale tab is told.
const conflictMessage = "This stack was changed in another tab or window. The canvas now shows the latest state; your change was not applied."

// editFailed answers a refused edit. A conflict sends the fresh canvas, so
// the stale tab catches up without losing the other tab's work; other
// refusals become a message, and only unexpected errors are logged.
func (s *Server) editFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch model.ErrorCode(err) {
	case model.ECONFLICT:
		s.conflict(w, r)
	case model.EINVALID:
		w.Header().Set("HX-Reswap", "none")
		triggers{}.message(levelError, problemText(err)).set(w)
		if isHTMX(r) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			return
		}
		s.errorPage(w, r, http.StatusUnprocessableEntity, problemText(err))
	default:
		s.error(w, r, err)
	}
}

// conflict answers 409 with the stack as it is now: nodes, wires and
// problem count out of band, the panel cleared, and the new revision.
func (s *Server) conflict(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	w.Header().Set("HX-Reswap", "none")
	triggers{"stackChanged": true, "stackReloaded": true}.message(levelError, conflictMessage).set(w)
	s.render(w, r, http.StatusConflict, web.Fragments(web.CanvasOOB(web.NewCanvasView(st)), web.PanelOOB(web.ConflictPanel())))
}

// changed answers a successful structural edit: main (the request's own
// target, if any), then the canvas out of band, the new revision and the
// stackChanged event that refreshes the template and problems tabs.
func (s *Server) changed(w http.ResponseWriter, r *http.Request, st *model.Stack, t triggers, parts ...templ.Component) {
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	if t == nil {
		t = triggers{}
	}
	t["stackChanged"] = true
	t.set(w)
	parts = append(parts, web.CanvasOOB(web.NewCanvasView(st)))
	s.render(w, r, http.StatusOK, web.Fragments(parts...))
}

// problemText is the message of an error for a toast: a validation error's
// problems without the "invalid stack" preamble.
func problemText(err error) string {
	if ps := problemsOf(err); len(ps) > 0 {
		text := ps[0].Message
		if len(ps) > 1 {
			text += fmt.Sprintf(" (and %d more problems)", len(ps)-1)
		}
		return text
	}
	return model.ErrorMessage(err)
}
