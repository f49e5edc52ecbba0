package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// requestError is a request refused before it reaches the model: a body
// too large or unreadable, an ID no page could have sent. It carries its
// own status.
type requestError struct {
	status  int
	message string
}

func (e *requestError) Error() string { return e.message }

// editError is the failure of an edit of a stack on the canvas, which is
// answered in the canvas's terms (see error).
type editError struct{ err error }

func (e *editError) Error() string { return e.err.Error() }
func (e *editError) Unwrap() error { return e.err }

// badRequest refuses a request the app's own pages would not send: 400.
func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

// statusCodes is the status of each model error code (wtf http/http.go).
var statusCodes = map[string]int{
	model.ECONFLICT: http.StatusConflict,
	model.EINVALID:  http.StatusUnprocessableEntity,
	model.ENOTFOUND: http.StatusNotFound,
	model.EINTERNAL: http.StatusInternalServerError,
}

// failure is what a failed request is answered with. Every handler's error
// goes through failureOf, the one place that decides it.
type failure struct {
	status  int
	message string
	// internal marks an error that is not the user's to fix: it is logged,
	// and its text (paths, SQL) is not shown.
	internal bool
	// cancelled marks a request that has gone or run out of time: pages
	// cannot render under its context.
	cancelled bool
}

// failureOf maps an error to its status and message.
func failureOf(err error) failure {
	var req *requestError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &req):
		return failure{status: req.status, message: req.message}
	case errors.As(err, &tooBig):
		return failure{status: http.StatusRequestEntityTooLarge,
			message: fmt.Sprintf("The request is too large; the limit is %s.", sizeText(tooBig.Limit))}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return failure{status: http.StatusServiceUnavailable, message: "The request was cancelled before it finished.", cancelled: true}
	case errors.Is(err, store.ErrStorage):
		// A full disk or a read-only database: the message says which,
		// and the page and its unsaved change are still there to retry.
		return failure{status: http.StatusServiceUnavailable, message: model.ErrorMessage(err), internal: true}
	}
	code := model.ErrorCode(err)
	status, ok := statusCodes[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return failure{status: status, message: problemText(err), internal: code == model.EINTERNAL}
}

// sizeText says a byte count in whole MB or KB.
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n>>10, 10) + " KB"
}

// conflictMessage is what a stale tab is told.
const conflictMessage = "This stack was changed in another tab or window. The canvas now shows the latest state; your change was not applied."

// error answers a failed request; every handler's failure ends here. An
// edit of a stack (editError) that is refused as stale gets the
// fresh canvas, so the stale tab catches up without losing the other tab's
// work; one the model refuses becomes a message on the page. Anything else
// is an error page. Only internal errors are logged: the others are the
// user's to fix and are shown to them as they are.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	f := s.failed(r, err)
	if f.cancelled {
		http.Error(w, f.message, f.status)
		return
	}
	var edit *editError
	if errors.As(err, &edit) {
		switch model.ErrorCode(err) {
		case model.ECONFLICT:
			var mc *model.MergeConflictError
			if errors.As(err, &mc) {
				s.mergeConflict(w, r, mc)
				return
			}
			s.conflict(w, r)
			return
		case model.EINVALID:
			w.Header().Set("HX-Reswap", "none")
			triggers{}.message(levelError, f.message).set(w)
			if isHTMX(r) {
				w.WriteHeader(f.status)
				return
			}
		}
	}
	s.render(w, r, f.status, web.ErrorPage(f.status, f.message))
}

// failed is failureOf with the logging every failure gets: internal errors
// at error level, cancelled requests at info. Handlers that show a failure
// inside their own page (a Git job's outcome, the Run panel) use it for the
// status and message; error uses it for the error page.
func (s *Server) failed(r *http.Request, err error) failure {
	f := failureOf(err)
	ctx := context.WithoutCancel(r.Context())
	if f.internal {
		s.log.ErrorContext(ctx, "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	if f.cancelled {
		s.log.InfoContext(ctx, "request cancelled", slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	return f
}

// errorPage answers with an error page of the status and message.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	s.error(w, r, &requestError{status: status, message: message})
}

// conflict answers 409 with the stack as it is now: nodes, wires and
// problem count out of band, the panel cleared, and the new revision.
func (s *Server) conflict(w http.ResponseWriter, r *http.Request) {
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	st, err := s.store.Stack(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	s.setSteps(w, r, id)
	w.Header().Set("HX-Reswap", "none")
	triggers{"stackChanged": true, "stackReloaded": true}.message(levelError, conflictMessage).set(w)
	s.render(w, r, http.StatusConflict, web.Fragments(web.CanvasOOB(web.NewCanvasView(st)), web.PanelOOB(web.ConflictPanel())))
}

// mergeConflict answers 409 to an edit that changed what was saved since
// its revision: the stack as it is now, and in the panel each field with
// the user's value beside the saved one, to pick from (issue 15).
func (s *Server) mergeConflict(w http.ResponseWriter, r *http.Request, mc *model.MergeConflictError) {
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	st, err := s.store.Stack(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set(headerRevision, strconv.FormatInt(st.Revision, 10))
	s.setSteps(w, r, id)
	w.Header().Set("HX-Reswap", "none")
	triggers{"stackChanged": true}.message(levelError, "Changed elsewhere while you edited: pick which value to keep.").set(w)
	s.render(w, r, http.StatusConflict, web.Fragments(web.CanvasOOB(web.NewCanvasView(st)), web.PanelOOB(web.ConflictChoicePanel(web.NewConflictView(st, mc)))))
}

// problemText is the message of an error for a person: a validation
// error's first problem without the "invalid stack" preamble.
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

// problemsOf returns the problems of a validation error, if err is one.
func problemsOf(err error) []model.Problem {
	var v *model.ValidationError
	if errors.As(err, &v) {
		return v.Problems
	}
	return nil
}

// render writes the component into a buffer first, so a failed render
// cannot leave half a page (templ handler.go).
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.log.Error("render failed", slog.String("path", r.URL.Path), slog.Any("error", err))
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
