package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
)

// TestEditAnswersWithWhatChanged: an edit's answer carries the fragments it
// changed, out of band, and nothing of the rest of the canvas (issue 14
// item 1).
func TestEditAnswersWithWhatChanged(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "chat", "chat")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	byName := func(name string) *model.Function {
		for _, f := range s.Functions {
			if f.Name == name {
				return f
			}
		}
		t.Fatalf("the chat example has no %s", name)
		return nil
	}
	fn, other := byName("ConnectionHandler"), byName("SendHandler")

	resp, body := send(t, ts, "POST", base+"/nodes/"+fn.ID, url.Values{"name": {"Connections2"}}, htmxAt(s.Revision))
	expect(t, resp, body, http.StatusOK, `hx-swap-oob="morph:#node-`+fn.ID+`"`, `data-name="Connections2"`, `id="problem-count"`)
	for _, unwanted := range []string{`id="nodes"`, `id="wires"`, `data-name="` + other.Name + `"`} {
		if strings.Contains(body, unwanted) {
			t.Fatalf("a rename answers with %s, which it did not change:\n%s", unwanted, body)
		}
	}
	// The wires at the renamed node change (their names say its name);
	// no other wire comes back.
	for _, w := range s.Wires {
		touches := w.From == fn.ID || w.To == fn.ID
		if sent := strings.Contains(body, `id="wire-`+w.ID+`"`); sent != touches {
			t.Errorf("wire %s (%s → %s) in the rename's answer: %v, want %v", w.ID, w.From, w.To, sent, touches)
		}
	}
	rev := head(t, st, s.ID).Revision

	var wireID string
	for _, w := range head(t, st, s.ID).Wires {
		if w.From == fn.ID {
			wireID = w.ID
			break
		}
	}
	resp, body = send(t, ts, "DELETE", base+"/wires/"+wireID, nil, htmxAt(rev))
	expect(t, resp, body, http.StatusOK, `hx-swap-oob="delete:#wire-`+wireID+`"`)
	if strings.Count(body, "hx-swap-oob=") != 2 { // the wire, the count
		t.Fatalf("deleting a wire answers with more than the wire:\n%s", body)
	}
	rev++

	// Undo answers with what it changed back.
	resp, body = send(t, ts, "POST", base+"/undo", nil, htmxAt(rev))
	expect(t, resp, body, http.StatusOK, `hx-swap-oob="beforeend:#wires"`, `id="wire-`+wireID+`"`)
	if strings.Contains(body, `id="nodes"`) {
		t.Fatalf("undo answers with the whole canvas:\n%s", body)
	}
}

// TestBigStackEditIsSmall: on the 3,013-resource stack, a rename answers
// with under 20 KB of HTML, before compression (issue 14's goal is for the
// wire).
func TestBigStackEditIsSmall(t *testing.T) {
	t.Parallel()
	st, stack := bigStack(t)
	h := server.New(server.Options{Store: st}).Handler()
	base := "/stacks/" + strconv.FormatInt(stack.ID, 10)
	req := editRequest("POST", base+"/nodes/"+stack.Functions[0].ID, url.Values{"name": {"Renamed"}}, stack.Revision)
	req.Header.Del("Accept-Encoding")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("rename = %d: %.300s", rec.Code, rec.Body)
	}
	if n := rec.Body.Len(); n > 20<<10 {
		t.Fatalf("a rename on the big stack answers with %d bytes, want under 20 KB", n)
	}
}
