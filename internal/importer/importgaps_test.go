package importer_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// importExport imports a template, exports it in YAML, and checks that
// export → import → export is byte-identical.
func importExport(t *testing.T, src string) (*model.Stack, []byte) {
	t.Helper()
	res, err := importer.Parse("template.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	s.Name = "gaps"
	if err := s.Validate(); err != nil {
		t.Fatalf("the import is not a valid stack: %v", err)
	}
	out, err := export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	again, err := importer.Parse("template.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	again.Stack.Name = s.Name
	out2, err := export.YAML(again.Stack)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(out2) {
		t.Errorf("export → import → export differs:\n%s\n---\n%s", out, out2)
	}
	return s, out
}

// sameResources checks that the export writes each named resource as the
// source does.
func sameResources(t *testing.T, src string, out []byte, ids ...string) {
	t.Helper()
	read := func(data []byte) *cfn.Value {
		v, err := cfn.ReadYAML(context.Background(), data, cfn.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		return v.Get("Resources")
	}
	a, b := read([]byte(src)), read(out)
	for _, id := range ids {
		if !cfn.Equal(a.Get(id), b.Get(id)) {
			t.Errorf("the export writes %s as\n%s\nnot\n%s", id, b.Get(id).JSON(), a.Get(id).JSON())
		}
	}
	if len(a.Keys) != len(b.Keys) {
		t.Errorf("the source has resources %v, the export %v", a.Keys, b.Keys)
	}
}

func otherNames(s *model.Stack) []string {
	var names []string
	for _, o := range s.Others {
		names = append(names, o.Name)
	}
	return names
}

// twoResponses is a two-way MOCK route with two integration responses, the
// second named as the export names a route's further responses.
var twoResponses = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  WsApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: ws
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  PingIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WsApi
      IntegrationType: MOCK
      RequestTemplates:
        "200": '{"statusCode": 200}'
      TemplateSelectionExpression: "200"
  PingRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref WsApi
      RouteKey: ping
      RouteResponseSelectionExpression: $default
      Target: !Sub integrations/${PingIntegration}
  PingRouteResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref WsApi
      RouteId: !Ref PingRoute
      RouteResponseKey: $default
  PingIntegrationResponse:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref WsApi
      IntegrationId: !Ref PingIntegration
      IntegrationResponseKey: $default
      ResponseTemplates:
        $default: '{"pong": true}'
  PingIntegrationResponse` + model.RouteLogicalPart(`/5\d\d/`) + `:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref WsApi
      IntegrationId: !Ref PingIntegration
      IntegrationResponseKey: /5\d\d/
      TemplateSelectionExpression: $integration.response.statuscode
      ResponseTemplates:
        "500": '{"error": "try again"}'
`

// TestEveryIntegrationResponseClaimed: a route's integration responses
// are all the route's, as the model holds them, and the export writes
// each as the source did; one named otherwise, or saying more than the
// first, stays a generic resource written as it is.
func TestEveryIntegrationResponseClaimed(t *testing.T) {
	t.Parallel()
	second := "PingIntegrationResponse" + model.RouteLogicalPart(`/5\d\d/`)
	s, out := importExport(t, twoResponses)
	if names := otherNames(s); len(names) > 0 {
		t.Errorf("left generic: %v", names)
	}
	r := s.APIs[0].Routes[0]
	if r.Integration == nil || len(r.Integration.Responses) != 2 {
		t.Fatalf("the route's integration is %+v", r.Integration)
	}
	if got := r.Integration.Responses[1]; got.Key != `/5\d\d/` || got.Templates["500"] != `{"error": "try again"}` || got.TemplateSelectionExpression != "$integration.response.statuscode" {
		t.Errorf("the second response is %+v", got)
	}
	sameResources(t, twoResponses, out, "PingIntegrationResponse", second)

	// Named after a first whose own name is kept: the export names the
	// second after it too.
	renamed := strings.ReplaceAll(twoResponses, "PingIntegrationResponse", "PingReply")
	s, out = importExport(t, renamed)
	if names := otherNames(s); len(names) > 0 || len(s.APIs[0].Routes[0].Integration.Responses) != 2 {
		t.Errorf("with the first named PingReply, left generic: %v", names)
	}
	sameResources(t, renamed, out, "PingReply", strings.Replace(second, "PingIntegrationResponse", "PingReply", 1))

	for name, edit := range map[string]func(string) string{
		"named otherwise": func(s string) string { return strings.Replace(s, second+":", "PingServerError:", 1) },
		"saying more": func(s string) string {
			return strings.Replace(s, "IntegrationResponseKey: /5", "ContentHandlingStrategy: CONVERT_TO_TEXT\n      IntegrationResponseKey: /5", 1)
		},
		"a repeated key": func(s string) string {
			return strings.Replace(s, "IntegrationResponseKey: /5\\d\\d/", "IntegrationResponseKey: $default", 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			src := edit(twoResponses)
			if src == twoResponses {
				t.Fatal("the edit changed nothing")
			}
			s, out := importExport(t, src)
			if names := otherNames(s); len(names) != 1 {
				t.Errorf("left generic: %v, want the second response", names)
			}
			if rs := s.APIs[0].Routes[0].Integration.Responses; len(rs) != 1 || rs[0].Key != "$default" {
				t.Errorf("the route's responses are %+v", rs)
			}
			sameResources(t, src, out, "PingIntegrationResponse", s.Others[0].Name)
		})
	}
}

// TestDefaultServiceTemplateFollowsTheWire: a route to a queue or a table
// whose request template is the one the export writes for the wire imports
// with no template of its own, so making the queue FIFO or renaming the
// table's key changes it as it does for a route drawn in Switchboard; a
// template that differs in one character stays the route's.
func TestDefaultServiceTemplateFollowsTheWire(t *testing.T) {
	t.Parallel()
	s := &model.Stack{Name: "gaps"}
	api := model.NewAPI("api1", "Api")
	api.Routes = []*model.Route{{ID: "rt1", Key: "enqueue"}, {ID: "rt2", Key: "save", TwoWay: true}}
	s.APIs = []*model.API{api}
	s.Queues = []*model.Queue{model.NewQueue("q1", "Jobs")}
	s.Tables = []*model.Table{model.NewTable("tbl1", "Messages")}
	s.Wires = []*model.Wire{
		{ID: "w1", Kind: model.WireSendMessage, From: "rt1", To: "q1"},
		{ID: "w2", Kind: model.WirePutItem, From: "rt2", To: "tbl1"},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	got, again := importExport(t, string(out))
	if string(again) != string(out) {
		t.Errorf("the import exports\n%s\nnot\n%s", again, out)
	}
	for _, r := range got.APIs[0].Routes {
		if r.Integration != nil {
			t.Errorf("route %s has an integration of its own: %+v", r.Key, r.Integration)
		}
	}
	got.Queues[0].FIFO = true
	got.Tables[0].PartitionKey.Name = "messageId"
	changed, err := export.YAML(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"MessageGroupId=$util.urlEncode($context.connectionId)", `\"Item\": {\"messageId\": {\"S\": \"$context.requestId\"}`} {
		if !strings.Contains(string(changed), want) {
			t.Errorf("after the change the export lacks %s:\n%s", want, changed)
		}
	}

	// One character more is the route's own template, kept as written.
	edited := strings.Replace(string(out), "MessageBody=$util.urlEncode($input.body)", "MessageBody=$util.urlEncode($input.body)&", 1)
	if edited == string(out) {
		t.Fatal("the edit changed nothing")
	}
	got, again = importExport(t, edited)
	if r := got.APIs[0].Routes[0]; r.Integration == nil || !strings.HasSuffix(r.Integration.RequestTemplates["$default"], "&") {
		t.Errorf("the edited route's integration is %+v", r.Integration)
	}
	if got.APIs[0].Routes[1].Integration != nil {
		t.Errorf("the table's route has an integration of its own: %+v", got.APIs[0].Routes[1].Integration)
	}
	if string(again) != edited {
		t.Errorf("the import of the edited template exports\n%s\nnot\n%s", again, edited)
	}
}

// typedParameters is a hand-written template whose parameters are typed,
// allowed values, NoEcho, and two the model cannot hold: a constraint it
// has no field for, and an AWS-specific type.
const typedParameters = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Memory:
    Type: Number
    Default: 512
    AllowedValues: [256, 512, 1024]
    Description: Memory of the handler
  Floor:
    Type: Number
    Default: 128
    MinValue: 128
  HandlerTimeout:
    Type: Number
    Default: "10"
  Stage:
    Description: The stage
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  Secret:
    Type: String
    NoEcho: true
  Key:
    Type: AWS::EC2::KeyPair::KeyName
  Subnets:
    Type: List<Number>
    Default: "1,2"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: src
      Handler: index.handler
      Runtime: nodejs22.x
      MemorySize: !Ref Memory
      Timeout: !Ref HandlerTimeout
      Role: !GetAtt SharedRole.Arn
      Environment:
        Variables:
          STAGE: !Ref Stage
          SECRET: !Sub "${Secret}-${Stage}"
  Small:
    Type: AWS::Lambda::Function
    Properties:
      Code: small
      Handler: index.handler
      Runtime: nodejs22.x
      MemorySize: !Ref Floor
      Timeout: !Ref Stage
      Role: !GetAtt SharedRole.Arn
  SharedRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: [lambda.amazonaws.com]}
            Action: [sts:AssumeRole]
`

// TestTypedParametersImport: every parameter the model holds (Number,
// List<Number>, allowed values, NoEcho, a default written as a number) is
// the stack's, and the fields that Ref one take it (a function's memory and
// timeout); a parameter the model cannot hold (MinValue, an AWS-specific
// type) is kept as written, and so is a field using it. The export says
// what the source said, and export → import → export is byte-identical.
func TestTypedParametersImport(t *testing.T) {
	t.Parallel()
	s, out := importExport(t, typedParameters)
	var names []string
	for _, p := range s.Parameters {
		names = append(names, p.Name)
	}
	if strings.Join(names, " ") != "Memory HandlerTimeout Stage Secret Subnets" {
		t.Errorf("the stack's parameters are %v", names)
	}
	if p := s.Parameter("Memory"); p == nil || p.Type != "Number" || p.Default == nil || *p.Default != "512" || strings.Join(p.AllowedValues, ",") != "256,512,1024" || p.Description != "Memory of the handler" {
		t.Errorf("Memory is %+v", p)
	}
	if p := s.Parameter("Secret"); p == nil || !p.NoEcho || p.Default != nil {
		t.Errorf("Secret is %+v", p)
	}
	if p := s.Parameter("Subnets"); p == nil || p.Type != "List<Number>" {
		t.Errorf("Subnets is %+v", p)
	}
	kept := string(s.Section("Parameters"))
	if kept != `{"Floor":{"Type":"Number","Default":128,"MinValue":128},"Key":{"Type":"AWS::EC2::KeyPair::KeyName"}}` {
		t.Errorf("the Parameters kept as written are %s", kept)
	}
	fn, small := s.Functions[0], s.Functions[1]
	if fn.ParamOf("memorySize") != "Memory" || fn.ParamOf("timeout") != "HandlerTimeout" {
		t.Errorf("Fn's fields take %+v", fn.Params)
	}
	if k := model.KeptPart(fn.Kept, model.PartMain); k != nil && slices.ContainsFunc(k.Properties, func(f model.Field) bool {
		return f.Key == "MemorySize" || f.Key == "Timeout" || strings.HasPrefix(f.Key, "Environment")
	}) {
		t.Errorf("Fn keeps %+v", k.Properties)
	}
	if fn.Environment["STAGE"] != "${Stage}" || fn.Environment["SECRET"] != "${Secret}-${Stage}" {
		t.Errorf("Fn's environment is %v", fn.Environment)
	}
	// Floor is kept as written, and Stage is no number: both uses stay.
	if len(small.Params) != 0 {
		t.Errorf("Small's fields take %+v", small.Params)
	}
	if k := model.KeptPart(small.Kept, model.PartMain); k == nil || !slices.ContainsFunc(k.Properties, func(f model.Field) bool { return f.Key == "MemorySize" }) ||
		!slices.ContainsFunc(k.Properties, func(f model.Field) bool { return f.Key == "Timeout" }) {
		t.Errorf("Small keeps %+v", k)
	}

	// The export writes every parameter and field as the source: the same
	// values (a number default is the same text), the same keys.
	read := func(data []byte) *cfn.Value {
		v, err := cfn.ReadYAML(context.Background(), data, cfn.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	src, exported := read([]byte(typedParameters)), read(out)
	params := exported.Get("Parameters")
	if len(params.Keys) != len(src.Get("Parameters").Keys) {
		t.Errorf("the export's parameters are %v", params.Keys)
	}
	for i, name := range src.Get("Parameters").Keys {
		want, got := src.Get("Parameters").Items[i], params.Get(name)
		if got == nil || scalarsText(want) != scalarsText(got) {
			t.Errorf("the export writes parameter %s as %s, not %s", name, got.JSON(), want.JSON())
		}
	}
	for _, fn := range []string{"Fn", "Small"} {
		for _, prop := range []string{"MemorySize", "Timeout"} {
			if w, g := src.Path("Resources", fn, "Properties", prop), exported.Path("Resources", fn, "Properties", prop); !cfn.Equal(w, g) {
				t.Errorf("the export writes %s's %s as %s, not %s", fn, prop, g.JSON(), w.JSON())
			}
		}
	}
}

// scalarsText is a value's JSON with its keys sorted and every scalar as
// text, as CloudFormation reads a parameter's.
func scalarsText(v *cfn.Value) string {
	switch v.Kind {
	case cfn.Map:
		keys := slices.Clone(v.Keys)
		slices.Sort(keys)
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(k + ":" + scalarsText(v.Get(k)) + ";")
		}
		return "{" + b.String() + "}"
	case cfn.List:
		var parts []string
		for _, item := range v.Items {
			parts = append(parts, scalarsText(item))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	s, _ := v.ScalarString()
	return s
}

// TestReimportKeepsEnvironments: an edit of the template (the Template
// tab's Apply, import --replace) keeps the stack's environments, which a
// template does not hold, for the parameters the edited text still has:
// dev and prod survive, and a parameter the edit
// removes leaves them.
func TestReimportKeepsEnvironments(t *testing.T) {
	t.Parallel()
	stage, memory := "dev", "256"
	prev := &model.Stack{Name: "gaps", Parameters: []*model.Parameter{
		{Name: "Stage", Default: &stage, AllowedValues: []string{"dev", "prod"}},
		{Name: "HandlerMemory", Type: "Number", Default: &memory},
		{Name: "ApiSecret", NoEcho: true, Description: "Shared secret"},
	}, Environments: []*model.Environment{
		{Name: "dev", Values: map[string]string{"ApiSecret": "dev-secret"}},
		{Name: "prod", Values: map[string]string{"Stage": "prod", "HandlerMemory": "512", "ApiSecret": "prod-secret"}},
	}}
	fn := model.NewFunction("fn1", "Handler")
	fn.SetParam("memorySize", "HandlerMemory")
	fn.Environment = map[string]string{"STAGE": "${Stage}", "API_SECRET": "${ApiSecret}"}
	prev.Functions = []*model.Function{fn}
	if err := prev.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := export.YAML(prev)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Reimport(context.Background(), "template.yaml", out, prev, model.Geometry{})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Stack.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(res.Stack.Environments) != len(prev.Environments) {
		t.Fatalf("environments after the edit: %+v", res.Stack.Environments)
	}
	for i, e := range res.Stack.Environments {
		if e.Name != prev.Environments[i].Name || !maps.Equal(e.Values, prev.Environments[i].Values) {
			t.Errorf("environment %s is %v, was %v", e.Name, e.Values, prev.Environments[i].Values)
		}
	}

	if res.Stack.Functions[0].ParamOf("memorySize") != "HandlerMemory" {
		t.Errorf("the function's memory takes %+v", res.Stack.Functions[0].Params)
	}

	// Without ApiSecret (and its use), no environment gives it a value.
	edited := strings.Replace(string(out), "  ApiSecret:\n    Type: String\n    Description: Shared secret\n    NoEcho: true\n", "", 1)
	edited = strings.Replace(edited, "API_SECRET: !Ref ApiSecret", "API_SECRET: none", 1)
	if edited == string(out) {
		t.Fatal("the edit changed nothing")
	}
	res, err = importer.Reimport(context.Background(), "template.yaml", []byte(edited), prev, model.Geometry{})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Stack.Validate(); err != nil {
		t.Fatal(err)
	}
	envs := res.Stack.Environments
	if len(envs) != 2 || len(envs[0].Values) != 0 || !maps.Equal(envs[1].Values, map[string]string{"Stage": "prod", "HandlerMemory": "512"}) {
		t.Errorf("environments after removing ApiSecret: %+v %+v", envs[0], envs[1])
	}
}
