package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelp_PrintsOnce: a command's --help prints its usage once, on stdout,
// and exits 0. It used to print it on stderr as well.
func TestHelp_PrintsOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "stacks.db")
	for _, args := range [][]string{{"export", "--help"}, {"export", "-h"}, {"help", "new"}, {"show", "chat", "--help"}} {
		r := runCLI(t, db, args...)
		name := args[0]
		if name == "help" {
			name = args[1]
		}
		if r.code != 0 || strings.Count(r.stdout, "Usage: switchboard "+name) != 1 || r.stderr != "" {
			t.Errorf("switchboard %s: exit %d, stdout %q, stderr %q; want the usage once on stdout",
				strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	// A bad flag still shows the usage, once, on stderr.
	r := runCLI(t, db, "stacks", "--colour")
	if r.code != 2 || strings.Count(r.stderr, "Usage: switchboard stacks") != 1 || r.stdout != "" {
		t.Errorf("bad flag: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestReadOnlyDatabase_SaysSo: with the database file read-only (chmod
// 0444), listing and showing work and a change fails with a message saying
// the database is read-only, not an internal error.
func TestReadOnlyDatabase_SaysSo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "stacks.db")
	mustRun(t, db, "new", "chat", "--example", "chat")
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, db, "stacks"); !strings.Contains(out, "chat") {
		t.Fatalf("stacks on a read-only database:\n%s", out)
	}
	for _, args := range [][]string{{"new", "echo"}, {"delete", "chat"}} {
		r := runCLI(t, db, args...)
		want := "switchboard: The database " + db + " is read-only"
		if r.code != 1 || !strings.HasPrefix(r.stderr, want) {
			t.Errorf("switchboard %s: exit %d, stderr %q; want %q", strings.Join(args, " "), r.code, r.stderr, want)
		}
	}
	mustRun(t, db, "show", "chat")
}
