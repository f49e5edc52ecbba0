package apigw

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawRequest sends one HTTP/1.1 request as written and returns the
// response's status: the Host header is the test's to choose, as a page
// rebound to 127.0.0.1 chooses it.
func rawRequest(tb testing.TB, addr, request string) int {
	tb.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Write([]byte(request)); err != nil {
		tb.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func upgradeRequest(path, host, origin string) string {
	r := "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	if origin != "" {
		r += "Origin: " + origin + "\r\n"
	}
	return r + "\r\n"
}

// TestForeignHostRefused: with DNS rebinding a page reaches 127.0.0.1 under
// its own name; the WebSocket endpoint and @connections answer it 421 and
// no handler runs.
func TestForeignHostRefused(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(nil)
	g := MustStart(t, testAPIs("$connect", "Conn", "$default", "Def"), inv, Options{})
	ep := g.Endpoints()[0]
	addr := strings.TrimPrefix(strings.TrimSuffix(ep.URL, "/dev"), "ws://")
	_, port, _ := net.SplitHostPort(addr)
	events, _ := g.Subscribe(64)
	MustDial(t, ep.URL)
	id := waitEvent(t, events, EventConnect).ConnectionID
	inv.next(t, "Conn")

	evil := "evil.test:" + port
	if got := rawRequest(t, addr, upgradeRequest("/dev", evil, "http://"+evil)); got != http.StatusMisdirectedRequest {
		t.Errorf("upgrade with Host %s = %d, want 421", evil, got)
	}
	manage := fmt.Sprintf("POST /dev/@connections/%s HTTP/1.1\r\nHost: %s\r\nAuthorization: AWS4-HMAC-SHA256 x\r\nContent-Length: 5\r\n\r\nhello", id, evil)
	if got := rawRequest(t, addr, manage); got != http.StatusMisdirectedRequest {
		t.Errorf("@connections POST with Host %s = %d, want 421", evil, got)
	}
	// The loopback names with the port still work.
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port} {
		if got := rawRequest(t, addr, upgradeRequest("/dev", host, "")); got != http.StatusSwitchingProtocols {
			t.Errorf("upgrade with Host %s = %d, want 101", host, got)
		}
	}
	// $connect ran for the two loopback upgrades only.
	if n := len(inv.calls); n != 2 {
		t.Errorf("$connect ran %d times, want 2", n)
	}
}

// TestForeignOriginRefused: a page of another origin cannot open a
// WebSocket to the local API (browsers let it try, and send its Origin);
// no Origin, loopback origins and allowed ones can.
func TestForeignOriginRefused(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(nil)
	g := MustStart(t, testAPIs("$connect", "Conn", "$default", "Def"), inv, Options{AllowOrigins: []string{"https://App.Example:8443"}})
	url := g.Endpoints()[0].URL
	for origin, want := range map[string]int{
		"https://evil.test":          http.StatusForbidden,
		"http://127.0.0.1.evil.test": http.StatusForbidden,
		"null":                       http.StatusForbidden,
		"https://app.example":        http.StatusForbidden, // port 443, not the allowed 8443
		"http://127.0.0.1:8080":      0,
		"http://localhost:3000":      0,
		"http://[::1]:8080":          0,
		"https://app.example:8443":   0,
		"":                           0,
	} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		_, err := dial(t, url, h)
		if got := statusOf(err); got != want || (want == 0 && err != nil) {
			t.Errorf("Origin %q: status %d (%v), want %d", origin, got, err, want)
		}
	}
	// A refused origin never reached $connect: only the five allowed did
	// (each before its upgrade was answered).
	if n := len(inv.calls); n != 5 {
		t.Errorf("$connect ran %d times, want 5 (the allowed origins)", n)
	}
	if _, err := New(nil, testAPIs("$default", "Def"), inv, Options{AllowOrigins: []string{"evil.test"}}); err == nil {
		t.Errorf("an allowed origin without a scheme was accepted")
	}
}

// TestConnectionCap: upgrades beyond the cap get 429 instead of a file
// descriptor each; a closed connection frees its place.
func TestConnectionCap(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(nil)
	s := testAPIs("$connect", "Conn", "$default", "Def")
	g := MustStart(t, s, inv, Options{MaxConnections: 3})
	url := g.Endpoints()[0].URL
	events, _ := g.Subscribe(64)
	var open []*wsClient
	for range 3 {
		open = append(open, MustDial(t, url))
	}
	for range 2 {
		if _, err := dial(t, url, nil); statusOf(err) != http.StatusTooManyRequests {
			t.Fatalf("upgrade over the cap: %v, want 429", err)
		}
	}
	if n := len(g.slots); n != 3 {
		t.Errorf("%d connections held, want 3", n)
	}
	_ = open[0].nc.Close()
	waitEvent(t, events, EventDisconnect)
	// The place is freed when the connection's goroutine ends, just after.
	for deadline := time.Now().Add(5 * time.Second); len(g.slots) > 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if _, err := dial(t, url, nil); err != nil {
		t.Errorf("after a client left: %v", err)
	}
	if g, err := New(nil, s, inv, Options{}); err != nil || cap(g.slots) != DefaultMaxConnections {
		t.Errorf("default cap = %d, want %d", cap(g.slots), DefaultMaxConnections)
	}
}
