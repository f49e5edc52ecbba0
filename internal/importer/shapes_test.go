package importer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestWhateverImportsExports: a stack with two WebSocket APIs, a nested
// stack with its parameters, Fn::ImportValue, an API with no routes, and
// routes whose targets Switchboard does not draw (MOCK, HTTP_PROXY, a
// non-proxy Lambda integration) imports to a valid stack, every route kept
// with its integration as written, and exports to the same template by
// meaning, round-tripping byte for byte.
func TestWhateverImportsExports(t *testing.T) {
	t.Parallel()
	file := filepath.Join("testdata", "shapes", "two-apis-nested-import.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Parse(file, data)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	res.Stack.Name = "shapes"
	if err := res.Stack.Validate(); err != nil {
		t.Fatalf("the import is a stack the export refuses: %v", err)
	}
	if len(res.Stack.APIs) != 2 {
		t.Fatalf("want 2 APIs, got %d", len(res.Stack.APIs))
	}
	routes := map[string]*model.Route{}
	for _, a := range res.Stack.APIs {
		for _, r := range a.Routes {
			routes[a.Name+" "+r.Key] = r
		}
	}
	// A MOCK route and a Lambda route without the proxy are modelled; an
	// HTTP proxy to an imported host is kept as written.
	if r := routes["ChatApi ping"]; r == nil || r.Integration == nil || r.Integration.Type != model.IntegrationMock {
		t.Errorf("route ping is not a MOCK integration: %+v", r)
	}
	if r := routes["ChatApi notify"]; r == nil || r.KeepsTarget() || len(model.NewIndex(res.Stack).WiresFromOfKind(r.ID, model.WireIntegration)) != 1 {
		t.Errorf("route notify is not wired to its function: %+v", r)
	}
	if r := routes["ChatApi forward"]; r == nil || !r.KeepsTarget() {
		t.Errorf("route forward does not keep its target: %+v", r)
	}
	out, err := export.YAML(res.Stack)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	diffs := compareTemplates(normalise(readTemplate(t, file, data), "testdata/shapes"), normalise(readTemplate(t, "export.yaml", out), "testdata/shapes"))
	if len(diffs) > 0 {
		t.Errorf("the export is not the same infrastructure:\n  %s\n%s", strings.Join(diffs, "\n  "), out)
	}
	again, err := importer.Parse("export.yaml", out)
	if err != nil {
		t.Fatalf("import of the export: %v", err)
	}
	again.Stack.Name = "shapes"
	out2, err := export.YAML(again.Stack)
	if err != nil {
		t.Fatalf("export of the export: %v", err)
	}
	if !bytes.Equal(out, out2) {
		t.Errorf("export → import → export differs:\n%s", lineDiff(string(out), string(out2)))
	}
}

// TestInvalidSourceNamesLineAndColumn: a template the export would refuse
// is refused at import, each problem at the line and column of what the
// source says wrong; a route with no target at all, which API Gateway
// allows, is not one of them.
func TestInvalidSourceNamesLineAndColumn(t *testing.T) {
	t.Parallel()
	const api = `Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
`
	tests := []struct {
		name, routes string
		want         []string // "" for an import the export accepts
	}{
		{"ReservedKey", `  R1:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $bogus
`, []string{`api.yaml:9:17: API "Api": route key "$bogus" is reserved`}},
		{"KeyTwice", `  R1:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: a}
  R2:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: a}
`, []string{`api.yaml:10:44: API "Api": route key "a" is used twice`}},
		{"NoTarget", `  R1:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: $default}
`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := importer.Parse("api.yaml", []byte(api+tc.routes))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("import: %v", err)
				}
				res.Stack.Name = "api"
				out, err := export.YAML(res.Stack)
				if err != nil {
					t.Fatalf("export: %v", err)
				}
				if bytes.Contains(out, []byte("Target")) || bytes.Contains(out, []byte("Integration")) {
					t.Errorf("a route with no target gets one:\n%s", out)
				}
				return
			}
			if err == nil {
				t.Fatal("want the import refused")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestSharedIntegrationStaysShared: two routes whose Targets name one
// integration (as the CDK and the Serverless Framework write a function
// handling several routes) export with that one integration.
func TestSharedIntegrationStaysShared(t *testing.T) {
	t.Parallel()
	src := `Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: a, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: $connect, Target: !Sub "integrations/${Shared}"}
  Disconnect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: $disconnect, Target: !Sub "integrations/${Shared}"}
  Shared:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Handler.Arn}/invocations
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]
  Handler:
    Type: AWS::Lambda::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, Role: !GetAtt Role.Arn, Code: handler}
  Permission:
    Type: AWS::Lambda::Permission
    Properties: {Action: "lambda:InvokeFunction", FunctionName: !Ref Handler, Principal: apigateway.amazonaws.com}
`
	res, err := importer.Parse("shared.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res.Stack.Name = "shared"
	out, err := export.YAML(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	diffs := compareTemplates(normalise(readTemplate(t, "shared.yaml", []byte(src)), "."), normalise(readTemplate(t, "export.yaml", out), "."))
	if len(diffs) > 0 {
		t.Errorf("the export is not the same infrastructure:\n  %s\n%s", strings.Join(diffs, "\n  "), out)
	}
}
