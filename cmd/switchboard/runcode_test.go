//go:build race || !racesplit

// These tests drive the code from several goroutines: `make test` runs
// them under -race, and its race-free job (-tags racesplit) leaves them
// out (RACE_SPLIT in the Makefile).

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// startRun runs `switchboard run` with args, and env as its environment
// besides the database, until the test ends, and returns the first API's
// URL and the command's output so far.
func startRun(t *testing.T, db string, env map[string]string, args ...string) (url string, stdout, stderr *syncBuffer) {
	t.Helper()
	r := startCLIRun(t, db, env, args...)
	return r.url, r.stdout, r.stderr
}

// cliRun is a `switchboard run` a test started.
type cliRun struct {
	url            string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan error
}

// stop ends the run as Ctrl-C would and returns what it returned.
func (r *cliRun) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup's stop
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
		return nil
	}
}

// startCLIRun is startRun, with the run to stop.
func startCLIRun(t *testing.T, db string, env map[string]string, args ...string) *cliRun {
	t.Helper()
	testtool.Command(t, "node", "switchboard run starts Node.js handlers")
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	r := &cliRun{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	cli := &CLI{Stdout: r.stdout, Stderr: r.stderr, Ready: func(u string) { ready <- u }, Getenv: func(k string) string {
		if k == "SWITCHBOARD_DB" {
			return db
		}
		return env[k]
	}}
	go func() { r.done <- cli.Run(ctx, append([]string{"run"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
			t.Error("run did not stop")
		}
	})
	select {
	case r.url = <-ready:
	case err := <-r.done:
		t.Fatalf("run stopped: %v\n%s", err, r.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not start\n%s", r.stderr.String())
	}
	return r
}

// copyDir copies the regular files of a folder tree.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRunImportedServerlessService is issue 13's check: a serverless.yml
// service imported with its handler beside it runs that handler (not a
// starter) from the folder it was imported from, answering over a real
// WebSocket, with its ${env:…} defaults offered as stack parameters.
func TestRunImportedServerlessService(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	service := filepath.Join(dir, "service")
	copyDir(t, filepath.Join("..", "..", "internal", "importer", "testdata", "serverless", "twoway"), service)
	db := storetest.Path(t, "stacks.db")
	out := mustRun(t, db, "import", filepath.Join(service, "serverless.yml"), "--name", "twoway")
	for _, want := range []string{`WsPort, default "3001", from ${env:WS_PORT, '3001'}`, `LogEvents, default "", from ${env:LOG_EVENTS, ''}`, "Code paths are relative to " + service} {
		if !strings.Contains(out, want) {
			t.Errorf("the import does not say %q:\n%s", want, out)
		}
	}

	// Run from another working directory: the code is found through the
	// folder the stack was imported from.
	url, stdout, stderr := startRun(t, db, nil, "twoway", "--port", "0", "--param", "LogEvents=yes")
	if strings.Contains(stderr.String(), "STARTER") || !strings.Contains(stdout.String(), "Functions run from "+service) {
		t.Fatalf("the run does not use the service folder:\n%s\n%s", stdout, stderr)
	}
	ctx := context.Background()
	c, err := wsload.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := c.RoundTrip([]byte(`{"hello":"twoway"}`)); err != nil || string(got) != `{"hello":"twoway"}` {
		t.Fatalf("echo = %q, %v\n%s", got, err, stderr)
	}
	// Only the user's handler throws on this message; a starter would echo.
	if got, err := c.RoundTrip([]byte(`{"throwError":true}`)); err != nil || !strings.Contains(string(got), "Internal server error") {
		t.Fatalf("throwError = %q, %v; want the user's handler's error\n%s", got, err, stderr)
	}
}

// TestRunCodeFolder: --code is the folder code paths resolve against; a
// function whose folder is not there runs a starter, and the run says so
// on the terminal, naming the function and the folder.
func TestRunCodeFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	service := filepath.Join(dir, "service")
	copyDir(t, filepath.Join("..", "..", "internal", "importer", "testdata", "serverless", "twoway"), service)
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "import", "--name", "twoway", filepath.Join(service, "serverless.yml"))
	if err := os.Rename(service, filepath.Join(dir, "moved")); err != nil {
		t.Fatal(err)
	}
	// --code names where the service is now.
	url, _, stderr := startRun(t, db, nil, "twoway", "--port", "0", "--code", filepath.Join(dir, "moved"))
	if strings.Contains(stderr.String(), "STARTER") {
		t.Fatalf("--code of the service folder ran a starter:\n%s", stderr)
	}
	c, err := wsload.Dial(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := c.RoundTrip([]byte(`{"throwError":true}`)); !strings.Contains(string(got), "Internal server error") {
		t.Errorf("the user's handler did not answer: %q", got)
	}
	c.Close()
}

// TestRunStarterIsLoud: a function whose folder is missing under --code
// runs a starter, and the terminal says so.
func TestRunStarterIsLoud(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	dir := filepath.Dir(db)
	mustRun(t, db, "new", "echo", "--example", "echo")
	_, _, stderr := startRun(t, db, nil, "echo", "--port", "0", "--code", dir)
	want := "WARNING: function EchoFunction runs a STARTER handler, not your code: its code folder " + filepath.Join(dir, "functions", "echo-function") + " does not exist"
	if !strings.Contains(stderr.String(), want) {
		t.Fatalf("stderr lacks %q:\n%s", want, stderr)
	}
}

// TestRunParams: a parameter without a default must be given with
// --param; an unknown one is refused; both list the stack's parameters.
func TestRunParams(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "serverless.yml"), []byte(`service: params
provider:
  name: aws
  runtime: nodejs22.x
  environment:
    SECRET: ${param:apiSecret}
    PORT: ${env:WS_PORT, '3001'}
functions:
  echo:
    handler: handler.echo
    events:
      - websocket: $default
`), 0o644); err != nil {
		t.Fatal(err)
	}
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "import", filepath.Join(dir, "serverless.yml"))
	r := runCLI(t, db, "run", "params")
	if r.code != 2 || !strings.Contains(r.stderr, "needs a value for parameters without a default: ApiSecret; pass --param ApiSecret=VALUE") ||
		!strings.Contains(r.stderr, `WsPort (default "3001")`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, db, "run", "params", "--param", "ApiSecret=x", "--param", "Nope=1")
	if r.code != 2 || !strings.Contains(r.stderr, "has no parameter Nope") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, db, "run", "params", "--param", "not a name")
	if r.code != 2 || !strings.Contains(r.stderr, "Name=value") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
