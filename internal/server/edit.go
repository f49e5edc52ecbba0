package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
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
				s.error(w, r, badRequest("%s", invalidIDMessage(what, id)))
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

// loadProblems returns the stack the path names and its problems, checked
// once per state by the store, or answers with the error.
func (s *Server) loadProblems(w http.ResponseWriter, r *http.Request) (*model.Stack, []model.Problem, bool) {
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return nil, nil, false
	}
	st, problems, err := s.store.Problems(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return nil, nil, false
	}
	return st, problems, true
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

// edit applies change to the stack the path names, through the store's
// Edit: the request must name the head revision as its base, or nothing is
// written and the error is ECONFLICT; change returns an error to refuse the
// edit; the result must pass ValidateDraft. It returns the saved stack and
// its problems. Its errors are editErrors, answered in the canvas's terms.
//
// opts say what the edit does (store.Describe), for Undo and Redo to name.
func (s *Server) edit(r *http.Request, change func(st *model.Stack) error, opts ...store.EditOption) (*model.Stack, []model.Problem, error) {
	id, base, err := editTarget(r)
	if err != nil {
		return nil, nil, &editError{err}
	}
	rec := editRecordOf(r)
	st, problems, err := s.store.Edit(r.Context(), id, base, func(st *model.Stack) error {
		if rec != nil {
			// The state the page shows (the request's base): the answer
			// sends what differs from it.
			rec.before = st.Clone()
		}
		return change(st)
	}, opts...)
	if err != nil {
		return nil, nil, &editError{err}
	}
	if rec != nil {
		rec.problems = &problems
		if st.Revision != base+1 {
			// Merged with what was saved since the page's revision: the
			// page may show either, so it gets the whole canvas.
			rec.before = nil
		}
	}
	return st, problems, nil
}

// changed answers a successful structural edit: main (the request's own
// target, if any), then what changed on the canvas out of band (or the
// whole canvas when the state before is unknown), the problem count, the
// new revision and the stackChanged event, on which the template and
// problems tabs refresh when shown (canvas/lazytabs.js).
func (s *Server) changed(w http.ResponseWriter, r *http.Request, st *model.Stack, t triggers, parts ...templ.Component) {
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	s.live.notify(st.ID, st.Revision)
	if t == nil {
		t = triggers{}
	}
	t["stackChanged"] = true
	t.set(w)
	s.setSteps(w, r, st.ID)
	rec := editRecordOf(r)
	if rec != nil && rec.before != nil {
		parts = append(parts, web.CanvasChangesOOB(web.DiffCanvas(rec.before, st)))
	} else {
		parts = append(parts, web.CanvasOOB(web.NewCanvasView(st)))
	}
	if rec != nil && rec.problems != nil {
		parts = append(parts, web.ProblemCount(len(*rec.problems)))
	}
	s.render(w, r, http.StatusOK, web.Fragments(parts...))
}

// editRecord is what s.edit learns during a request that changed() needs:
// the stack as it was before the edit, and the problems after it.
type editRecord struct {
	before   *model.Stack
	problems *[]model.Problem
}

type editRecordKey struct{}

// recordEdits gives each request about a stack an editRecord.
func recordEdits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), editRecordKey{}, &editRecord{})))
	})
}

func editRecordOf(r *http.Request) *editRecord {
	rec, _ := r.Context().Value(editRecordKey{}).(*editRecord)
	return rec
}

// headerSteps carries what Undo and Redo would do after an edit
// (web.Steps.Header), for canvas/history.js to label and enable the
// buttons: a move answers 204, so this cannot be a fragment.
const headerSteps = "X-Switchboard-Steps"

// setSteps sets headerSteps for the stack.
func (s *Server) setSteps(w http.ResponseWriter, r *http.Request, id int64) {
	steps, err := s.store.Steps(r.Context(), id)
	if err != nil {
		// The buttons keep their state; the edit itself went through.
		s.log.WarnContext(r.Context(), "undo steps", slog.Int64("stack", id), slog.Any("error", err))
		return
	}
	w.Header().Set(headerSteps, webSteps(steps).Header())
}

// webSteps is steps as the canvas page renders them.
func webSteps(steps store.Steps) web.Steps {
	return web.Steps{CanUndo: steps.CanUndo, CanRedo: steps.CanRedo, Undo: steps.Undo, Redo: steps.Redo}
}
