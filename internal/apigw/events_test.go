package apigw

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestMessageEventIsTheEncodedProxyEvent: the MESSAGE event encoded from
// a connection's parts is byte for byte json.Marshal of the proxyEvent it
// stands for, whatever the strings hold (HTML, quotes, control and
// non-ASCII characters, U+2028) and with or without an authorizer's
// context, message after message on one connection.
func TestMessageEventIsTheEncodedProxyEvent(t *testing.T) {
	t.Parallel()
	odd := "<a href=\"x\">&amp;</a>\t\x01\u2028é😀\\"
	for _, authorizer := range []map[string]any{nil, {"principalId": "me", "n": 3.5, "odd": odd}} {
		ep := &endpoint{api: &API{StageName: "dev" + odd}, apiID: "abc123"}
		cr := &connectRequest{id: "Conn1234567890A=", connectedAt: time.UnixMilli(1_700_000_000_123), sourceIP: "127.0.0.1",
			userAgent: "agent " + odd, domainName: "127.0.0.1:8080"}
		c := &conn{ep: ep, cr: cr, id: cr.id, authorizer: authorizer}
		for i, body := range []string{`{"action":"test","data":"hi"}`, odd, "", `{"k":"` + odd + `"}`} {
			rc := ep.context(cr, "", eventMessage, time.UnixMilli(1_700_000_001_000+int64(i)))
			rc.MessageID = newID()
			rc.Authorizer = c.authorizer
			rc.RouteKey = []string{"test", "$default", odd, "sendMessage"}[i]
			s := body
			want, err := json.Marshal(proxyEvent{RequestContext: rc, Body: &s})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.messageEvent(&rc, []byte(body)); !bytes.Equal(got, want) {
				t.Fatalf("message %d:\n got %s\nwant %s", i, got, want)
			}
		}
	}
}
