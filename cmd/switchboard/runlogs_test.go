package main

import (
	"context"
	"errors"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws/wsutil"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
)

// waitFor polls stderr until it holds s.
func waitFor(t *testing.T, stderr *syncBuffer, s string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), s); {
		if time.Now().After(deadline) {
			t.Fatalf("stderr never showed %q:\n%s", s, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRunLogsEachLineOnce: a function's log line is printed once (it was
// printed twice: by the run's own printer and by the pool's slog); Lambda's
// START/END/REPORT lines only with --verbose. --idle-timeout reaches the
// gateway: the idle connection is closed with 1001 Going away.
func TestRunLogsEachLineOnce(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "echo", "--example", "echo")
	line := `EchoFunction {"routeKey":"test"`

	url, _, stderr := startRun(t, db, nil, "echo", "--port", "0")
	roundTrip(t, url, `{"action":"test","n":1}`)
	waitFor(t, stderr, line)
	time.Sleep(100 * time.Millisecond) // a second copy would follow at once
	// The second copy was slog's, with the line quoted.
	if n := strings.Count(stderr.String(), line); n != 1 || strings.Contains(stderr.String(), "function log") {
		t.Fatalf("the log line is printed more than once:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "START RequestId") || strings.Contains(stderr.String(), "REPORT RequestId") {
		t.Fatalf("START/REPORT lines without --verbose:\n%s", stderr.String())
	}

	url, _, stderr = startRun(t, db, nil, "echo", "--port", "0", "--verbose", "--idle-timeout", "300ms")
	c := roundTrip(t, url, `{"action":"test","n":2}`)
	waitFor(t, stderr, "REPORT RequestId")
	if !strings.Contains(stderr.String(), "START RequestId") {
		t.Fatalf("--verbose: no START line:\n%s", stderr.String())
	}
	_, err := c.Read()
	var closed wsutil.ClosedError
	if !errors.As(err, &closed) || closed.Code != 1001 {
		t.Fatalf("idle connection: %v, want a close with 1001 after --idle-timeout", err)
	}
}

func roundTrip(t *testing.T, url, msg string) *wsload.Conn {
	t.Helper()
	c, err := wsload.Dial(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if got, err := c.RoundTrip([]byte(msg)); err != nil || string(got) != msg {
		t.Fatalf("echo = %q, %v", got, err)
	}
	return c
}

// TestRunFlagsAreChecked: the new flags refuse values that make no sense.
func TestRunFlagsAreChecked(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "echo", "--example", "echo")
	for _, args := range [][]string{{"--concurrency", "-1"}, {"--idle-timeout", "0s"}, {"--max-connection-duration", "-1m"}, {"--integration-timeout", "0s"}, {"--integration-timeout", "soon"}} {
		if r := runCLI(t, db, append([]string{"run", "echo"}, args...)...); r.code != 2 || !strings.Contains(r.stderr, args[0][2:]) {
			t.Errorf("%v: exit %d, stderr %q, want a usage error", args, r.code, r.stderr)
		}
	}
}

// TestSDKInstallCommand: `switchboard sdk install` installs the Node.js SDK
// into the cache $SWITCHBOARD_SDK_CACHE names (from npm's cache only) and
// prints where; without network it fails naming the fix.
func TestSDKInstallCommand(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not on PATH")
	}
	cache := t.TempDir()
	t.Setenv("npm_config_offline", "true")
	var stdout, stderr syncBuffer
	cli := &CLI{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		if k == "SWITCHBOARD_SDK_CACHE" {
			return cache
		}
		return ""
	}}
	if err := cli.Run(context.Background(), []string{"sdk", "install", "--python=false"}); err != nil {
		t.Fatalf("sdk install: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), filepath.Join(cache, "node-")) || !strings.Contains(stderr.String(), "installing the AWS SDK for JavaScript v3") {
		t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}

	t.Setenv("npm_config_offline", "false")
	t.Setenv("npm_config_cache", t.TempDir())
	t.Setenv("npm_config_registry", "http://127.0.0.1:1/")
	cache = t.TempDir()
	err := cli.Run(context.Background(), []string{"sdk", "install", "--python=false"})
	if err == nil || !strings.Contains(err.Error(), "`switchboard sdk install`") {
		t.Fatalf("offline sdk install: %v", err)
	}
}
