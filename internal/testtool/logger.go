package testtool

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Logger returns a logger whose warnings and errors go to the test's log,
// so a failure on CI shows what the code under test reported (a panic's
// stack, a failed render) beside it. Lines logged after the test ended
// are dropped, as testing forbids them.
func Logger(tb testing.TB) *slog.Logger {
	w := &testLogWriter{tb: tb}
	tb.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testLogWriter struct {
	tb   testing.TB
	mu   sync.Mutex
	done bool
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.tb.Log("logged: " + strings.TrimSuffix(string(bytes.Clone(p)), "\n"))
	}
	return len(p), nil
}
