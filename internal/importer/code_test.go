package importer_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestServerlessServiceFolder: a serverless.yml function whose handler
// names no folder runs from the service folder itself (handler.handler →
// handler.js beside the serverless.yml), and its websocket events give it
// the send wire the Framework's role grants, so the run sets its
// <API>_CONNECTIONS_URL.
func TestServerlessServiceFolder(t *testing.T) {
	s := MustImport(t, "testdata/serverless/twoway/serverless.yml").Stack
	if len(s.Functions) != 1 {
		t.Fatalf("functions = %d", len(s.Functions))
	}
	f := s.Functions[0]
	if f.CodePath != "." || f.Handler != "handler.handler" {
		t.Errorf("code %q handler %q; want the service folder and handler.handler", f.CodePath, f.Handler)
	}
	sends := 0
	for _, w := range s.Wires {
		if w.Kind == model.WireSend && w.From == f.ID && w.To == s.APIs[0].ID {
			sends++
		}
	}
	if sends != 1 {
		t.Errorf("send wires from %s = %d, want 1: %+v", f.Name, sends, s.Wires)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("the import is complete: %v", err)
	}
}

// TestServerlessVariablesBecomeParameters: ${env:…}, ${opt:…} and
// ${param:…} become stack parameters with their defaults (an empty one
// kept as empty, none as none) rather than values fixed at import; the
// environment uses them as ${Name}, other places as Ref or Sub. ${self:…}
// is what the file says; ${ssm:…} stays and is a problem to resolve.
func TestServerlessVariablesBecomeParameters(t *testing.T) {
	src := `service: vars
custom:
  table: ${self:service}-conns-${sls:stage}
provider:
  name: aws
  runtime: nodejs22.x
  stage: ${opt:stage, 'beta'}
  environment:
    WS_PORT: ${env:WS_PORT, '3001'}
    LOG_EVENTS: ${env:LOG_EVENTS, ''}
    SECRET: ${param:apiSecret}
    URL: http://localhost:${env:WS_PORT, '3001'}/${opt:stage}
    TABLE: ${self:custom.table}
    REGION_NAME: ${opt:region, "eu-west-1"}
functions:
  echo:
    handler: handler.echo
    environment:
      TOKEN: ${ssm:/app/token}
    events:
      - websocket: $default
resources:
  Resources:
    Bucket:
      Type: AWS::S3::Bucket
      Properties:
        BucketName: ${env:BUCKET}
        Tags:
          - Key: port
            Value: port-${env:WS_PORT, '3001'}
`
	res, err := importer.Parse("serverless.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	want := map[string]string{"WsPort": "3001", "LogEvents": "", "ApiSecret": "<none>", "Region": "eu-west-1", "Bucket2": "<none>"}
	if len(s.Parameters) != len(want) {
		t.Errorf("parameters = %d, want %d", len(s.Parameters), len(want))
	}
	for _, p := range s.Parameters {
		def := "<none>"
		if p.Default != nil {
			def = *p.Default
		}
		if w, ok := want[p.Name]; !ok || w != def {
			t.Errorf("parameter %s default %q, want %q (known: %v)", p.Name, def, w, ok)
		}
		if !strings.HasPrefix(p.Description, "serverless.yml ${") {
			t.Errorf("parameter %s: description %q names no variable", p.Name, p.Description)
		}
	}
	env := s.Functions[0].Environment
	for name, value := range map[string]string{
		"WS_PORT": "${WsPort}", "LOG_EVENTS": "${LogEvents}", "SECRET": "${ApiSecret}",
		"URL": "http://localhost:${WsPort}/beta", "TABLE": "vars-conns-beta", "REGION_NAME": "${Region}",
		"TOKEN": "${ssm:/app/token}",
	} {
		if env[name] != value {
			t.Errorf("environment %s = %q, want %q", name, env[name], value)
		}
	}
	if s.APIs[0].StageName != "beta" {
		t.Errorf("stage = %s, want the stage's default, beta", s.APIs[0].StageName)
	}
	notes := strings.Join(res.Summary.Notes, "\n")
	for _, n := range []string{"provider.stage ${opt:stage, 'beta'} is chosen when the Framework deploys", "${ssm:/app/token}", "WsPort"} {
		if !strings.Contains(notes, n) {
			t.Errorf("notes lack %q:\n%s", n, notes)
		}
	}
	// The ${ssm:…} value is a problem the user resolves: a draft may hold
	// it, an export may not.
	if err := s.ValidateDraft(); err != nil {
		t.Fatalf("draft: %v", err)
	}
	err = s.Validate()
	if err == nil || !strings.Contains(err.Error(), "TOKEN holds the Serverless Framework variable ${ssm:/app/token}") {
		t.Fatalf("validate = %v", err)
	}
	delete(s.Functions[0].Environment, "TOKEN")
	bucket := string(s.Others[0].Resource)
	for _, w := range []string{`"BucketName":{"Ref":"Bucket2"}`, `"Value":{"Fn::Sub":"port-${WsPort}"}`} {
		if !strings.Contains(bucket, w) {
			t.Errorf("the kept bucket lacks %s: %s", w, bucket)
		}
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestImportedCodePathsStayInside: a code path that leaves the folder of
// the imported file (.., absolute) is not the function's code folder: the
// template keeps it as written, the function gets its own folder, and a
// note says so.
func TestImportedCodePathsStayInside(t *testing.T) {
	for _, code := range []string{"../outside", "/etc", "src/../../outside"} {
		src := `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ` + code + `
      Handler: app.handler
      Runtime: nodejs22.x
`
		res, err := importer.Parse("template.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		f := res.Stack.Functions[0]
		if f.CodePath != model.DefaultCodePath(f.Name) {
			t.Errorf("CodeUri %s: code path %q, want the default", code, f.CodePath)
		}
		if !strings.Contains(strings.Join(res.Summary.Notes, "\n"), "outside the folder of the imported file") {
			t.Errorf("CodeUri %s: no note in %v", code, res.Summary.Notes)
		}
	}
}

// TestImportedParametersLint: what an imported serverless.yml with
// variables exports (Parameters, Refs and Subs of them, the service folder
// as Code) passes cfn-lint.
func TestImportedParametersLint(t *testing.T) {
	lint := testtool.Command(t, "cfn-lint", "the exports are linted")
	dir := t.TempDir()
	var files []string
	for name, src := range map[string]string{
		"twoway": "testdata/serverless/twoway/serverless.yml",
		"vars":   "",
	} {
		var s *model.Stack
		if src != "" {
			s = MustImport(t, src).Stack
		} else {
			res, err := importer.Parse("serverless.yml", []byte(`service: vars
provider:
  name: aws
  runtime: nodejs22.x
  stage: ${opt:stage, 'beta'}
  environment:
    URL: http://localhost:${env:WS_PORT, '3001'}/${sls:stage}
    SECRET: ${param:apiSecret}
functions:
  echo:
    handler: src/echo.handler
    timeout: ${env:TIMEOUT, 10}
    events:
      - websocket: $default
resources:
  Resources:
    Bucket:
      Type: AWS::S3::Bucket
      Properties:
        BucketName: ${env:BUCKET}
`))
			if err != nil {
				t.Fatal(err)
			}
			s = res.Stack
		}
		out, err := export.YAML(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(p, out, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	// W3002: Code is a local path until `aws cloudformation package`;
	// E2533: the fixture's service was written for nodejs20.x, which AWS
	// has since deprecated; neither is what this test is about.
	out, err := exec.Command(lint, append([]string{"--ignore-checks", "W3002", "E2533", "--"}, files...)...).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}
