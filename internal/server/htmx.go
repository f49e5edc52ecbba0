package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Revision headers. Every edit names the revision it started from, so an
// edit made on a stale view is refused instead of silently overwriting a
// newer one; every answer to an edit names the revision it produced, and
// canvas.js keeps it in #editor's data-revision for the next request.
const (
	headerBaseRevision = "X-Base-Revision"
	headerRevision     = "X-Switchboard-Revision"
	// headerSaved names the revision a move saved, which a merged move's
	// answer (the head) may be past.
	headerSaved = "X-Switchboard-Saved"
)

// isHTMX reports whether htmx sent the request.
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

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
