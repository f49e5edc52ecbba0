package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestArrangeSavesOneRevision: Arrange's positions are saved together, as
// one revision, rounded to whole pixels; what a page could not have sent
// (no positions, an ID that is no ID, a node not in the stack, a position
// that is no finite number) is refused and saves nothing.
func TestArrangeSavesOneRevision(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	stack := mustCreate(t, st, "echo", "Echo")
	path := "/stacks/" + strconv.FormatInt(stack.ID, 10) + "/arrange"
	for _, c := range []struct {
		name, positions string
		status          int
		want            string
	}{
		{"nothing", ``, http.StatusBadRequest, "needs a position for each node"},
		{"empty", `{}`, http.StatusBadRequest, "needs a position for each node"},
		{"not JSON", `api1=1,2`, http.StatusBadRequest, "needs a position for each node"},
		{"bad ID", `{"../x": [1, 2]}`, http.StatusBadRequest, "is not a valid node ID"},
		{"unknown node", `{"api1": [1, 2], "fn404": [3, 4]}`, http.StatusNotFound, "fn404"},
		{"too far", `{"api1": [1e300, 2]}`, http.StatusBadRequest, "finite number"},
		{"one coordinate", `{"api1": [1]}`, http.StatusBadRequest, "[x, y]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := send(t, ts, http.MethodPost, path, url.Values{"positions": {c.positions}}, htmxAt(stack.Revision))
			expect(t, resp, body, c.status, c.want)
			if h := head(t, st, stack.ID); h.Revision != stack.Revision {
				t.Fatalf("a refused arrange saved revision %d", h.Revision)
			}
		})
	}

	now := head(t, st, stack.ID)
	resp, body := send(t, ts, http.MethodPost, path, url.Values{"positions": {`{"api1": [40.4, 60.6], "fn3": [400, 60]}`}}, htmxAt(now.Revision))
	expect(t, resp, body, http.StatusOK)
	after := head(t, st, stack.ID)
	if after.Revision != now.Revision+1 {
		t.Fatalf("arrange went from revision %d to %d, want one revision", now.Revision, after.Revision)
	}
	if p := after.APIs[0].Position; p != (model.Position{X: 40, Y: 61}) {
		t.Fatalf("the API is at %v, want 40,61", p)
	}
	if p := after.Functions[0].Position; p != (model.Position{X: 400, Y: 60}) {
		t.Fatalf("the function is at %v, want 400,60", p)
	}
}
