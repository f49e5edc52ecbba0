//go:build race || !racesplit

// These tests drive the code from several goroutines: `make test` runs
// them under -race, and its race-free job (-tags racesplit) leaves them
// out (RACE_SPLIT in the Makefile).

package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store/storetest"

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
