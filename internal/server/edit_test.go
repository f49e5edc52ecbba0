package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestFormSaveChecksOnce counts how often a properties form save checks the
// stack, with the two requests the page makes after it (the template and
// problems tabs refresh on stackChanged). The save checks the new state once
// and the tabs reuse it; the export checks the stack it renders itself.
// Before the edit service, the same save checked it six times.
func TestFormSaveChecksOnce(t *testing.T) {
	// Not parallel: model.CheckCount counts every check in the process,
	// and parallel tests' checks would land in this one's count.
	ts, st := mustServe(t)
	stack := mustCreate(t, st, "echo", "Echo")
	base := "/stacks/" + strconv.FormatInt(stack.ID, 10)
	before := model.CheckCount()
	resp, body := send(t, ts, http.MethodPost, base+"/nodes/fn3", functionForm("256"), htmxAt(stack.Revision))
	expect(t, resp, body, http.StatusOK, "Saved")
	resp, body = do(t, ts, http.MethodGet, base+"/template?format=yaml", http.Header{"Hx-Request": {"true"}})
	expect(t, resp, body, http.StatusOK, "MemorySize: 256")
	resp, body = do(t, ts, http.MethodGet, base+"/problems", http.Header{"Hx-Request": {"true"}})
	expect(t, resp, body, http.StatusOK, "problem-count")
	if n := model.CheckCount() - before; n > 2 {
		t.Errorf("a form save and the tabs it refreshes checked the stack %d times, want 2 (the save, the export)", n)
	} else {
		t.Logf("checks per form save, tabs included: %d", n)
	}
}

// TestRenameIsAnEdit: renaming goes through the same edit path as the
// canvas: it must name the revision it renames, a stale one is merged (a
// conflicting one refused), and
// a name that changes nothing adds no revision. Before, a rename without a
// revision bypassed the check and saved.
func TestRenameIsAnEdit(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	stack := mustCreate(t, st, "echo", "echo")
	base := "/stacks/" + strconv.FormatInt(stack.ID, 10)

	resp, body := send(t, ts, http.MethodPost, base+"/rename", url.Values{"name": {"renamed"}}, nil)
	expect(t, resp, body, http.StatusBadRequest, "which revision")
	if h := head(t, st, stack.ID); h.Name != "echo" || h.Revision != stack.Revision {
		t.Fatalf("a rename without a revision saved: %q at %d", h.Name, h.Revision)
	}

	resp, body = send(t, ts, http.MethodPost, base+"/nodes/fn3", functionForm("256"), htmxAt(stack.Revision))
	expect(t, resp, body, http.StatusOK)
	// A rename from the revision before that save lands beside it (issue
	// 15: merged); a second rename from the same revision conflicts.
	resp, body = send(t, ts, http.MethodPost, base+"/rename", url.Values{"name": {"renamed"}, "rev": {strconv.FormatInt(stack.Revision, 10)}}, nil)
	expect(t, resp, body, http.StatusSeeOther)
	if h := head(t, st, stack.ID); h.Name != "renamed" || h.Function("fn3").MemorySize != 256 {
		t.Fatalf("stale rename: %q, memory %d", h.Name, h.Function("fn3").MemorySize)
	}
	resp, body = send(t, ts, http.MethodPost, base+"/rename", url.Values{"name": {"other"}, "rev": {strconv.FormatInt(stack.Revision, 10)}}, nil)
	expect(t, resp, body, http.StatusConflict, "changed since this page was loaded")
	if h := head(t, st, stack.ID); h.Name != "renamed" {
		t.Fatalf("a conflicting rename saved %q", h.Name)
	}

	now := head(t, st, stack.ID)
	resp, body = send(t, ts, http.MethodPost, base+"/rename", url.Values{"name": {"renamed"}, "rev": {strconv.FormatInt(now.Revision, 10)}}, nil)
	expect(t, resp, body, http.StatusSeeOther)
	if h := head(t, st, stack.ID); h.Revision != now.Revision {
		t.Fatalf("a rename to the same name added revision %d", h.Revision)
	}
}
