package apigw

import (
	"crypto/tls"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/switchboard-dev/switchboard/internal/localca"
)

// TestOnePortTwoSchemes: with TLS, an API's one port answers ws:// and
// wss:// (events say which in X-Forwarded-Proto) and https:// for
// @connections; a client that connects and sends nothing holds up nobody.
func TestOnePortTwoSchemes(t *testing.T) {
	t.Parallel()
	ca, err := localca.Load(filepath.Join(t.TempDir(), "ca"))
	if err != nil {
		t.Fatal(err)
	}
	srvTLS, err := ca.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	inv := newFakeInvoker(nil)
	g := MustStart(t, testAPIs("$connect", "Connect"), inv, Options{TLS: srvTLS})
	ep := g.Endpoints()[0]
	if want := "https://" + strings.TrimPrefix(ep.URL, "ws://"); ep.ManagementURL != want {
		t.Errorf("ManagementURL = %q, want %q", ep.ManagementURL, want)
	}

	hostPort, _, _ := strings.Cut(strings.TrimPrefix(ep.URL, "ws://"), "/")
	silent, err := net.Dial("tcp", hostPort)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()

	MustDial(t, ep.URL)
	if proto := inv.next(t, "Connect").Event["headers"].(map[string]any)["X-Forwarded-Proto"]; proto != "http" {
		t.Errorf("ws:// connect: X-Forwarded-Proto %v", proto)
	}
	clientTLS := &tls.Config{RootCAs: ca.Pool()}
	d := ws.Dialer{Timeout: 5 * time.Second, TLSConfig: clientTLS}
	conn, _, _, err := d.Dial(t.Context(), strings.Replace(ep.URL, "ws://", "wss://", 1))
	if err != nil {
		t.Fatalf("wss: %v", err)
	}
	defer conn.Close()
	call := inv.next(t, "Connect")
	if proto := call.Event["headers"].(map[string]any)["X-Forwarded-Proto"]; proto != "https" {
		t.Errorf("wss:// connect: X-Forwarded-Proto %v", proto)
	}
	id := rc(call.Event)["connectionId"].(string)

	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: clientTLS}, Timeout: 5 * time.Second}
	req, _ := http.NewRequest(http.MethodPost, ep.ManagementURL+"/@connections/"+id, strings.NewReader("over https"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST over https: %d", resp.StatusCode)
	}
}
