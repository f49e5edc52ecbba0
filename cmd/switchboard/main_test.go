package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// result is what one run of the program left behind.
type result struct {
	stdout, stderr string
	code           int
}

// runCLI runs the real program in-process against db, as a user would from a
// shell, and returns its output and exit status.
func runCLI(t *testing.T, db string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cli := &CLI{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		if k == "SWITCHBOARD_DB" {
			return db
		}
		return ""
	}}
	err := cli.Run(context.Background(), args)
	code := exitCode(err, &stderr)
	return result{stdout.String(), stderr.String(), code}
}

func mustRun(t *testing.T, db string, args ...string) string {
	t.Helper()
	r := runCLI(t, db, args...)
	if r.code != 0 {
		t.Fatalf("switchboard %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

func mustOpenStore(tb testing.TB, db string) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func stackNamed(t *testing.T, st *store.Store, name string) *model.Stack {
	t.Helper()
	s, err := st.StackByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// editFunctionTimeout changes the Timeout of the function resource named
// in the exported YAML, and only it.
func editFunctionTimeout(t *testing.T, text []byte, function, from, to string) []byte {
	t.Helper()
	head := "\n  " + function + ":\n    Type: AWS::Lambda::Function\n"
	start := bytes.Index(text, []byte(head))
	if start < 0 {
		t.Fatalf("no function %s in the export:\n%s", function, text)
	}
	at := start + bytes.Index(text[start:], []byte("      Timeout: "+from+"\n"))
	if at < start {
		t.Fatalf("no Timeout: %s under %s", from, function)
	}
	out := append([]byte{}, text[:at]...)
	out = append(out, "      Timeout: "+to+"\n"...)
	return append(out, text[at+len("      Timeout: "+from+"\n"):]...)
}

// syncBuffer is a bytes.Buffer safe for the command's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
