package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A route wired to nothing becomes a MOCK or HTTP integration in the API's
// panel, and a wire panel edits the integration of the route it starts at.
func TestRouteIntegrationForms(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "echo", "echo")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	rev := head(t, st, s.ID).Revision
	resp, body := send(t, ts, "POST", base+"/nodes/api1/routes", url.Values{"key": {"ping"}}, htmxAt(rev))
	expect(t, resp, body, http.StatusOK, "has no handler", `data-testid="route-integration"`)
	ping := head(t, st, s.ID).APIs[0].Routes[1]
	rev = head(t, st, s.ID).Revision

	resp, body = send(t, ts, "POST", base+"/nodes/api1", url.Values{"route." + ping.ID + ".key": {"ping"}, "route." + ping.ID + ".integration": {"HTTP_PROXY"}}, htmxAt(rev))
	expect(t, resp, body, http.StatusUnprocessableEntity, "http:// or https://")
	resp, body = send(t, ts, "POST", base+"/nodes/api1", url.Values{"route." + ping.ID + ".key": {"ping"}, "route." + ping.ID + ".integration": {"HTTP_PROXY"},
		"route." + ping.ID + ".uri": {"https://example.com/ws"}, "route." + ping.ID + ".method": {"PUT"}}, htmxAt(rev))
	expect(t, resp, body, http.StatusOK, `data-testid="route-uri"`, `value="https://example.com/ws"`)
	_, r := head(t, st, s.ID).Route(ping.ID)
	if r.Integration == nil || r.Integration.Type != model.IntegrationHTTPProxy || r.Integration.URI != "https://example.com/ws" || r.Integration.Method != "PUT" {
		t.Fatalf("route %+v, integration %+v", r, r.Integration)
	}
	rev = head(t, st, s.ID).Revision
	resp, body = send(t, ts, "POST", base+"/nodes/api1", url.Values{"route." + ping.ID + ".key": {"ping"}, "route." + ping.ID + ".integration": {"MOCK"}}, htmxAt(rev))
	expect(t, resp, body, http.StatusOK)
	if _, r := head(t, st, s.ID).Route(ping.ID); r.Integration == nil || r.Integration.Type != model.IntegrationMock || r.Integration.URI != "" {
		t.Fatalf("integration %+v", r.Integration)
	}
	// A MOCK route takes no wire.
	rev = head(t, st, s.ID).Revision
	resp, _ = send(t, ts, "POST", base+"/wires", url.Values{"from": {ping.ID}, "to": {"fn3"}}, htmxAt(rev))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Header.Get("HX-Trigger"), "reaches nothing in the stack") {
		t.Fatalf("a wire from a MOCK route: %d %s", resp.StatusCode, resp.Header.Get("HX-Trigger"))
	}

	// The echo route's wire: a Lambda with a request template, 3 s.
	w := head(t, st, s.ID).Wires[0]
	resp, body = send(t, ts, "POST", base+"/wires/"+w.ID, url.Values{"integration.sent": {"1"}, "integration.type": {"AWS"},
		"integration.timeoutMillis": {"3000"}, "integration.requestTemplate": {`{"body": $input.body}`}}, htmxAt(rev))
	expect(t, resp, body, http.StatusOK, `data-testid="integration-template"`)
	_, r = head(t, st, s.ID).Route(w.From)
	if in := r.Integration; in == nil || in.Type != model.IntegrationAWS || in.TimeoutMillis != 3000 || in.RequestTemplates["$default"] != `{"body": $input.body}` {
		t.Fatalf("integration %+v", in)
	}
	// Back to the proxy: the template goes, the timeout stays.
	rev = head(t, st, s.ID).Revision
	resp, body = send(t, ts, "POST", base+"/wires/"+w.ID, url.Values{"integration.sent": {"1"}, "integration.type": {""}, "integration.timeoutMillis": {"3000"}}, htmxAt(rev))
	expect(t, resp, body, http.StatusOK)
	if _, r := head(t, st, s.ID).Route(w.From); r.Integration == nil || r.Integration.Type != "" || r.Integration.RequestTemplates != nil || r.Integration.TimeoutMillis != 3000 {
		t.Fatalf("integration %+v", r.Integration)
	}
	rev = head(t, st, s.ID).Revision
	resp, _ = send(t, ts, "POST", base+"/wires/"+w.ID, url.Values{"integration.sent": {"1"}, "integration.timeoutMillis": {"soon"}}, htmxAt(rev))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a timeout of soon: %d", resp.StatusCode)
	}
}
