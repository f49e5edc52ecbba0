package importer_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestSAMFunctionKeptWhole: a SAM function using what a plain function
// cannot say stays as it is, and so does the SAM transform.
func TestSAMFunctionKeptWhole(t *testing.T) {
	t.Parallel()
	src := `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Cron:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: cron/
      Handler: app.handler
      Runtime: nodejs22.x
      Events:
        Nightly:
          Type: Schedule
          Properties: {Schedule: rate(1 day)}
`
	res, err := importer.Parse("sam.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	if len(s.Functions) != 0 || len(s.Others) != 1 || s.Others[0].Type != "AWS::Serverless::Function" {
		t.Fatalf("the function must stay a SAM function; got %+v", res.Summary)
	}
	if string(s.Section("Transform")) != `"AWS::Serverless-2016-10-31"` {
		t.Fatalf("the transform must stay; sections %v", res.Summary.Sections)
	}
	if len(res.Summary.Notes) != 1 || !strings.Contains(res.Summary.Notes[0], "has Events") {
		t.Fatalf("a note must say why; got %v", res.Summary.Notes)
	}
}

// TestLongLogicalID: a logical ID too long to derive names from becomes a
// shorter node name, and the source ID is kept.
func TestLongLogicalID(t *testing.T) {
	t.Parallel()
	long := "Connections" + strings.Repeat("X", 200)
	src := "Resources:\n  " + long + ":\n    Type: AWS::DynamoDB::Table\n    Properties:\n      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
	res, err := importer.Parse("long.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tbl := res.Stack.Tables[0]
	if len(tbl.Name) > 100 || !strings.HasPrefix(long, tbl.Name) {
		t.Fatalf("node name %q", tbl.Name)
	}
	if k := model.KeptPart(tbl.Kept, model.PartMain); k == nil || k.LogicalID != long {
		t.Fatalf("the source ID must be kept; got %+v", tbl.Kept)
	}
	res.Stack.Name = "long"
	if err := res.Stack.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestCDKFixtureIsFresh synthesizes the CDK app again and compares it with
// the committed fixture. It needs node and the packages of
// testdata/cdk (npm ci there).
func TestCDKFixtureIsFresh(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("synthesizing takes seconds")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
			t.Fatal("node is not on PATH, and SWITCHBOARD_REQUIRE_TOOLS=1 requires it")
		}
		t.Skip("node is not on PATH; install Node.js 20+ to check the CDK fixture")
	}
	if _, err := os.Stat("testdata/cdk/node_modules/aws-cdk-lib"); err != nil {
		t.Skip("run npm ci in importer/testdata/cdk to check the CDK fixture against aws-cdk-lib")
	}
	out := filepath.Join(t.TempDir(), "chat.template.json")
	cmd := exec.Command(node, "app.mjs", out)
	cmd.Dir = "testdata/cdk"
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node app.mjs: %v\n%s", err, msg)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile("testdata/cdk/chat.template.json")
	if !bytes.Equal(got, want) {
		t.Fatal("testdata/cdk/chat.template.json is stale: run npm run synth in importer/testdata/cdk and go test ./importer -update")
	}
}

func TestSuggestName(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]string{
		"chat.template.json": "chat-template", "My Stack (1).yaml": "My-Stack-1", "template.yaml": "imported",
		"42-chat.yml": "chat", "": "imported", `C:\dir\ws.json`: "ws",
	} {
		if got := importer.SuggestName(nil, file); got != want {
			t.Errorf("SuggestName(%q) = %q, want %q", file, got, want)
		}
	}
	res := MustImport(t, "testdata/serverless/serverless.yml")
	res.Stack.Name = "chat-app"
	if got := importer.SuggestName(res, "serverless.yml"); got != "chat-app" {
		t.Errorf("a serverless.yml names its stack after the service; got %q", got)
	}
}

// BenchmarkImportCDK imports the CDK fixture, the largest real template.
func BenchmarkImportCDK(b *testing.B) {
	data, err := os.ReadFile("testdata/cdk/chat.template.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := importer.Parse("chat.template.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportYAML imports the hand-written YAML fixture.
func BenchmarkImportYAML(b *testing.B) {
	data, err := os.ReadFile("testdata/cfn/chat.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := importer.Parse("chat.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBracketsInTextAreNotNesting: brackets in quoted scalars, block
// scalars' quoted lines and comments do not count towards the nesting
// limit.
func TestBracketsInTextAreNotNesting(t *testing.T) {
	t.Parallel()
	many := strings.Repeat("[", 300)
	src := "# " + many + "\nDescription: \"" + many + "\"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: '" + many + "'\n      Tags: [{Key: it's, Value: \"a\\\"" + many + "\"}]\n"
	res, err := importer.Parse("brackets.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stack.Description != many {
		t.Fatalf("description %q", res.Stack.Description)
	}
}

// TestDanglingReferenceIsRefused: a Ref or Fn::GetAtt of a name the
// template does not define is refused where it is written (CloudFormation
// refuses it too); before, the import went on and a round trip lost what
// the function kept (FuzzImport's 2289b64dd6c10b2c).
func TestDanglingReferenceIsRefused(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		src       string
		line, col int
	}{
		"GetAtt in a property": {"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt MissingRole.Arn\n", 5, 13},
		"Ref in an output":     {"Resources:\n  Q:\n    Type: AWS::SQS::Queue\nOutputs:\n  O:\n    Value: {Ref: Nope}\n", 6, 12},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := importer.Parse("bad.yaml", []byte(tc.src))
			var se *importer.SourceError
			if !errors.As(err, &se) || se.Line != tc.line || se.Col != tc.col {
				t.Fatalf("got %v (%+v), want a SourceError at %d:%d", err, se, tc.line, tc.col)
			}
			if model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("code %s", model.ErrorCode(err))
			}
		})
	}
	// Parameters and pseudo parameters are names too.
	ok := "Parameters:\n  Role:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${AWS::StackName}'\n      Tags:\n        - Key: r\n          Value: !Ref Role\n        - Key: s\n          Value: !Ref AWS::Region\n"
	if _, err := importer.Parse("ok.yaml", []byte(ok)); err != nil {
		t.Fatal(err)
	}
}
