package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "stacks.db")

	out := mustRun(t, db, "import", "../../internal/importer/testdata/cfn/chat.yaml")
	for _, want := range []string{
		"Created stack chat from ../../internal/importer/testdata/cfn/chat.yaml (CloudFormation)",
		"WebSocket API ChatApi: routes $connect, $disconnect, sendMessage",
		"3 functions: ConnectFunction, SendFunction, AuthFunction",
		"ChatApi $disconnect → ConnectFunction (integration)",
		"queue AuditQueue",
		"queue AuditQueue keeps itself: Condition",
		"template sections: Parameters, Mappings, Conditions, Outputs",
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
	db := filepath.Join(t.TempDir(), "stacks.db")
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
	db := filepath.Join(t.TempDir(), "stacks.db")
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
