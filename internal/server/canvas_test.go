package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// send makes a same-origin request with a form body, as htmx would.
func send(tb testing.TB, ts *httptest.Server, method, path string, form url.Values, header http.Header) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// htmxAt is the header of an htmx edit based on a revision.
func htmxAt(rev int64) http.Header {
	return http.Header{"Hx-Request": {"true"}, "X-Base-Revision": {strconv.FormatInt(rev, 10)}}
}

func mustCreate(tb testing.TB, st *store.Store, example, name string) *model.Stack {
	tb.Helper()
	s := &model.Stack{Name: name}
	if example != "" {
		s, _ = model.Example(example, name)
	}
	created, err := st.CreateStack(context.Background(), s)
	if err != nil {
		tb.Fatal(err)
	}
	return created
}

func head(tb testing.TB, st *store.Store, id int64) *model.Stack {
	tb.Helper()
	s, err := st.Stack(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func expect(tb testing.TB, resp *http.Response, body string, status int, wants ...string) {
	tb.Helper()
	if resp.StatusCode != status {
		tb.Fatalf("status %d, want %d:\n%s", resp.StatusCode, status, body)
	}
	for _, w := range wants {
		if !strings.Contains(body, w) {
			tb.Fatalf("body lacks %q:\n%s", w, body)
		}
	}
}

func triggerOf(tb testing.TB, resp *http.Response) map[string]any {
	tb.Helper()
	var m map[string]any
	if h := resp.Header.Get("HX-Trigger"); h != "" {
		if err := json.Unmarshal([]byte(h), &m); err != nil {
			tb.Fatalf("HX-Trigger %q: %v", h, err)
		}
	}
	return m
}

func TestCanvasPage(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	chat := mustCreate(t, st, "chat", "chat")
	id := strconv.FormatInt(chat.ID, 10)
	for _, path := range []string{"/stacks/" + id, "/stacks/chat"} {
		resp, body := do(t, ts, "GET", path, nil)
		expect(t, resp, body, http.StatusOK, `id="node-api1"`, `id="wire-w10"`, `data-route="rt5"`, `data-revision="1"`,
			// The wire's Bézier, computed on the server.
			`d="M `, `hx-post="/stacks/`+id+`/nodes"`)
		if strings.Contains(body, "style=") {
			t.Fatal("the CSP forbids style attributes; positions go in data-x and data-y")
		}
	}
	for _, path := range []string{"/stacks/999", "/stacks/nope", "/stacks/999/template", "/stacks/999/nodes/api1", "/stacks/" + id + "/nodes/nope", "/stacks/" + id + "/wires/nope"} {
		resp, body := do(t, ts, "GET", path, nil)
		expect(t, resp, body, http.StatusNotFound)
	}
}

func TestStackForms(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	t.Run("Create", func(t *testing.T) {
		resp, body := send(t, ts, "POST", "/stacks", url.Values{"name": {"demo"}, "example": {"echo"}}, nil)
		expect(t, resp, body, http.StatusSeeOther)
		s, err := st.StackByName(context.Background(), "demo")
		if err != nil || len(s.Functions) != 1 || resp.Header.Get("Location") != "/stacks/"+strconv.FormatInt(s.ID, 10) {
			t.Fatalf("created %v, %v, Location %q", s, err, resp.Header.Get("Location"))
		}
	})
	t.Run("CreateWithHTMXRedirectsTheWholePage", func(t *testing.T) {
		resp, _ := send(t, ts, "POST", "/stacks", url.Values{"name": {"blank"}}, http.Header{"Hx-Request": {"true"}})
		if !strings.HasPrefix(resp.Header.Get("HX-Redirect"), "/stacks/") {
			t.Fatalf("HX-Redirect = %q", resp.Header.Get("HX-Redirect"))
		}
	})
	t.Run("InvalidName", func(t *testing.T) {
		resp, body := send(t, ts, "POST", "/stacks", url.Values{"name": {"1 bad"}}, nil)
		expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="create-error"`, "must start with a letter", `value="1 bad"`)
	})
	t.Run("DuplicateName", func(t *testing.T) {
		resp, body := send(t, ts, "POST", "/stacks", url.Values{"name": {"demo"}}, nil)
		expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="create-error"`)
	})
	t.Run("UnknownExample", func(t *testing.T) {
		resp, body := send(t, ts, "POST", "/stacks", url.Values{"name": {"x"}, "example": {"nope"}}, nil)
		expect(t, resp, body, http.StatusUnprocessableEntity, "unknown example")
	})
	demo, _ := st.StackByName(context.Background(), "demo")
	base := "/stacks/" + strconv.FormatInt(demo.ID, 10)
	t.Run("Rename", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/rename", url.Values{"name": {"demo2"}, "rev": {"1"}}, nil)
		expect(t, resp, body, http.StatusSeeOther)
		if head(t, st, demo.ID).Name != "demo2" {
			t.Fatal("not renamed")
		}
		resp, body = send(t, ts, "POST", base+"/rename", url.Values{"name": {"bad name"}, "rev": {"2"}}, nil)
		expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="rename-error"`)
		resp, body = send(t, ts, "POST", base+"/rename", url.Values{"name": {"demo3"}, "rev": {"1"}}, nil)
		expect(t, resp, body, http.StatusConflict, "changed since")
	})
	t.Run("Duplicate", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/duplicate", url.Values{"name": {"copy"}}, nil)
		expect(t, resp, body, http.StatusSeeOther)
		if c, err := st.StackByName(context.Background(), "copy"); err != nil || len(c.Functions) != 1 {
			t.Fatalf("copy: %v %v", c, err)
		}
		resp, body = send(t, ts, "POST", base+"/duplicate", url.Values{"name": {"copy"}}, nil)
		expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="duplicate-error"`)
	})
	t.Run("Delete", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/delete", nil, nil)
		expect(t, resp, body, http.StatusOK, "Delete demo2?")
		resp, body = do(t, ts, "GET", base+"/delete", nil)
		expect(t, resp, body, http.StatusOK, "Delete demo2?")
		resp, body = send(t, ts, "POST", base+"/delete", url.Values{"confirm": {"yes"}}, nil)
		expect(t, resp, body, http.StatusSeeOther)
		if _, err := st.Stack(context.Background(), demo.ID); model.ErrorCode(err) != model.ENOTFOUND {
			t.Fatalf("still there: %v", err)
		}
		resp, body = send(t, ts, "POST", base+"/delete", url.Values{"confirm": {"yes"}}, nil)
		expect(t, resp, body, http.StatusNotFound)
	})
	t.Run("IndexShowsActions", func(t *testing.T) {
		resp, body := do(t, ts, "GET", "/", nil)
		expect(t, resp, body, http.StatusOK, "Rename", "Duplicate", `hx-confirm="Delete stack copy`)
	})
}

func TestNodes(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "", "blank")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)

	t.Run("CreateWhereDropped", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/nodes", url.Values{"kind": {"function"}, "x": {"300"}, "y": {"120.4"}}, htmxAt(1))
		expect(t, resp, body, http.StatusOK, `hx-swap-oob="beforeend:#nodes"`, `data-name="Function"`, `data-x="300"`, `data-y="120"`, `data-testid="node-panel"`)
		if resp.Header.Get("X-Switchboard-Revision") != "2" {
			t.Fatalf("revision header %q", resp.Header.Get("X-Switchboard-Revision"))
		}
		tr := triggerOf(t, resp)
		if tr["stackChanged"] == nil || tr["nodeCreated"].(map[string]any)["id"] != "fn1" {
			t.Fatalf("HX-Trigger %v", tr)
		}
	})
	t.Run("CreateAtAFreeSpotWithUniqueNames", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/nodes", url.Values{"kind": {"function"}}, htmxAt(2))
		expect(t, resp, body, http.StatusOK, `data-name="Function2"`)
		resp, body = send(t, ts, "POST", base+"/nodes", url.Values{"kind": {"api"}}, htmxAt(3))
		expect(t, resp, body, http.StatusOK, `data-name="WebSocketApi"`)
		resp, body = send(t, ts, "POST", base+"/nodes", url.Values{"kind": {"table"}}, htmxAt(4))
		expect(t, resp, body, http.StatusOK, `data-name="Table"`)
		cur := head(t, st, s.ID)
		seen := map[model.Position]bool{}
		for _, n := range cur.Nodes() {
			if seen[n.Position] {
				t.Fatalf("two nodes at %v", n.Position)
			}
			seen[n.Position] = true
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		resp, _ := send(t, ts, "POST", base+"/nodes", url.Values{"kind": {"widget"}}, htmxAt(5))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Header.Get("HX-Trigger"), "Unknown kind") {
			t.Fatalf("unknown kind: %d %q", resp.StatusCode, resp.Header.Get("HX-Trigger"))
		}
		resp, _ = send(t, ts, "POST", base+"/nodes", url.Values{"kind": {"api"}, "x": {"NaN"}, "y": {"1"}}, htmxAt(5))
		expect(t, resp, "", http.StatusUnprocessableEntity)
		resp, _ = send(t, ts, "POST", base+"/nodes", url.Values{"kind": {"api"}}, http.Header{"Hx-Request": {"true"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Header.Get("HX-Trigger"), "revision") {
			t.Fatalf("missing revision: %d %q", resp.StatusCode, resp.Header.Get("HX-Trigger"))
		}
		resp, body := send(t, ts, "POST", "/stacks/999/nodes", url.Values{"kind": {"api"}}, htmxAt(1))
		expect(t, resp, body, http.StatusNotFound)
	})
	t.Run("Move", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/nodes/fn1/move", url.Values{"x": {"500"}, "y": {"40"}}, htmxAt(5))
		expect(t, resp, body, http.StatusNoContent)
		if resp.Header.Get("X-Switchboard-Revision") != "6" || body != "" {
			t.Fatalf("move: rev %q body %q", resp.Header.Get("X-Switchboard-Revision"), body)
		}
		if p := head(t, st, s.ID).Function("fn1").Position; p != (model.Position{X: 500, Y: 40}) {
			t.Fatalf("moved to %v", p)
		}
		resp, body = send(t, ts, "POST", base+"/nodes/nope/move", url.Values{"x": {"1"}, "y": {"1"}}, htmxAt(6))
		expect(t, resp, body, http.StatusNotFound)
		resp, _ = send(t, ts, "POST", base+"/nodes/fn1/move", url.Values{"x": {"1e9"}, "y": {"1"}}, htmxAt(6))
		expect(t, resp, "", http.StatusUnprocessableEntity)
	})
	t.Run("StaleRevisionGetsTheFreshState", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/nodes/fn1/move", url.Values{"x": {"9"}, "y": {"9"}}, htmxAt(3))
		// fn1 was moved since revision 3: both positions are shown, the
		// dragged one to keep.
		expect(t, resp, body, http.StatusConflict, `id="nodes"`, `hx-swap-oob`, `data-x="500"`, `data-testid="conflict-panel"`,
			`data-testid="conflict-mine">x 9, y 9<`, `data-testid="conflict-theirs">x 500, y 40<`, `name="path" value="/functions/fn1/position"`)
		if resp.Header.Get("X-Switchboard-Revision") != "6" || !strings.Contains(resp.Header.Get("HX-Trigger"), "Changed elsewhere") {
			t.Fatalf("conflict headers: %v", resp.Header)
		}
		if p := head(t, st, s.ID).Function("fn1").Position; p.X != 500 {
			t.Fatal("a stale move must not be saved")
		}
	})
	t.Run("Panel", func(t *testing.T) {
		resp, body := do(t, ts, "GET", base+"/nodes/fn1", nil)
		expect(t, resp, body, http.StatusOK, `name="memorySize"`, `name="runtime"`, `name="env.name"`, `data-testid="env-add"`, `name="logRetentionDays"`, `name="logDeletionPolicy"`, `name="codePath"`, `name="handler"`)
		resp, body = do(t, ts, "GET", base+"/nodes/api3", nil)
		expect(t, resp, body, http.StatusOK, `name="routeSelectionExpression"`, `name="apiKeySelectionExpression"`, `name="stageName"`, `id="route-add"`, `name="authorizer"`)
		resp, body = do(t, ts, "GET", base+"/nodes/tbl4", nil)
		expect(t, resp, body, http.StatusOK, `name="partitionKey.name"`, `name="sortKey.name"`, `name="billingMode"`, `name="ttlAttribute"`, `name="deletionPolicy"`)
	})
	t.Run("SaveValidates", func(t *testing.T) {
		form := url.Values{"name": {"Sender"}, "runtime": {"nodejs24.x"}, "handler": {"index.handler"}, "codePath": {"functions/sender"},
			"memorySize": {"64"}, "timeout": {"ten"}, "logRetentionDays": {"30"}, "logDeletionPolicy": {"Retain"},
			"envForm": {"1"}, "env.was": {"", ""}, "env.name": {"LOG_LEVEL", "AWS_REGION"}, "env.value": {"debug", "x"}}
		resp, body := send(t, ts, "POST", base+"/nodes/fn1", form, htmxAt(6))
		expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="error-timeout"`, "whole number", `value="Sender"`)
		form.Set("timeout", "30")
		resp, body = send(t, ts, "POST", base+"/nodes/fn1", form, htmxAt(6))
		expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="error-memorySize"`, `data-testid="error-env-1"`, "reserved")
		if head(t, st, s.ID).Revision != 6 {
			t.Fatal("a refused save must not add a revision")
		}
		form.Set("memorySize", "256")
		form["env.was"], form["env.name"], form["env.value"] = []string{""}, []string{"LOG_LEVEL"}, []string{"debug"}
		resp, body = send(t, ts, "POST", base+"/nodes/fn1", form, htmxAt(6))
		expect(t, resp, body, http.StatusOK, `data-testid="saved"`, `data-name="Sender"`, `hx-swap-oob`)
		f := head(t, st, s.ID).Function("fn1")
		if f.Name != "Sender" || f.MemorySize != 256 || f.Timeout != 30 || f.Environment["LOG_LEVEL"] != "debug" {
			t.Fatalf("saved %+v", f)
		}
		// The same values again change nothing and add no revision.
		resp, _ = send(t, ts, "POST", base+"/nodes/fn1", form, htmxAt(7))
		if resp.StatusCode != http.StatusOK || head(t, st, s.ID).Revision != 7 {
			t.Fatalf("a no-op save: %d, revision %d", resp.StatusCode, head(t, st, s.ID).Revision)
		}
	})
	t.Run("TableAndAPIForms", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/nodes/tbl4", url.Values{"name": {"Connections"}, "partitionKey.name": {"connectionId"}, "partitionKey.type": {"S"},
			"sortKey.name": {""}, "billingMode": {"PROVISIONED"}, "ttlAttribute": {"expires"}, "deletionPolicy": {"Delete"}}, htmxAt(7))
		expect(t, resp, body, http.StatusOK, `name="readCapacity"`)
		tb := head(t, st, s.ID).Table("tbl4")
		if tb.BillingMode != model.BillingProvisioned || tb.ReadCapacity != 5 || tb.TTLAttribute != "expires" || tb.DeletionPolicy != model.DeletionDelete {
			t.Fatalf("table %+v", tb)
		}
		resp, body = send(t, ts, "POST", base+"/nodes/api3", url.Values{"name": {"ChatApi"}, "routeSelectionExpression": {"nope"}, "stageName": {"dev"}}, htmxAt(8))
		expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="error-routeSelectionExpression"`)
		resp, body = send(t, ts, "POST", base+"/nodes/api3", url.Values{"authorizerForm": {"1"}, "authorizer": {"on"}}, htmxAt(8))
		expect(t, resp, body, http.StatusOK, `name="authorizer.identitySources"`)
		if a := head(t, st, s.ID).API("api3"); a.Authorizer == nil {
			t.Fatal("authorizer not added")
		}
	})
}

func TestRoutesAndWires(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "echo", "echo")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	rev := int64(1)
	next := func(resp *http.Response) {
		t.Helper()
		n, err := strconv.ParseInt(resp.Header.Get("X-Switchboard-Revision"), 10, 64)
		if err != nil {
			t.Fatalf("no revision in %v", resp.Header)
		}
		rev = n
	}
	t.Run("AddRoute", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/nodes/api1/routes", url.Values{"key": {"sendMessage"}}, htmxAt(rev))
		expect(t, resp, body, http.StatusOK, `value="sendMessage"`, "has no handler")
		next(resp)
		resp, body = send(t, ts, "POST", base+"/nodes/api1/routes", url.Values{"key": {"sendMessage"}}, htmxAt(rev))
		expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="error-newRoute"`, "used twice")
		resp, body = send(t, ts, "POST", base+"/nodes/api1/routes", url.Values{"key": {"$bogus"}}, htmxAt(rev))
		expect(t, resp, body, http.StatusUnprocessableEntity, "reserved")
		resp, body = send(t, ts, "POST", base+"/nodes/fn3/routes", url.Values{"key": {"x"}}, htmxAt(rev))
		expect(t, resp, body, http.StatusNotFound)
	})
	rt := head(t, st, s.ID).APIs[0].Routes[1]
	t.Run("RenameRoute", func(t *testing.T) {
		form := url.Values{"name": {"EchoApi"}, "routeSelectionExpression": {"$request.body.action"}, "stageName": {"dev"},
			"route.rt2.key": {"test"}, "route.rt2.twoWay": {"on"}, "route." + rt.ID + ".key": {"send"}}
		resp, body := send(t, ts, "POST", base+"/nodes/api1", form, htmxAt(rev))
		expect(t, resp, body, http.StatusOK, `value="send"`)
		next(resp)
		form.Set("route."+rt.ID+".key", "test")
		resp, body = send(t, ts, "POST", base+"/nodes/api1", form, htmxAt(rev))
		expect(t, resp, body, http.StatusUnprocessableEntity, "used twice")
	})
	t.Run("WireRouteToFunction", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/wires", url.Values{"from": {rt.ID}, "to": {"fn3"}}, htmxAt(rev))
		expect(t, resp, body, http.StatusOK, `class="wire wire-integration"`, `data-testid="wire-panel"`)
		next(resp)
		if tr := triggerOf(t, resp); tr["wireCreated"] == nil {
			t.Fatalf("HX-Trigger %v", tr)
		}
	})
	t.Run("NonsenseWiresAreRefused", func(t *testing.T) {
		for _, c := range []struct{ from, to, want string }{
			{rt.ID, "fn3", "already goes to"},
			{rt.ID, "api1", "goes to a function, queue, topic, state machine or table"},
			{"fn3", "fn3", "itself"},
			{"api1", "fn3", "Wires start at a route"},
			{"fn3", "nope", "Drop the wire"},
			{"nope", "fn3", "starts nowhere"},
		} {
			resp, body := send(t, ts, "POST", base+"/wires", url.Values{"from": {c.from}, "to": {c.to}}, htmxAt(rev))
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Header.Get("HX-Trigger"), c.want) || resp.Header.Get("HX-Reswap") != "none" {
				t.Fatalf("%s → %s: %d %q %s", c.from, c.to, resp.StatusCode, resp.Header.Get("HX-Trigger"), body)
			}
		}
	})
	t.Run("SendWireSwitchesToAuthorizer", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/wires", url.Values{"from": {"fn3"}, "to": {"api1"}}, htmxAt(rev))
		expect(t, resp, body, http.StatusOK, "wire-send", `data-testid="wire-kind"`)
		next(resp)
		w := head(t, st, s.ID).Wires[len(head(t, st, s.ID).Wires)-1]
		resp, body = do(t, ts, "GET", base+"/wires/"+w.ID, nil)
		expect(t, resp, body, http.StatusOK, "sends to EchoApi connections")
		resp, body = send(t, ts, "POST", base+"/wires/"+w.ID, url.Values{"kind": {"read"}}, htmxAt(rev))
		expect(t, resp, body, http.StatusUnprocessableEntity)
		resp, body = send(t, ts, "POST", base+"/wires/"+w.ID, url.Values{"kind": {"send"}}, htmxAt(rev))
		expect(t, resp, body, http.StatusOK)
		resp, body = send(t, ts, "DELETE", base+"/wires/"+w.ID, nil, htmxAt(rev))
		expect(t, resp, body, http.StatusOK, "Select a node")
		next(resp)
		resp, body = send(t, ts, "DELETE", base+"/wires/"+w.ID, nil, htmxAt(rev))
		expect(t, resp, body, http.StatusNotFound)
	})
	t.Run("DeleteRouteTakesItsWire", func(t *testing.T) {
		resp, body := send(t, ts, "DELETE", base+"/routes/"+rt.ID, nil, htmxAt(rev))
		expect(t, resp, body, http.StatusOK, `data-testid="node-panel"`)
		next(resp)
		cur := head(t, st, s.ID)
		if len(cur.Wires) != 1 || len(cur.APIs[0].Routes) != 1 {
			t.Fatalf("wires %v routes %v", cur.Wires, cur.APIs[0].Routes)
		}
		resp, body = send(t, ts, "DELETE", base+"/routes/"+rt.ID, nil, htmxAt(rev))
		expect(t, resp, body, http.StatusNotFound)
	})
	t.Run("DeleteNodeTakesItsWires", func(t *testing.T) {
		resp, body := send(t, ts, "DELETE", base+"/nodes/fn3", nil, htmxAt(rev))
		expect(t, resp, body, http.StatusOK, "Select a node")
		next(resp)
		if cur := head(t, st, s.ID); len(cur.Wires) != 0 || len(cur.Functions) != 0 {
			t.Fatalf("left %v %v", cur.Wires, cur.Functions)
		}
		if strings.Contains(body, `id="wire-`) {
			t.Fatal("the canvas still draws a wire")
		}
	})
	t.Run("UndoRedo", func(t *testing.T) {
		resp, body := send(t, ts, "POST", base+"/undo", nil, htmxAt(rev))
		expect(t, resp, body, http.StatusOK, `id="node-fn3"`, `id="wire-w4"`)
		next(resp)
		resp, body = send(t, ts, "POST", base+"/redo", nil, htmxAt(rev))
		expect(t, resp, body, http.StatusOK)
		next(resp)
		if strings.Contains(body, `id="node-fn3"`) {
			t.Fatal("redo should delete the function again")
		}
		// Nothing to redo is no error: nothing happens, and the buttons
		// are told what each would do.
		resp, body = send(t, ts, "POST", base+"/redo", nil, htmxAt(rev))
		expect(t, resp, body, http.StatusNoContent)
		if got := resp.Header.Get("X-Switchboard-Steps"); !strings.Contains(got, "undo=Undo+delete+") || strings.Contains(got, "redo=") || !strings.Contains(got, "redo-title=Nothing+to+redo") {
			t.Fatalf("steps after redoing everything: %q", got)
		}
		if resp.Header.Get("HX-Trigger") != "" {
			t.Fatalf("nothing to redo triggers %q", resp.Header.Get("HX-Trigger"))
		}
		resp, body = send(t, ts, "POST", base+"/undo", nil, htmxAt(1))
		expect(t, resp, body, http.StatusConflict)
	})
}

func TestTemplateAndProblems(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	chat := mustCreate(t, st, "chat", "chat")
	blank := mustCreate(t, st, "", "blank")
	base := "/stacks/" + strconv.FormatInt(chat.ID, 10)
	resp, body := do(t, ts, "GET", base+"/template", nil)
	expect(t, resp, body, http.StatusOK, "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration", `data-format="yaml"`)
	resp, body = do(t, ts, "GET", base+"/template?format=json", nil)
	expect(t, resp, body, http.StatusOK, `&#34;AWSTemplateFormatVersion&#34;`)
	resp, body = do(t, ts, "GET", base+"/template?format=xml", nil)
	expect(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = do(t, ts, "GET", base+"/template.yaml", nil)
	expect(t, resp, body, http.StatusOK, "AWS::ApiGatewayV2::Api")
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="chat.yaml"` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	resp, body = do(t, ts, "GET", base+"/template.json", nil)
	expect(t, resp, body, http.StatusOK, `"AWSTemplateFormatVersion"`)
	resp, body = do(t, ts, "GET", base+"/template.xml", nil)
	expect(t, resp, body, http.StatusNotFound)

	bbase := "/stacks/" + strconv.FormatInt(blank.ID, 10)
	resp, body = do(t, ts, "GET", bbase+"/template", nil)
	expect(t, resp, body, http.StatusOK, `data-testid="template-problems"`, "no resources yet")
	resp, body = do(t, ts, "GET", bbase+"/template.yaml", nil)
	expect(t, resp, body, http.StatusUnprocessableEntity)

	resp, body = do(t, ts, "GET", base+"/problems", nil)
	expect(t, resp, body, http.StatusOK, `data-testid="no-problems"`)
	send(t, ts, "POST", base+"/nodes/api1/routes", url.Values{"key": {"lonely"}}, htmxAt(1))
	resp, body = do(t, ts, "GET", base+"/problems", nil)
	expect(t, resp, body, http.StatusOK, `data-select="node-api1"`, "has no handler")
}

func TestRequestLimits(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "chat", "chat")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	t.Run("OversizedBody", func(t *testing.T) {
		big := url.Values{"description": {strings.Repeat("x", 2<<20)}}
		resp, body := send(t, ts, "POST", base+"/nodes/fn6", big, htmxAt(1))
		expect(t, resp, body, http.StatusRequestEntityTooLarge)
		resp, body = send(t, ts, "POST", "/stacks", big, nil)
		expect(t, resp, body, http.StatusRequestEntityTooLarge)
	})
	t.Run("CrossOriginEditRefused", func(t *testing.T) {
		h := htmxAt(1)
		h.Set("Sec-Fetch-Site", "cross-site")
		h.Set("Origin", "https://evil.example")
		for _, path := range []string{base + "/nodes", base + "/nodes/fn6/move", base + "/wires", base + "/undo", "/stacks"} {
			resp, _ := send(t, ts, "POST", path, url.Values{"kind": {"api"}, "x": {"1"}, "y": {"1"}}, h)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("cross-origin POST %s: %d", path, resp.StatusCode)
			}
		}
		resp, _ := send(t, ts, "DELETE", base+"/nodes/fn6", nil, h)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-origin DELETE: %d", resp.StatusCode)
		}
		if head(t, st, s.ID).Revision != 1 {
			t.Fatal("a refused request changed the stack")
		}
	})
	t.Run("SameOriginHTMXAccepted", func(t *testing.T) {
		resp, _ := send(t, ts, "POST", base+"/nodes/fn6/move", url.Values{"x": {"1"}, "y": {"1"}}, htmxAt(1))
		expect(t, resp, "", http.StatusNoContent)
	})
}
