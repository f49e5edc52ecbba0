package server

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"

	"github.com/a-h/templ"

	"github.com/switchboard-dev/switchboard/model"
	"github.com/switchboard-dev/switchboard/store"
	"github.com/switchboard-dev/switchboard/web"
)

// statusCodes maps model error codes to HTTP statuses, in one place (wtf
// http/http.go).
var statusCodes = map[string]int{
	model.ECONFLICT: http.StatusConflict,
	model.EINVALID:  http.StatusUnprocessableEntity,
	model.ENOTFOUND: http.StatusNotFound,
	model.EINTERNAL: http.StatusInternalServerError,
}

// error responds to a failed request. Only internal errors are logged: the
// others are the user's to fix and are shown to them as they are.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := model.ErrorCode(err)
	status, ok := statusCodes[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if errors.Is(err, store.ErrStorage) {
		// A full disk or a read-only database: the message says which,
		// and the page and its unsaved change are still there to retry.
		status = http.StatusServiceUnavailable
	}
	if code == model.EINTERNAL {
		s.log.Error("request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	s.errorPage(w, r, status, model.ErrorMessage(err))
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	s.render(w, r, status, web.ErrorPage(status, message))
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
