package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestSelectionEditsAreOneRevision: moving, duplicating and deleting many
// nodes each adds one revision, which one undo takes back.
func TestSelectionEditsAreOneRevision(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	stack := mustCreate(t, st, "chat", "chat")
	base := "/stacks/" + strconv.FormatInt(stack.ID, 10)

	resp, body := send(t, ts, http.MethodPost, base+"/selection/move",
		url.Values{"node": {"fn6", "tbl9"}, "x": {"700", "900"}, "y": {"20", "40"}}, htmxAt(stack.Revision))
	expect(t, resp, body, http.StatusNoContent)
	h := head(t, st, stack.ID)
	if h.Revision != stack.Revision+1 || h.Function("fn6").Position != (model.Position{X: 700, Y: 20}) || h.Table("tbl9").Position != (model.Position{X: 900, Y: 40}) {
		t.Fatalf("after the move: revision %d, fn6 %+v, tbl9 %+v", h.Revision, h.Function("fn6").Position, h.Table("tbl9").Position)
	}

	resp, body = send(t, ts, http.MethodPost, base+"/selection/duplicate", url.Values{"node": {"fn8", "tbl9"}}, htmxAt(h.Revision))
	expect(t, resp, body, http.StatusOK, "SendHandler2", "Connections2")
	pasted, _ := triggerOf(t, resp)["nodesPasted"].(map[string]any)
	if ids, _ := pasted["ids"].([]any); len(ids) != 2 {
		t.Fatalf("nodesPasted = %v, want the two copies", pasted)
	}
	h2 := head(t, st, stack.ID)
	if h2.Revision != h.Revision+1 || len(h2.Functions) != 4 || len(h2.Tables) != 2 || len(h2.Wires) != len(h.Wires)+1 {
		t.Fatalf("after duplicate: revision %d, %d functions, %d tables, %d wires", h2.Revision, len(h2.Functions), len(h2.Tables), len(h2.Wires))
	}
	resp, body = send(t, ts, http.MethodPost, base+"/undo", nil, htmxAt(h2.Revision))
	expect(t, resp, body, http.StatusOK)
	if u := head(t, st, stack.ID); len(u.Functions) != 3 || len(u.Tables) != 1 {
		t.Fatalf("one undo left %d functions and %d tables, want the duplicate gone", len(u.Functions), len(u.Tables))
	}

	u := head(t, st, stack.ID)
	resp, body = send(t, ts, http.MethodPost, base+"/selection/delete", url.Values{"node": {"fn6", "fn7"}, "wire": {"w16", "w14"}}, htmxAt(u.Revision))
	expect(t, resp, body, http.StatusOK)
	d := head(t, st, stack.ID)
	if d.Revision != u.Revision+1 || len(d.Functions) != 1 || d.Wire("w16") != nil || len(d.Wires) != 2 {
		t.Fatalf("after delete: revision %d, functions %d, wires %+v", d.Revision, len(d.Functions), d.Wires)
	}

	// From a stale base revision, deleting what changed since is a
	// conflict that changes nothing; deleting what did not lands.
	if _, err := st.MoveNode(context.Background(), stack.ID, d.Revision, "tbl9", model.Position{X: 1, Y: 2}); err != nil {
		t.Fatal(err)
	}
	resp, _ = send(t, ts, http.MethodPost, base+"/selection/delete", url.Values{"node": {"tbl9"}}, htmxAt(d.Revision))
	if resp.StatusCode != http.StatusConflict || head(t, st, stack.ID).Table("tbl9") == nil {
		t.Fatalf("a stale delete of a moved table: status %d", resp.StatusCode)
	}
	resp, _ = send(t, ts, http.MethodPost, base+"/selection/delete", url.Values{"node": {"fn8"}}, htmxAt(d.Revision))
	if h := head(t, st, stack.ID); resp.StatusCode != http.StatusOK || h.Function("fn8") != nil || h.Table("tbl9").Position.X != 1 {
		t.Fatalf("a stale delete of an unchanged function: status %d", resp.StatusCode)
	}
	// An ID that could steer a URL is refused before anything is read.
	resp, body = send(t, ts, http.MethodPost, base+"/selection/delete", url.Values{"node": {"../x"}}, htmxAt(d.Revision))
	expect(t, resp, body, http.StatusBadRequest, "not a valid")
}

// TestCopyPasteBetweenStacks: the fragment a copy answers pastes into
// another stack as new nodes with their wires, one revision.
func TestCopyPasteBetweenStacks(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	chat := mustCreate(t, st, "chat", "chat")
	echo := mustCreate(t, st, "echo", "echo")
	resp, frag := do(t, ts, http.MethodGet, "/stacks/"+strconv.FormatInt(chat.ID, 10)+"/fragment?node=fn8&node=tbl9&node=api1", nil)
	expect(t, resp, frag, http.StatusOK, `"format":"switchboard.fragment"`, "SendHandler")
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("fragment Content-Type = %q", ct)
	}
	base := "/stacks/" + strconv.FormatInt(echo.ID, 10)
	resp, body := send(t, ts, http.MethodPost, base+"/paste", url.Values{"fragment": {frag}, "x": {"600"}, "y": {"300"}}, htmxAt(echo.Revision))
	expect(t, resp, body, http.StatusOK, "SendHandler", "ChatApi")
	h := head(t, st, echo.ID)
	if h.Revision != echo.Revision+1 || len(h.Functions) != 2 || len(h.Tables) != 1 || len(h.APIs) != 2 || len(h.Wires) != 4 {
		t.Fatalf("after paste: revision %d, %d functions, %d tables, %d APIs, %d wires", h.Revision, len(h.Functions), len(h.Tables), len(h.APIs), len(h.Wires))
	}
	pasted := &model.Stack{APIs: h.APIs[1:], Functions: h.Functions[1:], Tables: h.Tables}
	if tl := pasted.TopLeft(); tl != (model.Position{X: 600, Y: 300}) {
		t.Errorf("pasted nodes' top left is %+v, want the paste point", tl)
	}
	// Pasting again in the same stack names the copies apart.
	resp, body = send(t, ts, http.MethodPost, base+"/paste", url.Values{"fragment": {frag}}, htmxAt(h.Revision))
	expect(t, resp, body, http.StatusOK, "SendHandler2", "ChatApi2", "Connections2")
}

// TestPasteHostileFragment: what another page put on the clipboard is
// refused with a message, or pasted only as new, valid nodes; the stack
// never changes otherwise.
func TestPasteHostileFragment(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	chat := mustCreate(t, st, "chat", "chat")
	base := "/stacks/" + strconv.FormatInt(chat.ID, 10)
	wrap := func(stack string) string {
		return `{"format":"switchboard.fragment","version":1,"stack":` + stack + `}`
	}
	refused := []struct{ name, fragment, message string }{
		{"not a fragment", `<img src=x onerror=alert(1)>`, "no Switchboard resources"},
		{"a name that is no logical ID", wrap(`{"name":"x","tables":[{"id":"t1","name":"<img src=x onerror=alert(1)>"}]}`), "logical ID"},
		{"an ID that steers a URL", wrap(`{"name":"x","tables":[{"id":"../../delete","name":"T"}]}`), "has id"},
		{"a code path outside the repository", wrap(`{"name":"x","functions":[{"id":"f","name":"F","codePath":"../../etc"}]}`), "code path"},
		{"a wire of the wrong kind", wrap(`{"name":"x","functions":[{"id":"f","name":"F"},{"id":"g","name":"G"}],"wires":[{"id":"w","kind":"send","from":"f","to":"g"}]}`), "send wire goes from"},
	}
	for _, c := range refused {
		resp, body := send(t, ts, http.MethodPost, base+"/paste", url.Values{"fragment": {c.fragment}}, htmxAt(chat.Revision))
		msg, _ := triggerOf(t, resp)["showMessage"].(map[string]any)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg["text"].(string), c.message) {
			t.Errorf("%s: status %d, message %v, body %s", c.name, resp.StatusCode, msg, body)
		}
		if h := head(t, st, chat.ID); h.Revision != chat.Revision {
			t.Fatalf("%s: the stack changed to revision %d", c.name, h.Revision)
		}
	}
	// Wires into the stack's own nodes (here: a read-write grant on its
	// table, a route of its API) are not pasted.
	resp, body := send(t, ts, http.MethodPost, base+"/paste", url.Values{"fragment": {wrap(`{"name":"x",
		"functions":[{"id":"f","name":"Thief"}],
		"wires":[{"id":"w1","kind":"read-write","from":"f","to":"tbl9"},{"id":"w2","kind":"integration","from":"rt2","to":"f"}]}`)}}, htmxAt(chat.Revision))
	expect(t, resp, body, http.StatusOK, "Thief")
	h := head(t, st, chat.ID)
	if len(h.Wires) != len(chat.Wires) {
		t.Fatalf("the paste added wires into the stack: %+v", h.Wires[len(chat.Wires):])
	}
}
