//go:build !race

// These tests drive the program from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; the run, serve and watch tests run under
// -race).

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store/storetest"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func TestImportCommand(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	dir := filepath.Dir(db)

	out := mustRun(t, db, "import", "../../internal/importer/testdata/cfn/chat.yaml")
	for _, want := range []string{
		"Created stack chat from ../../internal/importer/testdata/cfn/chat.yaml (CloudFormation)",
		"WebSocket API ChatApi: routes $connect, $disconnect, sendMessage",
		"3 functions: ConnectFunction, SendFunction, AuthFunction",
		"ChatApi $disconnect → ConnectFunction (integration)",
		"queue AuditQueue",
		"queue AuditQueue keeps itself: Condition",
		"1 parameter: Stage",
		"template sections: Mappings, Conditions, Outputs",
		`Note: function SendFunction: runtime "nodejs20.x"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, db, "show", "chat")
	if !strings.Contains(out, "$connect       → ConnectFunction  [authorized]") {
		t.Errorf("show after import:\n%s", out)
	}

	// From stdin, named, and a dry run that creates nothing.
	serverless, err := os.ReadFile("../../internal/importer/testdata/serverless/serverless.yml")
	if err != nil {
		t.Fatal(err)
	}
	r := runCLIWith(t, db, nil, string(serverless), "import", "-", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "Would create stack chat-app from stdin (serverless.yml)") {
		t.Fatalf("dry run: %+v", r)
	}
	if out := mustRun(t, db, "stacks"); strings.Contains(out, "chat-app") {
		t.Fatalf("a dry run created a stack:\n%s", out)
	}
	r = runCLIWith(t, db, nil, string(serverless), "import", "--name", "ws", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "Created stack ws from stdin") {
		t.Fatalf("import from stdin: %+v", r)
	}

	// The same name again is a conflict; nothing changes.
	r = runCLI(t, db, "import", "../../internal/importer/testdata/cfn/chat.json", "--name", "chat")
	if r.code != 1 || !strings.Contains(r.stderr, "chat") {
		t.Fatalf("a taken name must fail: %+v", r)
	}

	// A malformed file names the line and column, and creates nothing.
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("Resources:\n  Api:\n    Type: AWS::SQS::Queue\n   Properties: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, db, "import", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.yaml:4:4:") {
		t.Fatalf("malformed file: %+v", r)
	}
	if out := mustRun(t, db, "stacks"); strings.Contains(out, "bad") {
		t.Fatalf("a malformed file created a stack:\n%s", out)
	}

	// What the import kept survives the store.
	st := mustOpenStore(t, db)
	s, err := st.StackByName(context.Background(), "chat")
	if err != nil {
		t.Fatal(err)
	}
	// The queue is a node of its own now, and keeps its Condition.
	if len(s.Others) != 2 || len(s.Queues) != 1 || model.KeptPart(s.Queues[0].Kept, model.PartMain) == nil || s.Section("Conditions") == nil || model.KeptPart(s.Functions[1].Kept, model.PartMain) == nil {
		t.Errorf("the stored stack lost what the import kept: others %d, sections %v, kept %v", len(s.Others), s.Sections, s.Functions[1].Kept)
	}
}

func TestImportUsage(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	if r := runCLI(t, db, "import"); r.code != 2 || !strings.Contains(r.stderr, "import: missing FILE") {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, db, "import", "nope.yaml"); r.code != 1 || !strings.Contains(r.stderr, "nope.yaml") {
		t.Fatalf("%+v", r)
	}
}

// TestImportStopsOnInterrupt: the import runs under the command's context,
// which main cancels on Ctrl-C or SIGTERM; a cancelled one creates nothing.
func TestImportStopsOnInterrupt(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	cli := &CLI{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		if k == "SWITCHBOARD_DB" {
			return db
		}
		return ""
	}}
	err := cli.Run(ctx, []string{"import", "--dry-run", "../../internal/importer/testdata/cdk/chat.template.json"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v\n%s", err, stdout.String())
	}
	if stdout.Len() > 0 {
		t.Errorf("a cancelled import printed %q", stdout.String())
	}
}

// TestImportReplace: import --replace turns an edited export into the
// stack's next revision on the database file, as the Template tab's Apply
// does: nodes keep their IDs, places and wires, the history gains one step
// that Undo takes back. A file that cannot be applied is refused with its
// file:line:column and leaves the stack as it was.
func TestImportReplace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Path(t, "stacks.db")
	dir := filepath.Dir(db)
	mustRun(t, db, "new", "chat", "--example", "chat")
	st := mustOpenStore(t, db)
	before, err := st.StackByName(ctx, "chat")
	if err != nil {
		t.Fatal(err)
	}
	send := functionNamed(t, before, "SendHandler")
	// A place of the user's own, which the template does not carry.
	moved, err := st.MoveNode(ctx, before.ID, before.Revision, send.ID, model.Position{X: 1234, Y: 567})
	if err != nil {
		t.Fatal(err)
	}
	exported := filepath.Join(dir, "template.yaml")
	mustRun(t, db, "export", "chat", "-o", exported)
	text, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	edited := editFunctionTimeout(t, text, "SendHandler", "10", "30")
	if err := os.WriteFile(exported, edited, 0o644); err != nil {
		t.Fatal(err)
	}

	// A dry run says what would change, and changes nothing.
	if out := mustRun(t, db, "import", "--replace", "chat", exported, "--dry-run"); !strings.Contains(out, "Would replace stack chat from "+exported) {
		t.Fatalf("dry run:\n%s", out)
	}
	if s := stackNamed(t, st, "chat"); s.Revision != moved.Revision {
		t.Fatalf("a dry run saved revision %d", s.Revision)
	}

	out := mustRun(t, db, "import", exported, "--replace", "chat")
	if !strings.Contains(out, "Replaced stack chat from "+exported) || !strings.Contains(out, fmt.Sprintf("revision %d", moved.Revision+1)) {
		t.Fatalf("replace:\n%s", out)
	}
	after := stackNamed(t, st, "chat")
	if after.Revision != moved.Revision+1 {
		t.Fatalf("revision %d after the replace, want %d", after.Revision, moved.Revision+1)
	}
	if got := functionNamed(t, after, "SendHandler"); got.ID != send.ID || got.Position != (model.Position{X: 1234, Y: 567}) || got.Timeout != 30 {
		t.Fatalf("SendHandler after the replace: ID %s (was %s), at %v, timeout %d", got.ID, send.ID, got.Position, got.Timeout)
	}
	// Nothing else changed: every other node where it was, every wire kept.
	for _, n := range before.Nodes() {
		m, ok := after.Node(n.ID)
		if !ok || m.Name != n.Name || (n.ID != send.ID && m.Position != n.Position) {
			t.Errorf("node %s (%s) after the replace: %+v", n.ID, n.Name, m)
		}
	}
	if len(after.Wires) != len(before.Wires) {
		t.Errorf("%d wires after the replace, %d before", len(after.Wires), len(before.Wires))
	}
	for i, w := range before.Wires {
		if after.Wires[i].ID != w.ID || after.Wires[i].From != w.From || after.Wires[i].To != w.To {
			t.Errorf("wire %s became %+v", w.ID, after.Wires[i])
		}
	}
	steps, err := st.Steps(ctx, after.ID)
	if err != nil || steps.Undo != "replace with template.yaml" {
		t.Fatalf("undo step %q (%v)", steps.Undo, err)
	}
	undone, err := st.Undo(ctx, after.ID, after.Revision)
	if err != nil || functionNamed(t, undone, "SendHandler").Timeout != 10 {
		t.Fatalf("undo of the replace: %v", err)
	}
	if out := mustRun(t, db, "import", "--replace", "chat", exported); !strings.Contains(out, "Replaced") {
		t.Fatalf("replace again after the undo:\n%s", out)
	}
	current := stackNamed(t, st, "chat")

	// Refused, each with its file:line:column, and nothing saved: a file
	// that is not YAML, and one that is not a valid stack (a route key
	// used twice).
	broken := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(broken, []byte("Resources:\n  Api:\n    Type: AWS::SQS::Queue\n   Properties: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	twice := filepath.Join(dir, "twice.yaml")
	if err := os.WriteFile(twice, bytes.Replace(edited, []byte("RouteKey: sendMessage"), []byte("RouteKey: $connect"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	twiceLine := lineOf(t, edited, "RouteKey: sendMessage")
	for file, want := range map[string]string{
		broken: broken + ":4:4: ",
		twice:  fmt.Sprintf("%s:%d:", twice, twiceLine),
	} {
		r := runCLI(t, db, "import", "--replace", "chat", file)
		if r.code != 1 || !strings.Contains(r.stderr, want) || r.stdout != "" {
			t.Errorf("replace with %s: want exit 1 and %q on stderr, got %+v", filepath.Base(file), want, r)
		}
		if s := stackNamed(t, st, "chat"); s.Revision != current.Revision || functionNamed(t, s, "SendHandler").Timeout != 30 {
			t.Fatalf("a refused replace changed the stack: revision %d, was %d", s.Revision, current.Revision)
		}
	}

	if r := runCLI(t, db, "import", "--replace", "chat", "--name", "other", exported); r.code != 2 {
		t.Errorf("--replace with --name: %+v", r)
	}
	if r := runCLI(t, db, "import", "--replace", "nothing", exported); r.code != 1 || !strings.Contains(r.stderr, `"nothing"`) {
		t.Errorf("--replace of no such stack: %+v", r)
	}
}

func functionNamed(t *testing.T, s *model.Stack, name string) *model.Function {
	t.Helper()
	for _, f := range s.Functions {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no function %s in %s", name, s.Name)
	return nil
}

func lineOf(t *testing.T, text []byte, s string) int {
	t.Helper()
	i := bytes.Index(text, []byte(s))
	if i < 0 {
		t.Fatalf("%q is not in the text", s)
	}
	return bytes.Count(text[:i], []byte("\n")) + 1
}
