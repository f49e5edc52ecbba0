package localrun

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws/wsutil"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// MustSDK skips unless node and npm are there, and returns the
// --node-modules override of the runs: none, so that each run finds the
// AWS SDK the way a user's does, in the SDK cache (TestMain's), installed
// on first need.
func MustSDK(tb testing.TB) string {
	tb.Helper()
	testtool.Command(tb, "node", "the test runs real Node.js handlers")
	testtool.Command(tb, "npm", "the run installs the AWS SDK with npm")
	return ""
}

// logSink collects function log lines.
type logSink struct {
	mu    sync.Mutex
	lines []lambdaemu.LogLine
}

func (s *logSink) add(l lambdaemu.LogLine) {
	s.mu.Lock()
	s.lines = append(s.lines, l)
	s.mu.Unlock()
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, l := range s.lines {
		b.WriteString(l.Function + " " + l.Text + "\n")
	}
	return b.String()
}

// MustRun starts the stack and closes it when the test ends. Function
// logs are printed if the test fails.
func MustRun(tb testing.TB, cfg Config) *Runner {
	tb.Helper()
	logs := &logSink{}
	cfg.OnLog = logs.add
	if cfg.CADir == "" {
		cfg.CADir = filepath.Join(tb.TempDir(), "ca") // not the user's own
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("LOCALRUN_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	r, err := Start(context.Background(), logger, cfg)
	if err != nil {
		tb.Fatalf("start: %v", err)
	}
	tb.Cleanup(func() {
		if err := r.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
		if tb.Failed() {
			tb.Logf("function logs:\n%s", logs)
		}
	})
	return r
}

// MustDial connects to the runner's first API.
func MustDial(tb testing.TB, r *Runner, query string) *wsload.Conn {
	tb.Helper()
	c, err := wsload.Dial(context.Background(), r.Endpoints()[0].URL+query)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Abort() })
	return c
}

// MustRead returns the next message.
func MustRead(tb testing.TB, c *wsload.Conn) string {
	tb.Helper()
	data, err := c.Read()
	if err != nil {
		tb.Fatalf("read: %v", err)
	}
	return string(data)
}

// MustSend sends a text message.
func MustSend(tb testing.TB, c *wsload.Conn, msg string) {
	tb.Helper()
	if err := c.Send([]byte(msg)); err != nil {
		tb.Fatalf("send: %v", err)
	}
}

// closeCode returns the close code a read ended with, or 0.
func closeCode(err error) int {
	var closed wsutil.ClosedError
	if errors.As(err, &closed) {
		return int(closed.Code)
	}
	return 0
}

// waitEvent returns the first event of the kind that matches.
func waitEvent(tb testing.TB, events <-chan apigw.Event, kind apigw.EventKind, match func(apigw.Event) bool) apigw.Event {
	tb.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e := <-events:
			if e.Kind == kind && (match == nil || match(e)) {
				return e
			}
		case <-timeout:
			tb.Fatalf("no %s event within 20s", kind)
		}
	}
}

// MustWrite writes files (slash-separated name → content) under dir.
func MustWrite(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// MustDialErr connects to the runner's first API and returns the error of a
// refused upgrade.
func MustDialErr(r *Runner, query string) (*wsload.Conn, error) {
	return wsload.Dial(context.Background(), r.Endpoints()[0].URL+query)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// MustStartMoto starts moto_server, whose DynamoDB keeps a local run's
// tables.
func MustStartMoto(tb testing.TB) string {
	tb.Helper()
	return testtool.StartMoto(tb, "the local run keeps tables in its DynamoDB")
}
