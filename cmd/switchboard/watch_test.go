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

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool, out ...*syncBuffer) {
	t.Helper()
	// Generous: it returns as soon as cond holds, and under -race on a
	// loaded machine a watch's poll and load once took over 10 s.
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			var logs []string
			for _, b := range out {
				logs = append(logs, b.String())
			}
			t.Fatalf("%s did not happen\n%s", what, strings.Join(logs, "\n---\n"))
		}
	}
}

// TestWatchKeepsFolderAndStackInStep runs `switchboard watch` on the chat
// example: it writes the folder, writes it again when another process
// (here the store, as serve would) saves a revision, loads an edit of
// template.yaml as one revision, reports an edit it cannot load without
// overwriting it, and stops as Ctrl-C would (issue 15 item 5).
func TestWatchKeepsFolderAndStackInStep(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "chat", "--example", "chat")
	dir := filepath.Join(t.TempDir(), "chat")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var stdout, stderr syncBuffer
	cli := &CLI{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		if k == "SWITCHBOARD_DB" {
			return db
		}
		return ""
	}}
	go func() { done <- cli.Run(ctx, []string{"watch", "chat", "--dir", dir}) }()
	tmplPath := filepath.Join(dir, "template.yaml")
	read := func() string { b, _ := os.ReadFile(tmplPath); return string(b) }
	// The folder's two files are written one after the other.
	eventually(t, "the first write", func() bool {
		_, err := os.Stat(filepath.Join(dir, "switchboard.json"))
		return err == nil && strings.Contains(read(), "ChatApi:")
	}, &stdout, &stderr)

	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.StackByName(ctx, "chat")
	if err != nil {
		t.Fatal(err)
	}
	// A revision saved elsewhere reaches the folder.
	s, _, err = st.Edit(ctx, s.ID, s.Revision, func(s *model.Stack) error {
		s.Tables[0].TTLAttribute = "expiresAt"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the revision's write", func() bool { return strings.Contains(read(), "expiresAt") }, &stdout, &stderr)

	// An edit of template.yaml becomes one revision.
	edited := strings.Replace(read(), "MemorySize: 128", "MemorySize: 1536", 1)
	if err := os.WriteFile(tmplPath, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	var loaded *model.Stack
	eventually(t, "the edit's load", func() bool {
		loaded, err = st.Stack(ctx, s.ID)
		return err == nil && loaded.Revision == s.Revision+1
	}, &stdout, &stderr)
	n1536 := 0
	for _, f := range loaded.Functions {
		if f.MemorySize == 1536 {
			n1536++
		}
	}
	if n1536 != 1 || loaded.Tables[0].TTLAttribute != "expiresAt" {
		t.Fatalf("after the load: %d functions with 1536 MB, TTL %q", n1536, loaded.Tables[0].TTLAttribute)
	}
	for _, n := range s.Nodes() {
		if after, ok := loaded.Node(n.ID); !ok || after.Position != n.Position {
			t.Errorf("node %s lost its identity or place in the load", n.Name)
		}
	}

	// An edit that cannot be loaded is reported and kept, also when the
	// stack changes meanwhile.
	broken := strings.Replace(edited, "RouteKey: sendMessage", "RouteKey: sendMessage: x", 1)
	if err := os.WriteFile(tmplPath, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the report", func() bool {
		return strings.Contains(stderr.String(), "template.yaml:") && strings.Contains(stderr.String(), "mapping value")
	}, &stdout, &stderr)
	if _, _, err := st.Edit(ctx, s.ID, loaded.Revision, func(s *model.Stack) error {
		s.Tables[0].TTLAttribute = "gone"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the refusal to overwrite", func() bool { return strings.Contains(stderr.String(), "is not written") }, &stdout, &stderr)
	if read() != broken {
		t.Fatal("the edit that could not be loaded was overwritten")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("watch ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not stop")
	}
}

func TestWatchNeedsDir(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "chat")
	if r := runCLI(t, db, "watch", "chat"); r.code != 2 || !strings.Contains(r.stderr, "--dir") {
		t.Fatalf("watch without --dir: exit %d, %q", r.code, r.stderr)
	}
}

// TestExportDirIsRemembered: export --dir records the folder as the
// stack's working folder, which serve then watches.
func TestExportDirIsRemembered(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "echo", "--example", "echo")
	dir := filepath.Join(t.TempDir(), "echo")
	mustRun(t, db, "export", "echo", "--dir", dir)
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.StackByName(context.Background(), "echo")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.WorkingFolder(context.Background(), s.ID); err != nil || got != dir {
		t.Fatalf("the working folder is %q (%v), want %q", got, err, dir)
	}
}
