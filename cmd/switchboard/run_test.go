//go:build race || !racesplit

// These tests drive the code from several goroutines: `make test` runs
// them under -race, and its race-free job (-tags racesplit) leaves them
// out (RACE_SPLIT in the Makefile).

package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestRunServesTheStack runs `switchboard run` on the echo example with its
// scaffold, talks to it over WebSocket, and stops it as Ctrl-C would.
func TestRunServesTheStack(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "switchboard run starts Node.js handlers")
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "echo", "--example", "echo")
	r := startCLIRun(t, db, nil, "echo", "--port", "0", "--allow-origin", "https://app.example:8443", "--max-connections", "50")
	url, stdout, stderr := r.url, r.stdout, r.stderr
	ctx := context.Background()
	if !strings.HasPrefix(url, "ws://127.0.0.1:") || !strings.HasSuffix(url, "/dev") || !strings.Contains(stdout.String(), url) {
		t.Fatalf("url %q; stdout:\n%s", url, stdout.String())
	}

	c, err := wsload.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.RoundTrip([]byte(`{"action":"test","n":1}`))
	if err != nil || string(got) != `{"action":"test","n":1}` {
		t.Fatalf("echo = %q, %v\n%s", got, err, stderr.String())
	}
	_ = c.Close()
	// Pages of the allowed origin may connect, other pages may not.
	for origin, want := range map[string]error{"https://app.example:8443": nil, "http://127.0.0.1:8080": nil, "https://evil.test": ws.StatusError(http.StatusForbidden)} {
		conn, _, _, err := ws.Dialer{Header: ws.HandshakeHeaderHTTP(http.Header{"Origin": {origin}})}.Dial(ctx, url)
		if !errors.Is(err, want) && err != want {
			t.Errorf("Origin %s: %v, want %v", origin, err, want)
		}
		if conn != nil {
			conn.Close()
		}
	}
	// The echo scaffold logs each event; the log reaches stderr.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), `EchoFunction {"routeKey":"test"`); {
		if time.Now().After(deadline) {
			t.Fatalf("function log not streamed:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := r.stop(t); err != nil {
		t.Fatalf("run returned %v", err)
	}
}

func TestRunRefusesUnknownStack(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "echo", "--example", "echo")
	r := runCLI(t, db, "run", "nope")
	if r.code != 1 || !strings.Contains(r.stderr, "nope") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, db, "run", "echo", "--port", "70000")
	if r.code != 2 {
		t.Fatalf("bad port: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, args := range [][]string{{"--allow-origin", "evil.test"}, {"--allow-origin", "https://a.example/path"}, {"--max-connections", "0"}, {"--data", t.TempDir(), "--dynamodb-endpoint", "http://127.0.0.1:8000"}} {
		if r := runCLI(t, db, append([]string{"run", "echo"}, args...)...); r.code != 2 || !strings.Contains(r.stderr, args[0]) {
			t.Errorf("%v: exit %d, stderr %q, want a usage error", args, r.code, r.stderr)
		}
	}
}

// TestRunKeepsData runs the chat example with no DynamoDB of the user's:
// its tables are on the built-in endpoint, which `run` prints, and --data
// keeps them when the run stops.
func TestRunKeepsData(t *testing.T) {
	t.Parallel()
	sdk := testtool.NodeModules(t, "../..", "client-apigatewaymanagementapi", "client-dynamodb")
	db := storetest.Path(t, "stacks.db")
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, db, "new", "chat", "--example", "chat")
	r := startCLIRun(t, db, map[string]string{"SWITCHBOARD_NODE_MODULES": sdk}, "chat", "--data", data)
	url, stdout, stderr := r.url, r.stdout, r.stderr
	ctx := context.Background()
	if !strings.Contains(stdout.String(), "DynamoDB\thttp://127.0.0.1:") {
		t.Errorf("stdout does not name the built-in DynamoDB endpoint:\n%s", stdout.String())
	}
	c, err := wsload.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.RoundTrip([]byte(`{"action":"sendMessage","data":"kept?"}`))
	if err != nil || string(got) != "kept?" {
		t.Fatalf("chat = %q, %v\n%s", got, err, stderr.String())
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("run returned %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "chat-Connections.table.json")); err != nil {
		t.Errorf("the table was not kept: %v", err)
	}
}

// TestRun_EscapesHandlerOutput runs the echo example with a handler that
// logs each message as it is, and sends one holding escape sequences that
// would clear the screen and retitle the window, DEL and a C1 CSI: stderr
// shows them escaped.
func TestRun_EscapesHandlerOutput(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "switchboard run starts Node.js handlers")
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "echo", "--example", "echo")
	code := t.TempDir()
	handler := "export const handler = async (event) => { console.log(JSON.parse(event.body).x); return { statusCode: 200, body: 'ok' } }\n"
	if err := os.MkdirAll(filepath.Join(code, "functions", "echo-function"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(code, "functions", "echo-function", "index.mjs"), []byte(handler), 0o644); err != nil {
		t.Fatal(err)
	}
	url, _, stderr := startRun(t, db, nil, "echo", "--port", "0", "--code", code)
	ctx := context.Background()
	c, err := wsload.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RoundTrip([]byte(`{"action":"test","x":"\u001b[2J\u001b]0;pwned\u0007\u009b2J\u007f"}`)); err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), `\x1b[2J\x1b]0;pwned\x07\u009b2J\x7f`); {
		if time.Now().After(deadline) {
			t.Fatalf("the handler's log did not reach stderr escaped:\n%q", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.ContainsAny(stderr.String(), "\x1b\x07\u009b\x7f") {
		t.Fatalf("stderr holds raw control characters: %q", stderr.String())
	}
}
