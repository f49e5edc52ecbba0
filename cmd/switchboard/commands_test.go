//go:build !race

// These tests drive the program from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; the run, serve and watch tests run under
// -race).

package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"github.com/switchboard-dev/switchboard/internal/testtool"
	"gopkg.in/yaml.v3"
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

// TestExportDirWritesParameterFiles: export --dir writes each environment
// as parameters/<env>.json, a list of "Key=Value" strings as
// aws cloudformation deploy --parameter-overrides file://… reads it
// (export's TestDeployEnvironmentToMoto deploys one with the AWS CLI).
func TestExportDirWritesParameterFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "stacks.db")
	mustRun(t, db, "new", "chat", "--example", "chat")
	st := mustOpenStore(t, db)
	ctx := context.Background()
	stack, err := st.StackByName(ctx, "chat")
	if err != nil {
		t.Fatal(err)
	}
	def := "3"
	if _, _, err := st.Edit(ctx, stack.ID, stack.Revision, func(s *model.Stack) error {
		s.Parameters = []*model.Parameter{{Name: "Stage", Default: &def}}
		s.Environments = []*model.Environment{{Name: "dev", Values: map[string]string{"Stage": "dev"}}, {Name: "prod", Values: map[string]string{"Stage": "a=b"}}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	mustRun(t, db, "export", "chat", "--dir", out)
	for env, want := range map[string]string{"dev": "[\n  \"Stage=dev\"\n]\n", "prod": "[\n  \"Stage=a=b\"\n]\n"} {
		data, err := os.ReadFile(filepath.Join(out, "parameters", env+".json"))
		if err != nil || string(data) != want {
			t.Errorf("parameters/%s.json = %q, %v; want %q", env, data, err, want)
		}
	}
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

// TestRunFlagsAreChecked: the new flags refuse values that make no sense.
func TestRunFlagsAreChecked(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "echo", "--example", "echo")
	for _, args := range [][]string{{"--concurrency", "-1"}, {"--idle-timeout", "0s"}, {"--max-connection-duration", "-1m"}, {"--integration-timeout", "0s"}, {"--integration-timeout", "soon"}} {
		if r := runCLI(t, db, append([]string{"run", "echo"}, args...)...); r.code != 2 || !strings.Contains(r.stderr, args[0][2:]) {
			t.Errorf("%v: exit %d, stderr %q, want a usage error", args, r.code, r.stderr)
		}
	}
}

// TestSDKInstallCommand: `switchboard sdk install` installs the Node.js SDK
// into the cache $SWITCHBOARD_SDK_CACHE names, from npm's cache only, and
// prints where; when npm cannot install it, the command says what it tried
// and fails naming the fix. The first install goes to the tests' shared
// cache (testtool.SharedSDKCache), so a machine pays for it once; lambdaemu
// tests the install into an empty cache.
func TestSDKInstallCommand(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not on PATH")
	}
	shared, err := testtool.SharedSDKCache()
	if err != nil {
		t.Fatal(err)
	}
	sdkInstall := func(cache string) (stdout, stderr string, err error) {
		var out, errOut syncBuffer
		cli := &CLI{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string {
			if k == "SWITCHBOARD_SDK_CACHE" {
				return cache
			}
			return ""
		}}
		err = cli.Run(context.Background(), []string{"sdk", "install", "--python=false"})
		return out.String(), errOut.String(), err
	}
	t.Setenv("npm_config_offline", "true")
	stdout, stderr, err := sdkInstall(shared)
	if err != nil {
		t.Fatalf("sdk install: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, filepath.Join(shared, "node-")) {
		t.Fatalf("stdout %q, stderr %q; want the folder the SDK is in", stdout, stderr)
	}

	t.Setenv("npm_config_offline", "false")
	t.Setenv("npm_config_cache", t.TempDir())
	t.Setenv("npm_config_registry", "http://127.0.0.1:1/")
	_, stderr, err = sdkInstall(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "`switchboard sdk install`") {
		t.Fatalf("offline sdk install: %v", err)
	}
	if !strings.Contains(stderr, "installing the AWS SDK for JavaScript v3") {
		t.Fatalf("stderr %q does not say what the command installs", stderr)
	}
}
