package server

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/model"
)

// Revision headers. Every edit names the revision it started from, so an
// edit made on a stale view is refused instead of silently overwriting a
// newer one; every answer to an edit names the revision it produced, and
// canvas.js keeps it in #editor's data-revision for the next request.
const (
	headerBaseRevision = "X-Base-Revision"
	headerRevision     = "X-Switchboard-Revision"
)

// isHTMX reports whether htmx sent the request.
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// parseForm parses the request's form. A body over the limit becomes a 413
// and anything else unreadable a 400; both are answered here, and false
// tells the handler to stop.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	err := r.ParseForm()
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge, "The request is too large.")
		return false
	}
	s.errorPage(w, r, http.StatusBadRequest, "The request could not be read.")
	return false
}

// baseRevision returns the revision the request's edit started from: the
// header canvas.js sets, or a form field for plain forms.
func baseRevision(r *http.Request) (int64, error) {
	v := r.Header.Get(headerBaseRevision)
	if v == "" {
		v = r.FormValue("rev")
	}
	if v == "" {
		return 0, model.Errorf(model.EINVALID, "The request does not say which revision it edits; reload the page.")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, model.Errorf(model.EINVALID, "The base revision %q is not a revision; reload the page.", v)
	}
	return n, nil
}

// Message levels for showMessage.
const (
	levelInfo  = "info"
	levelError = "error"
)

// triggers collects the HX-Trigger events of one response (Gitea: a
// response tells the page what changed; listeners refresh themselves).
type triggers map[string]any

func (t triggers) message(level, text string) triggers {
	t["showMessage"] = map[string]string{"level": level, "text": text}
	return t
}

// set writes the HX-Trigger header.
func (t triggers) set(w http.ResponseWriter) {
	if len(t) == 0 {
		return
	}
	data, err := json.Marshal(t)
	if err != nil {
		return
	}
	w.Header().Set("HX-Trigger", string(data))
}

// formFloat reads a coordinate. ok is false when it is absent; a value that
// is not a finite number of sane size is EINVALID.
func formFloat(r *http.Request, name string) (v float64, ok bool, err error) {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return 0, false, nil
	}
	f, perr := strconv.ParseFloat(s, 64)
	if perr != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e6 {
		return 0, false, model.Errorf(model.EINVALID, "%s must be a number of canvas pixels, not %q", name, s)
	}
	return math.Round(f), true, nil
}
