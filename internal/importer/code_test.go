package importer_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	t.Parallel()
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
	t.Parallel()
	src := `service: vars
custom:
  table: ${self:service}-conns-${sls:stage}
  serverless-offline:
    websocketPort: ${env:OFFLINE_PORT, '3001'}
provider:
  region: ${opt:region, 'eu-west-1'}
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
	for _, n := range []string{"provider.stage ${opt:stage, 'beta'} is chosen when the Framework deploys", "${ssm:/app/token}", `WsPort, default "3001", from ${env:WS_PORT, '3001'}; LogEvents, default ""`, "ApiSecret, no default, from ${param:apiSecret}"} {
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
	// The bucket is a bucket node that keeps its name and tags as written
	// (beside the Framework's deployment bucket).
	i := slices.IndexFunc(s.Buckets, func(b *model.Bucket) bool { return b.Name == "Bucket" })
	if len(s.Buckets) != 2 || i < 0 {
		t.Fatalf("buckets %v, others %v", s.Buckets, s.Others)
	}
	keptJSON, _ := json.Marshal(s.Buckets[i].Kept)
	bucket := string(keptJSON)
	for _, w := range []string{`{"Ref":"Bucket2"}`, `"Value":{"Fn::Sub":"port-${WsPort}"}`} {
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
	t.Parallel()
	res, err := importer.Parse("serverless.yml", []byte("service: esc\nprovider: {name: aws, runtime: nodejs22.x}\nfunctions:\n  fn:\n    handler: ../../etc/x.handler\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Stack.Functions[0]; f.CodePath != model.DefaultCodePath(f.Name) || !strings.Contains(strings.Join(res.Summary.Notes, "\n"), `code path "../../etc" is outside`) {
		t.Errorf("serverless handler ../../etc: code path %q, notes %v", f.CodePath, res.Summary.Notes)
	}
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
	t.Parallel()
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
	// has since deprecated; W3005: the Framework's invoke permissions
	// depend on their function as well as naming it, which the import
	// keeps; none is what this test is about.
	out, err := exec.Command(lint, append([]string{"--ignore-checks", "W3002", "E2533", "W3005", "--"}, files...)...).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}

// TestTemplateParametersMapOnlyWhenExportIsSame: a template whose
// Parameters the model holds as written gets stack parameters (and
// environment values that use them), and exports the same section; one
// with anything else keeps the section as written.
func TestTemplateParametersMapOnlyWhenExportIsSame(t *testing.T) {
	t.Parallel()
	tpl := `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  WsPort:
    Type: String
    Default: "3001"
    Description: the port
  Secret:
    Type: String
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: src
      Handler: index.handler
      Runtime: nodejs22.x
      Role: !GetAtt FnRole.Arn
      Environment:
        Variables:
          PORT: !Ref WsPort
          URL: !Sub "http://localhost:${WsPort}/${!Other}?s=${Secret}"
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: [lambda.amazonaws.com]}
            Action: [sts:AssumeRole]
`
	res, err := importer.Parse("template.yaml", []byte(tpl))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	s.Name = "mapped"
	if len(s.Parameters) != 2 || s.Parameters[0].Name != "WsPort" || *s.Parameters[0].Default != "3001" || s.Parameters[1].Default != nil || len(s.Sections) != 0 {
		t.Fatalf("parameters %+v, sections %+v", s.Parameters, s.Sections)
	}
	env := s.Functions[0].Environment
	if env["PORT"] != "${WsPort}" || env["URL"] != "http://localhost:${WsPort}/${Other}?s=${Secret}" {
		t.Errorf("environment = %v", env)
	}
	if k := model.KeptPart(s.Functions[0].Kept, model.PartMain); k != nil && len(k.Properties) > 0 {
		t.Errorf("the function keeps %+v", k.Properties)
	}
	out, err := export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Parameters:\n  WsPort:\n    Type: String\n    Default: \"3001\"\n    Description: the port\n  Secret:\n    Type: String\n", "PORT: !Ref WsPort"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the export lacks %q:\n%s", want, out)
		}
	}

	// A parameter the model cannot hold (a constraint it has no field
	// for) stays as written, alone, after the stack's own; its uses too.
	kept := strings.Replace(tpl, "  Secret:\n    Type: String\n", "  Secret:\n    Type: String\n    MinLength: 8\n", 1)
	res, err = importer.Parse("template.yaml", []byte(kept))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stack.Parameters) != 1 || res.Stack.Parameters[0].Name != "WsPort" || len(res.Stack.Sections) != 1 || res.Stack.Sections[0].Key != "Parameters" ||
		string(res.Stack.Sections[0].Value) != `{"Secret":{"Type":"String","MinLength":8}}` {
		t.Errorf("parameters %+v, sections %+v", res.Stack.Parameters, res.Stack.Sections)
	}
}

// TestManageConnectionsOnEveryAPI: ManageConnections on every API (as
// AWS's samples write it) in a stack with one API is a send wire; the
// statement itself stays as written.
func TestManageConnectionsOnEveryAPI(t *testing.T) {
	t.Parallel()
	src := `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: api, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: src
      Handler: index.handler
      Runtime: nodejs22.x
      Role: !GetAtt FnRole.Arn
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: [lambda.amazonaws.com]}, Action: [sts:AssumeRole]}
      Policies:
        - PolicyName: send
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: execute-api:ManageConnections
                Resource: arn:aws:execute-api:*:*:*/@connections/*
`
	res, err := importer.Parse("template.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	if len(s.Wires) != 1 || s.Wires[0].Kind != model.WireSend || s.Wires[0].To != s.APIs[0].ID {
		t.Fatalf("wires = %+v", s.Wires)
	}
	if k := model.KeptPart(s.Functions[0].Kept, model.PartRole); k == nil {
		t.Error("the role's wildcard statement is not kept as written")
	}
}
