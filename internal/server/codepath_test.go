package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// TestCodePathFollowsName: without a repository, a rename moves a code path
// that follows the name along with it; a path set by hand stays; the
// folder move can only be the one the panel offers.
func TestCodePathFollowsName(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "chat", "follow")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	var conn, sender string
	for _, f := range s.Functions {
		switch f.Name {
		case "ConnectionHandler":
			conn = f.ID
		case "SendHandler":
			sender = f.ID
		}
	}
	rev := s.Revision
	save := func(id string, form url.Values) {
		t.Helper()
		resp, body := send(t, ts, "POST", base+"/nodes/"+id, form, htmxAt(rev))
		expect(t, resp, body, http.StatusOK)
		rev, _ = strconv.ParseInt(resp.Header.Get("X-Switchboard-Revision"), 10, 64)
	}
	save(conn, url.Values{"name": {"Connector"}, "codePath": {"functions/connection-handler"}})
	if got := head(t, st, s.ID).Function(conn).CodePath; got != "functions/connector" {
		t.Fatalf("renamed ConnectionHandler's code path is %q, want functions/connector", got)
	}
	// A path set by hand is the user's.
	save(sender, url.Values{"codePath": {"src/send"}})
	save(sender, url.Values{"name": {"Sender"}, "codePath": {"src/send"}})
	if got := head(t, st, s.ID).Function(sender).CodePath; got != "src/send" {
		t.Fatalf("a hand-set code path became %q", got)
	}
	// The move endpoint takes only the move from the path to the name's.
	resp, body := send(t, ts, "POST", base+"/nodes/"+conn+"/code-move", url.Values{"from": {"functions/connector"}, "to": {"../../etc"}}, htmxAt(rev))
	expect(t, resp, body, http.StatusUnprocessableEntity)
	if got := head(t, st, s.ID).Function(conn).CodePath; got != "functions/connector" {
		t.Fatalf("a refused move changed the code path to %q", got)
	}
}
