package main

import (
	"context"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
)

// TestHelp_PrintsOnce: a command's --help prints its usage once, on stdout,
// and exits 0. It used to print it on stderr as well.
func TestHelp_PrintsOnce(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
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
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
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

// TestExportDir_StaysInTheFolder: export --dir refuses a template.yaml or a
// handler folder that is a symbolic link out of the folder, and writes
// nothing outside it; files go through a temporary name, so a template
// hard-linked elsewhere is replaced, not rewritten in place.
func TestExportDir_StaysInTheFolder(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "chat", "--example", "chat")
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.yaml")
	if err := os.WriteFile(secret, []byte("mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("SymlinkedTemplate", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Symlink(secret, filepath.Join(dir, "template.yaml")); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, db, "export", "chat", "--dir", dir)
		if r.code != 1 || !strings.Contains(r.stderr, "symbolic link") {
			t.Fatalf("exit %d, stderr %q; want a refusal naming the link", r.code, r.stderr)
		}
		if data, _ := os.ReadFile(secret); string(data) != "mine\n" {
			t.Fatalf("the file outside was written: %q", data)
		}
		if fi, err := os.Lstat(filepath.Join(dir, "template.yaml")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatal("the link was replaced")
		}
	})
	t.Run("SymlinkedHandlerFolder", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Symlink(outside, filepath.Join(dir, "functions")); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, db, "export", "chat", "--dir", dir)
		if r.code != 1 || !strings.Contains(r.stderr, "functions") {
			t.Fatalf("exit %d, stderr %q; want a refusal", r.code, r.stderr)
		}
		entries, _ := os.ReadDir(outside)
		if len(entries) != 1 {
			t.Fatalf("the export wrote outside its folder: %v", entries)
		}
	})
	t.Run("ReplacesThroughATemporaryFile", func(t *testing.T) {
		dir := t.TempDir()
		tmpl := filepath.Join(dir, "template.yaml")
		if err := os.WriteFile(tmpl, []byte("old\n"), 0o640); err != nil {
			t.Fatal(err)
		}
		elsewhere := filepath.Join(outside, "hardlink.yaml")
		if err := os.Link(tmpl, elsewhere); err != nil {
			t.Fatal(err)
		}
		mustRun(t, db, "export", "chat", "--dir", dir)
		if data, _ := os.ReadFile(elsewhere); string(data) != "old\n" {
			t.Fatal("template.yaml was rewritten in place, not replaced by a rename")
		}
		fi, err := os.Stat(tmpl)
		if err != nil || fi.Mode().Perm() != 0o640 {
			t.Fatalf("template.yaml: %v, mode %v; want 0640 kept", err, fi.Mode())
		}
		var leftovers []string
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasPrefix(d.Name(), ".") {
				leftovers = append(leftovers, p)
			}
			return nil
		})
		if len(leftovers) > 0 {
			t.Fatalf("temporary files left: %v", leftovers)
		}
		if _, err := os.Stat(filepath.Join(dir, "functions", "send-handler", "index.mjs")); err != nil {
			t.Fatal(err)
		}
		os.Remove(elsewhere)
	})
}

// TestExportOutput_KeepsMode: export -o over an existing file keeps its
// permissions (a 0600 template stays private); a new file is 0644.
func TestExportOutput_KeepsMode(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "echo", "--example", "echo")
	out := filepath.Join(t.TempDir(), "template.yaml")
	mustRun(t, db, "export", "echo", "-o", out)
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("new file: %v %v, want 0644", err, fi.Mode())
	}
	if err := os.Chmod(out, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, db, "export", "echo", "-o", out)
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("replaced file: %v %v, want 0600 kept", err, fi.Mode())
	}
}

// TestEscapeTerminal: control characters become visible escapes; text,
// newlines and tabs pass unchanged.
func TestEscapeTerminal(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain café\tline\n":        "plain café\tline\n",
		"\x1b[2J\x1b]0;pwned\x07":   `\x1b[2J\x1b]0;pwned\x07`,
		"a\rb\x7f\u009b31m\xff":     `a\x0db\x7f\u009b31m\xff`,
		"\x1b[1A\x1b[2Khidden line": `\x1b[1A\x1b[2Khidden line`,
	} {
		if got := escapeTerminal(in); got != want {
			t.Errorf("escapeTerminal(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestShow_EscapesControlCharacters: a description from an imported or
// shared stack cannot clear the screen or rewrite lines when shown.
func TestShow_EscapesControlCharacters(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "chat", "--example", "chat", "--description", "ok\x1b[2J\x1b]0;title\x07\r\u009b1A")
	out := mustRun(t, db, "show", "chat")
	if strings.ContainsAny(out, "\x1b\x07\r\u009b") {
		t.Fatalf("show printed control characters: %q", out)
	}
	if !strings.Contains(out, `ok\x1b[2J\x1b]0;title\x07\x0d\u009b1A`) {
		t.Fatalf("show should print the description with visible escapes:\n%s", out)
	}
}

// TestRun_EscapesHandlerOutput runs the echo example with a handler that
// logs each message as it is, and sends one holding escape sequences that
// would clear the screen and retitle the window, DEL and a C1 CSI: stderr
// shows them escaped.
func TestRun_EscapesHandlerOutput(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
			t.Fatal("node is not on PATH, and SWITCHBOARD_REQUIRE_TOOLS=1 requires it")
		}
		t.Skip("node is not on PATH: switchboard run starts Node.js handlers")
	}
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "echo", "--example", "echo")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stdout, stderr syncBuffer
	cli := &CLI{Stdout: &stdout, Stderr: &stderr, Ready: func(u string) { ready <- u }, Getenv: func(k string) string {
		if k == "SWITCHBOARD_DB" {
			return db
		}
		return ""
	}}
	code := t.TempDir()
	handler := "export const handler = async (event) => { console.log(JSON.parse(event.body).x); return { statusCode: 200, body: 'ok' } }\n"
	if err := os.MkdirAll(filepath.Join(code, "functions", "echo-function"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(code, "functions", "echo-function", "index.mjs"), []byte(handler), 0o644); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cli.Run(ctx, []string{"run", "echo", "--port", "0", "--code", code}) }()
	var url string
	select {
	case url = <-ready:
	case err := <-done:
		t.Fatalf("run stopped: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not start\n%s", stderr.String())
	}
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
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
}

// TestShow_EventKinds: show lists a stack's buses, rules, buckets and
// streams with what each is wired to.
func TestShow_EventKinds(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "import", filepath.Join("..", "..", "internal", "export", "testdata", "events.yaml"))
	out := mustRun(t, db, "show", "events")
	for _, want := range []string{"bus Orders: match → OrderPlaced", "rule OrderPlaced: trigger → Processor, deliver → Audit", "bucket Uploads: notify → Processor", "stream Clicks"} {
		if !strings.Contains(out, want) {
			t.Errorf("show does not say %q:\n%s", want, out)
		}
	}
}
