package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
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

func TestCommandLineLifecycle(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")

	out := mustRun(t, db, "new", "chat", "--example", "chat")
	if !strings.Contains(out, "Created stack chat with 5 resources") {
		t.Fatalf("new: %q", out)
	}
	mustRun(t, db, "new", "echo", "--example", "echo", "--description", "Echo for tests")
	mustRun(t, db, "new", "blank")

	out = mustRun(t, db, "stacks")
	for _, want := range []string{"NAME", "blank", "chat", "echo"} {
		if !strings.Contains(out, want) {
			t.Fatalf("stacks output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "blank") > strings.Index(out, "chat") {
		t.Fatalf("stacks must be listed by name:\n%s", out)
	}

	out = mustRun(t, db, "show", "chat")
	for _, want := range []string{"WebSocket API ChatApi", "sendMessage", "→ SendHandler", "read-write table Connections (CONNECTIONS_TABLE_NAME)", "sends to ChatApi connections (CHAT_API_CONNECTIONS_URL)", "No problems"} {
		if !strings.Contains(out, want) {
			t.Fatalf("show output lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, db, "show", "echo", "--json")
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc["description"] != "Echo for tests" {
		t.Fatalf("show --json: %v %v\n%s", err, doc["description"], out)
	}

	t.Run("ExportYAMLToStdout", func(t *testing.T) {
		out := mustRun(t, db, "export", "chat")
		var tmpl map[string]any
		if err := yaml.Unmarshal([]byte(out), &tmpl); err != nil {
			t.Fatalf("stdout is not YAML: %v", err)
		}
		if !strings.Contains(out, "AWS::ApiGatewayV2::Route") || !strings.Contains(out, "wss://") {
			t.Fatalf("template lacks routes or the wss URL:\n%s", out)
		}
		if again := mustRun(t, db, "export", "chat"); again != out {
			t.Fatal("two exports of the same stack differ")
		}
	})
	t.Run("ExportJSONToFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out", "template.json")
		mustRun(t, db, "export", "echo", "--format", "json", "-o", path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(data) || !strings.Contains(string(data), "AWS::ApiGatewayV2::RouteResponse") {
			t.Fatalf("not the echo template as JSON:\n%s", data)
		}
	})
	t.Run("ExportDirWritesScaffoldsOnce", func(t *testing.T) {
		dir := t.TempDir()
		out := mustRun(t, db, "export", "chat", "--dir", dir)
		if !strings.Contains(out, "functions/send-handler") {
			t.Fatalf("export --dir should list the scaffolds it wrote:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(dir, "template.yaml")); err != nil {
			t.Fatal(err)
		}
		userCode := filepath.Join(dir, "functions", "send-handler", "index.mjs")
		if err := os.WriteFile(userCode, []byte("// mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out = mustRun(t, db, "export", "chat", "--dir", dir)
		if !strings.Contains(out, "no scaffolds were written") {
			t.Fatalf("a second export must write no scaffolds:\n%s", out)
		}
		if data, _ := os.ReadFile(userCode); string(data) != "// mine\n" {
			t.Fatal("export overwrote user code")
		}
	})

	t.Run("ErrExportIncompleteStack", func(t *testing.T) {
		r := runCLI(t, db, "export", "blank")
		if r.code != 1 || !strings.Contains(r.stderr, "no resources yet") || r.stdout != "" {
			t.Fatalf("want exit 1 naming the problem and no output, got %+v", r)
		}
	})
	t.Run("ErrDuplicateName", func(t *testing.T) {
		r := runCLI(t, db, "new", "chat")
		if r.code != 1 || !strings.Contains(r.stderr, "already exists") {
			t.Fatalf("want exit 1 and 'already exists', got %+v", r)
		}
	})
	t.Run("ErrInvalidName", func(t *testing.T) {
		r := runCLI(t, db, "new", "my stack")
		if r.code != 1 || !strings.Contains(r.stderr, "must start with a letter") {
			t.Fatalf("want exit 1 explaining the name rule, got %+v", r)
		}
	})
	t.Run("ErrUnknownStack", func(t *testing.T) {
		r := runCLI(t, db, "show", "nope")
		if r.code != 1 || !strings.Contains(r.stderr, "nope") {
			t.Fatalf("want exit 1 naming the stack, got %+v", r)
		}
	})
	t.Run("ErrUnknownExample", func(t *testing.T) {
		r := runCLI(t, db, "new", "x", "--example", "poker")
		if r.code != 1 || !strings.Contains(r.stderr, `unknown example "poker"`) {
			t.Fatalf("got %+v", r)
		}
	})

	mustRun(t, db, "delete", "chat")
	if r := runCLI(t, db, "show", "chat"); r.code != 1 {
		t.Fatalf("a deleted stack must be gone, got %+v", r)
	}
}

func TestCommandLineUsage(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"Help", []string{"--help"}, 0, "Commands:", ""},
		{"CommandHelp", []string{"export", "--help"}, 0, "-format", ""},
		{"HelpCommand", []string{"help", "new"}, 0, "-example", ""},
		{"UnknownCommand", []string{"deploy"}, 2, "", `unknown command "deploy"`},
		{"UnknownFlag", []string{"stacks", "--colour"}, 2, "", "flag provided but not defined: -colour"},
		{"MissingName", []string{"show"}, 2, "", "show: missing NAME"},
		{"ExtraArgument", []string{"delete", "a", "b"}, 2, "", `unexpected argument "b"`},
		{"BadFormat", []string{"export", "x", "--format", "xml"}, 2, "", "xml"},
		{"OutputAndDir", []string{"export", "x", "-o", "a", "--dir", "b"}, 2, "", "not both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, db, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("want exit %d, stdout ~%q, stderr ~%q; got %+v", tc.code, tc.stdout, tc.stderr, r)
			}
		})
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	t.Run("ServeCommand", func(t *testing.T) {
		testServe(t, []string{"serve", "--addr", "127.0.0.1:0"}, nil)
	})
	t.Run("NoCommandServes", func(t *testing.T) {
		testServe(t, nil, map[string]string{"SWITCHBOARD_ADDR": "127.0.0.1:0"})
	})
}

// testServe runs the program with args until it serves, checks the stacks
// page, then interrupts it and expects a clean shutdown.
func testServe(t *testing.T, args []string, env map[string]string) {
	t.Helper()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "chat", "--example", "chat")

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stderr bytes.Buffer
	getenv := func(k string) string {
		if k == "SWITCHBOARD_DB" {
			return db
		}
		return env[k]
	}
	cli := &CLI{Stdout: io.Discard, Stderr: &stderr, Getenv: getenv, Ready: func(u string) { ready <- u }}
	go func() { done <- cli.Run(ctx, args) }()
	var url string
	select {
	case url = <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}

	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "chat") || !strings.Contains(string(body), "WebSocket chat") {
		t.Fatalf("GET / = %d:\n%s", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Fatalf("serve should log its shutdown:\n%s", stderr.String())
	}
}
