package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// MustNode returns the path of node, or skips.
func MustNode(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		testtool.Require(tb, "node is not on PATH: the lambdaemu tests run real Node.js handlers")
	}
	return p
}

// MustSDK returns the repository's node_modules holding the AWS SDK for
// JavaScript v3, or skips.
func MustSDK(tb testing.TB) string {
	tb.Helper()
	return testtool.NodeModules(tb, "../..", "client-apigatewaymanagementapi", "client-dynamodb", "lib-dynamodb")
}

// MustGoHandler builds testdata/gohandler, an aws-lambda-go handler, into
// a fresh folder as its bootstrap and returns the folder.
func MustGoHandler(tb testing.TB) string {
	tb.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		testtool.Require(tb, "go is not available to build the aws-lambda-go test handler")
	}
	dir := tb.TempDir()
	cmd := exec.Command(gobin, "build", "-trimpath", "-o", filepath.Join(dir, "bootstrap"), "./testdata/gohandler")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build testdata/gohandler: %v\n%s", err, out)
	}
	return dir
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

// logSink collects every log line; tests wait on it for a line.
type logSink struct {
	mu    sync.Mutex
	lines []LogLine
	added chan struct{} // closed and replaced on every line
}

func newLogSink() *logSink { return &logSink{added: make(chan struct{})} }

func (s *logSink) add(l LogLine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, l)
	close(s.added)
	s.added = make(chan struct{})
}

// wait returns the first line that matches, waiting for it up to 10 s.
func (s *logSink) wait(tb testing.TB, match func(LogLine) bool) LogLine {
	tb.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		for _, l := range s.lines {
			if match(l) {
				s.mu.Unlock()
				return l
			}
		}
		added := s.added
		s.mu.Unlock()
		select {
		case <-added:
		case <-deadline:
			tb.Fatalf("no matching log line among %d", len(s.lines))
		}
	}
}

// MustPool returns a started pool that the test closes, checking that no
// process it started survives.
func MustPool(tb testing.TB, opts Options, fns ...FunctionConfig) *Pool {
	tb.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if opts.InitTimeout == 0 {
		// Lambda's 10 s is for a sandbox with its own CPU; a CI machine
		// running every package's tests at once gives node far less.
		opts.InitTimeout = time.Minute
	}
	p, err := New(context.Background(), logger, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		pids := p.pids()
		if err := p.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
		for _, pid := range pids {
			if alive(pid) {
				tb.Errorf("process %d survived Close", pid)
			}
		}
		if _, err := os.Stat(p.tempDir); !errors.Is(err, os.ErrNotExist) {
			tb.Errorf("Close left %s: %v", p.tempDir, err)
		}
	})
	if len(fns) > 0 {
		if err := p.Start(context.Background(), fns); err != nil {
			tb.Fatalf("Start: %v", err)
		}
	}
	return p
}

// pids lists the processes of every function, for leak checks.
func (p *Pool) pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var pids []int
	for _, f := range p.fns {
		f.mu.Lock()
		for s := range f.live {
			pids = append(pids, s.cmd.Process.Pid)
		}
		f.mu.Unlock()
	}
	return pids
}

// MustInvoke invokes and decodes the JSON result into a value of type T.
func MustInvoke[T any](tb testing.TB, p *Pool, fn string, event any) T {
	tb.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := p.Invoke(ctx, fn, payload)
	if err != nil {
		tb.Fatalf("Invoke %s: %v", fn, err)
	}
	var v T
	if err := json.Unmarshal(out, &v); err != nil {
		tb.Fatalf("Invoke %s: result %s: %v", fn, out, err)
	}
	return v
}

// node returns the config of a Node.js function whose code is files.
func nodeFunction(tb testing.TB, name string, files map[string]string) FunctionConfig {
	tb.Helper()
	MustNode(tb)
	dir := tb.TempDir()
	MustWrite(tb, dir, files)
	return FunctionConfig{Name: name, Runtime: "nodejs24.x", Handler: "index.handler", CodeDir: dir, MemoryMB: 256, Timeout: 10 * time.Second}
}
