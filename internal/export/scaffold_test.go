package export

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func TestScaffoldsChooseFromWires(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		stack func(t testing.TB) *model.Stack
		path  string
		has   []string
		lacks []string
	}{
		{"ConnectionHandlerStoresAndDeletesIDs", func(t testing.TB) *model.Stack { return mustExample(t, "chat") },
			"functions/connection-handler/index.mjs",
			[]string{"PutItemCommand", "DeleteItemCommand", "process.env.CONNECTIONS_TABLE_NAME", `"connectionId": { S: connectionId }`, "export const handler"}, nil},
		{"SenderWithReadOnlyTableBroadcastsWithoutDeleting", func(t testing.TB) *model.Stack { return mustExample(t, "chat") },
			"functions/send-handler/index.mjs",
			[]string{"PostToConnectionCommand", "ScanCommand", "process.env.CHAT_API_CONNECTIONS_URL.replace(/\\/@connections$/, \"\")", "GoneException"},
			[]string{"DeleteItemCommand"}},
		{"SenderWithoutTableRepliesToCaller", func(t testing.TB) *model.Stack { return mustExample(t, "chat") },
			"functions/default-handler/index.mjs",
			[]string{"PostToConnectionCommand", "ConnectionId: connectionId"}, []string{"ScanCommand"}},
		{"SenderWithReadWriteTableDeletesGoneConnections", func(t testing.TB) *model.Stack {
			s := mustExample(t, "chat")
			s.Wires[5].Kind = model.WireReadWrite // SendHandler → Connections
			return s
		}, "functions/send-handler/index.mjs", []string{"ScanCommand", "DeleteItemCommand"}, nil},
		{"TwoWayRouteEchoes", func(t testing.TB) *model.Stack { return mustExample(t, "echo") },
			"functions/echo-function/index.mjs", []string{"body: event.body"}, nil},
		{"AuthorizerDeniesUntilEdited", authorizedStack,
			"functions/authorizer/index.mjs", []string{`Effect: allowed ? "Allow" : "Deny"`, "const allowed = false"}, nil},
		{"PythonFunctionGetsAReadme", featureStack,
			"functions/order-writer/README.md", []string{"python3.13", "`orders/put`", "ORDERS_TABLE_NAME", "`GREETING`"}, nil},
		{"OtherHandlerNamesItsFileAndExport", func(t testing.TB) *model.Stack {
			s := mustExample(t, "echo")
			s.Functions[0].Handler = "src/app.main"
			return s
		}, "functions/echo-function/src/app.mjs", []string{"export const main"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := Scaffolds(tc.stack(t))
			got, ok := files[tc.path]
			if !ok {
				t.Fatalf("no %s among %v", tc.path, slices.Sorted(mapKeys(files)))
			}
			for _, want := range tc.has {
				if !bytes.Contains(got, []byte(want)) {
					t.Errorf("%s lacks %q:\n%s", tc.path, want, got)
				}
			}
			for _, unwanted := range tc.lacks {
				if bytes.Contains(got, []byte(unwanted)) {
					t.Errorf("%s has %q:\n%s", tc.path, unwanted, got)
				}
			}
		})
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestScaffoldsAreDeterministic(t *testing.T) {
	t.Parallel()
	a, b := Scaffolds(authorizedStack(t)), Scaffolds(authorizedStack(t))
	if len(a) != 4 {
		t.Errorf("got %d files, want one per function (4)", len(a))
	}
	for p, content := range a {
		if !bytes.Equal(content, b[p]) {
			t.Errorf("%s differs between two calls", p)
		}
	}
}

func TestScaffoldsSkipUnsafePaths(t *testing.T) {
	t.Parallel()
	s := mustExample(t, "echo")
	for _, p := range []string{"../outside", "/etc/x", ""} {
		s.Functions[0].CodePath = p
		if files := Scaffolds(s); len(files) != 0 {
			t.Errorf("code path %q: got %v", p, slices.Sorted(mapKeys(files)))
		}
	}
	if files := Scaffolds(nil); len(files) != 0 {
		t.Errorf("nil stack: got %d files", len(files))
	}
}

func TestWriteScaffolds(t *testing.T) {
	t.Parallel()
	t.Run("WritesEveryMissingFolder", func(t *testing.T) {
		dir := t.TempDir()
		written, err := WriteScaffolds(dir, mustExample(t, "chat"))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"functions/connection-handler/index.mjs", "functions/default-handler/index.mjs", "functions/send-handler/index.mjs"}
		mustEq(t, "written", written, want)
		for _, p := range want {
			if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("LeavesExistingFoldersAlone", func(t *testing.T) {
		dir := t.TempDir()
		mine := filepath.Join(dir, "functions", "send-handler", "index.mjs")
		if err := os.MkdirAll(filepath.Dir(mine), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(mine, []byte("// mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		// An existing but empty folder is the user's too.
		if err := os.MkdirAll(filepath.Join(dir, "functions", "default-handler"), 0o755); err != nil {
			t.Fatal(err)
		}
		written, err := WriteScaffolds(dir, mustExample(t, "chat"))
		if err != nil {
			t.Fatal(err)
		}
		mustEq(t, "written", written, []string{"functions/connection-handler/index.mjs"})
		if got, _ := os.ReadFile(mine); string(got) != "// mine\n" {
			t.Errorf("existing file overwritten: %q", got)
		}
		if entries, _ := os.ReadDir(filepath.Join(dir, "functions", "default-handler")); len(entries) != 0 {
			t.Errorf("wrote into an existing folder: %v", entries)
		}
	})
	t.Run("SecondRunWritesNothing", func(t *testing.T) {
		dir := t.TempDir()
		s := mustExample(t, "chat")
		if _, err := WriteScaffolds(dir, s); err != nil {
			t.Fatal(err)
		}
		written, err := WriteScaffolds(dir, s)
		if err != nil || len(written) != 0 {
			t.Errorf("second run wrote %v, %v", written, err)
		}
	})
}

// TestScaffoldsParseAsJavaScript runs node --check on every .mjs scaffold
// of every stack the tests build.
func TestScaffoldsParseAsJavaScript(t *testing.T) {
	t.Parallel()
	requireTool(t, "node")
	dir := t.TempDir()
	seen := map[string]bool{}
	stacks := []*model.Stack{mustExample(t, "chat"), mustExample(t, "echo"), authorizedStack(t), featureStack(t)}
	readWrite := mustExample(t, "chat")
	readWrite.Name = "chat-read-write"
	readWrite.Wires[5].Kind = model.WireReadWrite
	oneWay := mustExample(t, "echo")
	oneWay.Name = "echo-one-way"
	oneWay.APIs[0].Routes[0].TwoWay = false
	stacks = append(stacks, readWrite, oneWay)
	n := 0
	for _, s := range stacks {
		files := Scaffolds(s)
		for _, p := range slices.Sorted(mapKeys(files)) {
			content := files[p]
			if !strings.HasSuffix(p, ".mjs") || seen[string(content)] {
				continue
			}
			seen[string(content)] = true
			n++
			file := filepath.Join(dir, strings.ReplaceAll(p, "/", "_"))
			if err := os.WriteFile(file, content, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Run(s.Name+"/"+p+"/PassesNodeCheck", func(t *testing.T) {
				if out, err := runTool(t, dir, nil, "node", "--check", file); err != nil {
					t.Errorf("node --check: %v\n%s\n%s", err, out, content)
				}
			})
		}
	}
	if n < 7 {
		t.Errorf("checked %d distinct scaffolds; want every kind (7)", n)
	}
}

// TestScaffoldNamesServiceVariables: a function's starter code names the
// variable each of its service wires gives it, and what it may do with it.
func TestScaffoldNamesServiceVariables(t *testing.T) {
	t.Parallel()
	s := everythingStack(t)
	for fn, want := range map[string][]string{
		"fn4": {"// process.env.AUDIT_QUEUE_URL: the URL of queue Audit, which it may call with sqs:SendMessage\n",
			"// process.env.FLOW_STATE_MACHINE_ARN: the ARN of state machine Flow, which it may call with states:StartExecution\n"},
		"fn5": {"// process.env.UPLOADS_BUCKET_NAME: the name of bucket Uploads, which it may call with s3:GetObject, s3:ListBucket\n",
			"// process.env.CLICKS_STREAM_NAME: the name of stream Clicks, which it may call with kinesis:PutRecord, kinesis:PutRecords\n",
			"// process.env.NOTICES_TOPIC_ARN: the ARN of topic Notices, which it may call with sns:Publish\n",
			"// process.env.COMMERCE_BUS_NAME: the name of bus Commerce, which it may call with events:PutEvents\n"},
	} {
		_, content := Scaffold(s, s.Function(fn))
		for _, w := range want {
			if !strings.Contains(string(content), w) {
				t.Errorf("%s's scaffold does not say %q:\n%s", fn, w, content)
			}
		}
	}
}
