package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
)

// The golden-file pattern of golang/go src/go/printer/printer_test.go.
var update = flag.Bool("update", false, "update golden files")

func mustExample(t testing.TB, example string) *model.Stack {
	t.Helper()
	s, err := model.Example(example, example)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keptStack is chat as an import of a hand-written template leaves it: with
// what Switchboard does not model kept, for the export to write back.
func keptStack(t testing.TB) *model.Stack {
	t.Helper()
	s := mustExample(t, "chat")
	raw := func(v string) json.RawMessage { return json.RawMessage(v) }
	s.Sections = []model.Field{
		{Key: "Parameters", Value: raw(`{"Team": {"Type": "String", "Default": "realtime", "Description": "Team tag"}, "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"}}`)},
		{Key: "Conditions", Value: raw(`{"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}}`)},
		{Key: "Outputs", Value: raw(`{"AuditQueueUrl": {"Condition": "IsProd", "Description": "Audit queue", "Value": {"Ref": "AuditQueue"}}}`)},
	}
	s.Others = []*model.Other{{
		Node:     model.Node{ID: "other-queue", Name: "AuditQueue", Position: model.Position{X: 40, Y: 600}},
		Type:     "AWS::SQS::Queue",
		Resource: raw(`{"Type": "AWS::SQS::Queue", "Condition": "IsProd", "Properties": {"MessageRetentionPeriod": 1209600, "Tags": [{"Key": "team", "Value": {"Ref": "Team"}}]}}`),
	}}
	api := s.APIs[0]
	api.Kept = []model.Kept{{Part: model.PartMain, Properties: []model.Field{{Key: "Name", Value: raw(`{"Fn::Sub": "${AWS::StackName}-chat"}`)}}}}
	for _, r := range api.Routes {
		if r.Key == "$connect" {
			r.Kept = []model.Kept{
				{Part: model.PartRoute, LogicalID: "ConnectRoute", Properties: []model.Field{{Key: "OperationName", Value: raw(`"Connect"`)}}},
				{Part: model.PartIntegration, LogicalID: "ConnectInteg", Properties: []model.Field{{Key: "TimeoutInMillis", Value: raw(`29000`)}}},
			}
		}
	}
	fn := s.Functions[0]
	fn.Kept = []model.Kept{
		{Part: model.PartMain, Properties: []model.Field{
			{Key: "TracingConfig", Value: raw(`{"Mode": {"Fn::If": ["IsProd", "Active", "PassThrough"]}}`)},
			{Key: "Environment.Variables.TEAM", Value: raw(`{"Ref": "Team"}`)},
		}},
		{Part: model.PartRole, LogicalID: "ConnectionHandlerServiceRole"},
	}
	s.Tables[0].Kept = []model.Kept{{Part: model.PartMain,
		Attributes: []model.Field{{Key: "Metadata", Value: raw(`{"Owner": "realtime"}`)}},
		Properties: []model.Field{{Key: "PointInTimeRecoverySpecification", Value: raw(`{"PointInTimeRecoveryEnabled": true}`)}},
	}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

// authorizedStack is chat with a token authorizer in front of $connect.
func authorizedStack(t testing.TB) *model.Stack {
	t.Helper()
	s := mustExample(t, "chat")
	s.Name = "authorized"
	a := s.APIs[0]
	a.Authorizer = &model.Authorizer{Name: "TokenAuthorizer", IdentitySources: []string{"route.request.querystring.token"}}
	a.Routes[0].Authorized = true
	auth := model.NewFunction(s.NewID("fn"), "Authorizer")
	s.Functions = append(s.Functions, auth)
	s.Wires = append(s.Wires, &model.Wire{ID: s.NewID("w"), Kind: model.WireAuthorizer, From: auth.ID, To: a.ID})
	return s
}

// featureStack uses what the examples leave out: API keys, a provisioned
// table with a sort key and TTL, a Python function, user environment
// variables (one named like an intrinsic), Delete policies and no
// description.
func featureStack(t testing.TB) *model.Stack {
	t.Helper()
	s := mustExample(t, "echo")
	s.Name = "features"
	s.Description = ""
	a := s.APIs[0]
	a.APIKeySelectionExpression = "$request.header.x-api-key"
	a.Routes[0].APIKeyRequired = true
	a.Routes = append(a.Routes, &model.Route{ID: s.NewID("rt"), Key: "orders/put"})
	py := model.NewFunction(s.NewID("fn"), "OrderWriter")
	py.Runtime = "python3.13"
	py.Environment = map[string]string{
		"Ref": "not an intrinsic", "GREETING": `say "hi" & <bye>`,
		// Values YAML would read as something else, or that need quoting.
		"V1": "on", "V2": "0x1F", "V3": "~", "V4": "null", "V5": "- dash", "V6": "@at",
		"V7": "tab\there", "V8": "line\u2028sep", "V9": "  lead", "V10": "trail ", "V11": "a: b # c",
		"V12": "123", "V13": "1e3", "V14": "2026-11-23", "V15": "!Ref X", "V16": "${NotSub}",
	}
	py.Description = "yes"
	a.Description = "Line one\n\n  indented: yes # not a comment\nlast "
	py.LogDeletionPolicy = model.DeletionDelete
	py.LogRetentionDays = 7
	tbl := model.NewTable(s.NewID("tbl"), "Orders")
	tbl.SortKey = &model.Key{Name: "createdAt", Type: model.AttributeNumber}
	tbl.BillingMode = model.BillingProvisioned
	tbl.ReadCapacity, tbl.WriteCapacity = 5, 5
	tbl.TTLAttribute = "expiresAt"
	tbl.DeletionPolicy = model.DeletionDelete
	s.Functions = append(s.Functions, py)
	s.Tables = append(s.Tables, tbl)
	s.Wires = append(s.Wires, &model.Wire{ID: s.NewID("w"), Kind: model.WireIntegration, From: a.Routes[1].ID, To: py.ID})
	s.Wires = append(s.Wires, &model.Wire{ID: s.NewID("w"), Kind: model.WireReadWrite, From: py.ID, To: tbl.ID})
	return s
}

// goldenStacks are the stacks with golden files in testdata.
var goldenStacks = map[string]func(testing.TB) *model.Stack{
	"chat": func(t testing.TB) *model.Stack { return mustExample(t, "chat") },
	"echo": func(t testing.TB) *model.Stack { return mustExample(t, "echo") },
	"kept": keptStack,
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, example := range slices.Sorted(maps.Keys(goldenStacks)) {
		for _, f := range []Format{FormatYAML, FormatJSON} {
			name := example + "." + string(f)
			t.Run(name+"/MatchesGoldenAndRepeats", func(t *testing.T) {
				got, err := Render(goldenStacks[example](t), f)
				if err != nil {
					t.Fatal(err)
				}
				again, err := Render(goldenStacks[example](t), f)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, again) {
					t.Fatalf("two renders of %s differ", name)
				}
				golden := filepath.Join("testdata", name)
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./export -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from %s; run go test ./export -update and review the diff\n%s", name, golden, firstDiff(got, want))
				}
			})
		}
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, gl, wl)
		}
	}
	return ""
}

// doc is a rendered template read back: JSON as is, YAML with its short
// intrinsics turned into the long form, so the two compare equal.
type doc = map[string]any

func mustJSON(t testing.TB, s *model.Stack) doc {
	t.Helper()
	out, err := JSON(s)
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("JSON output does not parse: %v", err)
	}
	return d
}

func mustYAML(t testing.TB, s *model.Stack) doc {
	t.Helper()
	out, err := YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(out, &n); err != nil {
		t.Fatalf("YAML output does not parse: %v", err)
	}
	v, err := yamlValue(n.Content[0])
	if err != nil {
		t.Fatal(err)
	}
	return v.(doc)
}

// yamlValue converts a YAML node to what encoding/json would decode.
func yamlValue(n *yaml.Node) (any, error) {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name := "Fn::" + n.Tag[1:]
		if n.Tag == "!Ref" {
			name = "Ref"
		}
		if n.Tag == "!GetAtt" && n.Kind == yaml.ScalarNode {
			res, attr, _ := strings.Cut(n.Value, ".")
			return doc{name: []any{res, attr}}, nil
		}
		plain := *n
		plain.Tag = ""
		v, err := yamlValue(&plain)
		return doc{name: v}, err
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := doc{}
		for i := 0; i < len(n.Content); i += 2 {
			v, err := yamlValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			v, err := yamlValue(c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			var f float64
			err := n.Decode(&f)
			return f, err
		case "!!bool":
			var b bool
			err := n.Decode(&b)
			return b, err
		case "!!null":
			return nil, nil
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("unexpected YAML node kind %v", n.Kind)
}

func resources(d doc) map[string]doc {
	out := map[string]doc{}
	for id, r := range d["Resources"].(doc) {
		out[id] = r.(doc)
	}
	return out
}

func props(d doc, id string) doc {
	r, ok := d["Resources"].(doc)[id].(doc)
	if !ok {
		return nil
	}
	return r["Properties"].(doc)
}

func countTypes(d doc) map[string]int {
	n := map[string]int{}
	for _, r := range resources(d) {
		n[r["Type"].(string)]++
	}
	return n
}

func sub(s string) doc       { return doc{"Fn::Sub": s} }
func ref(s string) doc       { return doc{"Ref": s} }
func getAtt(r, a string) doc { return doc{"Fn::GetAtt": []any{r, a}} }
func eq(a, b any) bool       { return fmt.Sprint(a) == fmt.Sprint(b) }
func mustEq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !eq(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// policy returns the actions and resources of a role's inline policy.
func policy(t *testing.T, d doc, role, name string) (actions []string, resources []any) {
	t.Helper()
	for _, p := range props(d, role)["Policies"].([]any) {
		p := p.(doc)
		if p["PolicyName"] != name {
			continue
		}
		for _, st := range p["PolicyDocument"].(doc)["Statement"].([]any) {
			st := st.(doc)
			for _, a := range st["Action"].([]any) {
				actions = append(actions, a.(string))
			}
			resources = append(resources, st["Resource"].([]any)...)
		}
		return actions, resources
	}
	t.Fatalf("role %s has no policy %s", role, name)
	return nil, nil
}

func TestChatTemplate(t *testing.T) {
	t.Parallel()
	s := mustExample(t, "chat")
	d := mustJSON(t, s)

	t.Run("HasOneResourcePerPart", func(t *testing.T) {
		want := map[string]int{
			"AWS::ApiGatewayV2::Api":         1,
			"AWS::ApiGatewayV2::Route":       4,
			"AWS::ApiGatewayV2::Integration": 4,
			"AWS::ApiGatewayV2::Stage":       1,
			"AWS::Lambda::Permission":        4,
			"AWS::IAM::Role":                 3,
			"AWS::Logs::LogGroup":            3,
			"AWS::Lambda::Function":          3,
			"AWS::DynamoDB::Table":           1,
		}
		mustEq(t, "resource types", countTypes(d), want)
	})
	t.Run("NoRouteResponseForOneWayRoutes", func(t *testing.T) {
		for id, r := range resources(d) {
			if r["Type"] == "AWS::ApiGatewayV2::RouteResponse" {
				t.Errorf("%s: chat routes are one-way", id)
			}
			if r["Type"] == "AWS::ApiGatewayV2::Route" && r["Properties"].(doc)["RouteResponseSelectionExpression"] != nil {
				t.Errorf("%s has a route response selection expression", id)
			}
		}
	})
	t.Run("StageAutoDeploysAfterEveryRoute", func(t *testing.T) {
		stage := d["Resources"].(doc)["ChatApiStage"].(doc)
		mustEq(t, "AutoDeploy", stage["Properties"].(doc)["AutoDeploy"], true)
		mustEq(t, "StageName", stage["Properties"].(doc)["StageName"], "dev")
		mustEq(t, "DependsOn", stage["DependsOn"], []any{"ChatApiConnectRoute", "ChatApiDisconnectRoute", "ChatApiDefaultRoute", "ChatApiSendMessageRoute"})
	})
	t.Run("RouteTargetsItsIntegration", func(t *testing.T) {
		p := props(d, "ChatApiSendMessageRoute")
		mustEq(t, "Target", p["Target"], sub("integrations/${ChatApiSendMessageIntegration}"))
		mustEq(t, "RouteKey", p["RouteKey"], "sendMessage")
		mustEq(t, "IntegrationUri", props(d, "ChatApiSendMessageIntegration")["IntegrationUri"],
			sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${SendHandler.Arn}/invocations"))
		mustEq(t, "SourceArn", props(d, "ChatApiConnectPermission")["SourceArn"],
			sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ChatApi}/*/$connect"))
	})
	t.Run("SendersMayManageConnections", func(t *testing.T) {
		want := sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ChatApi}/dev/POST/@connections/*")
		for _, role := range []string{"SendHandlerRole", "DefaultHandlerRole"} {
			actions, res := policy(t, d, role, "ChatApiManageConnections")
			mustEq(t, role+" actions", actions, []string{"execute-api:ManageConnections"})
			mustEq(t, role+" resources", res, []any{want})
		}
		if _, ok := props(d, "ConnectionHandler")["Environment"].(doc)["Variables"].(doc)["CHAT_API_CONNECTIONS_URL"]; ok {
			t.Error("ConnectionHandler is not wired to send but has the connections URL")
		}
		mustEq(t, "SendHandler CHAT_API_CONNECTIONS_URL", props(d, "SendHandler")["Environment"].(doc)["Variables"].(doc)["CHAT_API_CONNECTIONS_URL"],
			sub("https://${ChatApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/dev/@connections"))
	})
	t.Run("ReadWireReadsAndReadWriteWireWrites", func(t *testing.T) {
		writes := []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
		reads := []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"}
		tableRes := []any{getAtt("Connections", "Arn"), sub("${Connections.Arn}/index/*")}

		rw, res := policy(t, d, "ConnectionHandlerRole", "ConnectionsReadWrite")
		mustEq(t, "read-write resources", res, tableRes)
		for _, a := range append(slices.Clone(reads), writes...) {
			if !slices.Contains(rw, a) {
				t.Errorf("read-write policy lacks %s", a)
			}
		}
		r, res := policy(t, d, "SendHandlerRole", "ConnectionsRead")
		mustEq(t, "read resources", res, tableRes)
		for _, a := range reads {
			if !slices.Contains(r, a) {
				t.Errorf("read policy lacks %s", a)
			}
		}
		for _, a := range writes {
			if slices.Contains(r, a) {
				t.Errorf("read policy allows %s", a)
			}
		}
		mustEq(t, "CONNECTIONS_TABLE_NAME", props(d, "SendHandler")["Environment"].(doc)["Variables"].(doc)["CONNECTIONS_TABLE_NAME"], ref("Connections"))
	})
	t.Run("FunctionLogsToItsOwnGroup", func(t *testing.T) {
		p := props(d, "ConnectionHandler")
		mustEq(t, "Code", p["Code"], "functions/connection-handler")
		mustEq(t, "LoggingConfig", p["LoggingConfig"], doc{"LogGroup": ref("ConnectionHandlerLogGroup")})
		mustEq(t, "Role", p["Role"], getAtt("ConnectionHandlerRole", "Arn"))
		actions, res := policy(t, d, "ConnectionHandlerRole", "Logs")
		mustEq(t, "logs actions", actions, []string{"logs:CreateLogStream", "logs:PutLogEvents"})
		mustEq(t, "logs resources", res, []any{getAtt("ConnectionHandlerLogGroup", "Arn")})
		lg := d["Resources"].(doc)["ConnectionHandlerLogGroup"].(doc)
		mustEq(t, "RetentionInDays", lg["Properties"].(doc)["RetentionInDays"], 30)
		mustEq(t, "DeletionPolicy", lg["DeletionPolicy"], "Retain")
		mustEq(t, "UpdateReplacePolicy", lg["UpdateReplacePolicy"], "Retain")
	})
	t.Run("TableIsRetainedAndUnnamed", func(t *testing.T) {
		tbl := d["Resources"].(doc)["Connections"].(doc)
		mustEq(t, "DeletionPolicy", tbl["DeletionPolicy"], "Retain")
		mustEq(t, "UpdateReplacePolicy", tbl["UpdateReplacePolicy"], "Retain")
		p := tbl["Properties"].(doc)
		if p["TableName"] != nil {
			t.Error("table has a TableName; CloudFormation should name it")
		}
		mustEq(t, "KeySchema", p["KeySchema"], []any{doc{"AttributeName": "connectionId", "KeyType": "HASH"}})
	})
	t.Run("OutputsGiveTheWebSocketURL", func(t *testing.T) {
		out := d["Outputs"].(doc)
		mustEq(t, "ChatApiUrl", out["ChatApiUrl"].(doc)["Value"], sub("wss://${ChatApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ChatApiStage}"))
		mustEq(t, "ChatApiCallbackUrl", out["ChatApiCallbackUrl"].(doc)["Value"], sub("https://${ChatApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ChatApiStage}/@connections"))
		mustEq(t, "SendHandlerArn", out["SendHandlerArn"].(doc)["Value"], getAtt("SendHandler", "Arn"))
		mustEq(t, "ConnectionsName", out["ConnectionsName"].(doc)["Value"], ref("Connections"))
		for name, o := range out {
			if o.(doc)["Description"] == nil {
				t.Errorf("output %s has no description", name)
			}
		}
	})
}

func TestEchoTemplateHasRouteResponse(t *testing.T) {
	t.Parallel()
	d := mustJSON(t, mustExample(t, "echo"))
	mustEq(t, "RouteResponses", countTypes(d)["AWS::ApiGatewayV2::RouteResponse"], 1)
	rr := props(d, "EchoApiTestRouteResponse")
	mustEq(t, "RouteId", rr["RouteId"], ref("EchoApiTestRoute"))
	mustEq(t, "RouteResponseKey", rr["RouteResponseKey"], "$default")
	mustEq(t, "RouteResponseSelectionExpression", props(d, "EchoApiTestRoute")["RouteResponseSelectionExpression"], "$default")
}

func TestAuthorizerTemplate(t *testing.T) {
	t.Parallel()
	d := mustJSON(t, authorizedStack(t))
	a := props(d, "ChatApiAuthorizer")
	mustEq(t, "AuthorizerType", a["AuthorizerType"], "REQUEST")
	mustEq(t, "IdentitySource", a["IdentitySource"], []any{"route.request.querystring.token"})
	mustEq(t, "AuthorizerUri", a["AuthorizerUri"], sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Authorizer.Arn}/invocations"))
	p := props(d, "ChatApiAuthorizerPermission")
	mustEq(t, "SourceArn", p["SourceArn"], sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ChatApi}/authorizers/${ChatApiAuthorizer}"))
	r := props(d, "ChatApiConnectRoute")
	mustEq(t, "AuthorizationType", r["AuthorizationType"], "CUSTOM")
	mustEq(t, "AuthorizerId", r["AuthorizerId"], ref("ChatApiAuthorizer"))
	if props(d, "ChatApiDisconnectRoute")["AuthorizerId"] != nil {
		t.Error("$disconnect has an authorizer")
	}
}

func TestFeatureTemplate(t *testing.T) {
	t.Parallel()
	s := featureStack(t)
	d := mustJSON(t, s)
	t.Run("DescriptionDefaultsToStackName", func(t *testing.T) {
		if !strings.Contains(d["Description"].(string), "features") {
			t.Errorf("Description = %q", d["Description"])
		}
	})
	t.Run("EnvironmentVariableNamedRefStaysAVariable", func(t *testing.T) {
		vars := props(d, "OrderWriter")["Environment"].(doc)["Variables"].(doc)
		mustEq(t, "Ref", vars["Ref"], "not an intrinsic")
		mustEq(t, "GREETING", vars["GREETING"], `say "hi" & <bye>`)
		mustEq(t, "ORDERS_TABLE_NAME", vars["ORDERS_TABLE_NAME"], ref("Orders"))
	})
	t.Run("APIKeysAreRequired", func(t *testing.T) {
		mustEq(t, "ApiKeySelectionExpression", props(d, "EchoApi")["ApiKeySelectionExpression"], "$request.header.x-api-key")
		mustEq(t, "ApiKeyRequired", props(d, "EchoApiTestRoute")["ApiKeyRequired"], true)
		if props(d, "EchoApiOrdersPutRoute")["ApiKeyRequired"] != nil {
			t.Error("orders/put requires an API key")
		}
	})
	t.Run("ProvisionedTableWithSortKeyAndTTL", func(t *testing.T) {
		tbl := d["Resources"].(doc)["Orders"].(doc)
		mustEq(t, "DeletionPolicy", tbl["DeletionPolicy"], "Delete")
		p := tbl["Properties"].(doc)
		mustEq(t, "KeySchema", p["KeySchema"], []any{doc{"AttributeName": "id", "KeyType": "HASH"}, doc{"AttributeName": "createdAt", "KeyType": "RANGE"}})
		mustEq(t, "AttributeDefinitions", p["AttributeDefinitions"], []any{doc{"AttributeName": "id", "AttributeType": "S"}, doc{"AttributeName": "createdAt", "AttributeType": "N"}})
		mustEq(t, "ProvisionedThroughput", p["ProvisionedThroughput"], doc{"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
		mustEq(t, "TimeToLiveSpecification", p["TimeToLiveSpecification"], doc{"AttributeName": "expiresAt", "Enabled": true})
	})
	t.Run("LogGroupDeletedWhenAsked", func(t *testing.T) {
		lg := d["Resources"].(doc)["OrderWriterLogGroup"].(doc)
		mustEq(t, "DeletionPolicy", lg["DeletionPolicy"], "Delete")
		mustEq(t, "RetentionInDays", lg["Properties"].(doc)["RetentionInDays"], 7)
	})
}

func TestLayout(t *testing.T) {
	t.Parallel()
	out, err := YAML(mustExample(t, "chat"))
	if err != nil {
		t.Fatal(err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(out, &n); err != nil {
		t.Fatal(err)
	}
	keys := func(m *yaml.Node) []string {
		var ks []string
		for i := 0; i < len(m.Content); i += 2 {
			ks = append(ks, m.Content[i].Value)
		}
		return ks
	}
	root := n.Content[0]
	t.Run("SectionsInConventionalOrder", func(t *testing.T) {
		mustEq(t, "sections", keys(root), []string{"AWSTemplateFormatVersion", "Description", "Resources", "Outputs"})
	})
	t.Run("ResourcesGroupedByOwner", func(t *testing.T) {
		res := keys(root.Content[5])
		want := []string{"ChatApi",
			"ChatApiConnectRoute", "ChatApiConnectIntegration", "ChatApiConnectPermission",
			"ChatApiDisconnectRoute", "ChatApiDisconnectIntegration", "ChatApiDisconnectPermission",
			"ChatApiDefaultRoute", "ChatApiDefaultIntegration", "ChatApiDefaultPermission",
			"ChatApiSendMessageRoute", "ChatApiSendMessageIntegration", "ChatApiSendMessagePermission",
			"ChatApiStage",
			"ConnectionHandlerRole", "ConnectionHandlerLogGroup", "ConnectionHandler",
			"DefaultHandlerRole", "DefaultHandlerLogGroup", "DefaultHandler",
			"SendHandlerRole", "SendHandlerLogGroup", "SendHandler",
			"Connections"}
		mustEq(t, "resources", res, want)
	})
	t.Run("ResourceAttributesInConventionalOrder", func(t *testing.T) {
		res := root.Content[5]
		mustEq(t, "ChatApiStage", keys(res.Content[27]), []string{"Type", "DependsOn", "Properties"})
		mustEq(t, "Connections", keys(res.Content[47]), []string{"Type", "Properties", "DeletionPolicy", "UpdateReplacePolicy"})
	})
	t.Run("TwoSpaceIndentAndShortIntrinsics", func(t *testing.T) {
		for _, want := range []string{
			"\n  ChatApi:\n    Type: AWS::ApiGatewayV2::Api\n",
			"ApiId: !Ref ChatApi\n",
			"Role: !GetAtt ConnectionHandlerRole.Arn\n",
			`Target: !Sub "integrations/${ChatApiConnectIntegration}"` + "\n",
			"Code: functions/connection-handler\n",
		} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("YAML lacks %q", want)
			}
		}
	})
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	chat := func(t *testing.T) *model.Stack { return mustExample(t, "chat") }
	cases := []struct {
		name       string
		stack      func(t *testing.T) *model.Stack
		validation bool
	}{
		{"NilStackIsInvalid", func(t *testing.T) *model.Stack { return nil }, false},
		{"RouteWithoutHandlerIsInvalid", func(t *testing.T) *model.Stack {
			s := chat(t)
			s.Wires = s.Wires[1:]
			return s
		}, true},
		{"BadRuntimeIsInvalid", func(t *testing.T) *model.Stack {
			s := chat(t)
			s.Functions[0].Runtime = "nodejs12.x"
			return s
		}, true},
		{"NullAPIEntryIsInvalid", func(t *testing.T) *model.Stack {
			s := chat(t)
			s.APIs = append(s.APIs, nil)
			return s
		}, false},
		{"NullRouteEntryIsInvalid", func(t *testing.T) *model.Stack {
			s := chat(t)
			s.APIs[0].Routes = append(s.APIs[0].Routes, nil)
			return s
		}, false},
		{"NullWireEntryIsInvalid", func(t *testing.T) *model.Stack {
			s := chat(t)
			s.Wires = append(s.Wires, nil)
			return s
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []Format{FormatYAML, FormatJSON} {
				out, err := Render(tc.stack(t), f)
				if err == nil {
					t.Fatalf("%s: rendered %d bytes, want an error", f, len(out))
				}
				if code := model.ErrorCode(err); code != model.EINVALID {
					t.Errorf("%s: error code %q, want %q (%v)", f, code, model.EINVALID, err)
				}
				var v *model.ValidationError
				if tc.validation && !errors.As(err, &v) {
					t.Errorf("%s: error %v does not wrap *model.ValidationError", f, err)
				}
			}
		})
	}
	t.Run("UnknownFormatIsInvalid", func(t *testing.T) {
		if _, err := Render(chat(t), "toml"); model.ErrorCode(err) != model.EINVALID {
			t.Errorf("Render(toml) error = %v", err)
		}
	})
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want Format
		ok   bool
	}{
		{"yaml", FormatYAML, true},
		{"YML", FormatYAML, true},
		{" json ", FormatJSON, true},
		{"toml", "", false},
		{"", "", false},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%qIs%v", tc.in, map[bool]string{true: "Accepted", false: "Refused"}[tc.ok])
		t.Run(name, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("ParseFormat(%q) = %q, %v", tc.in, got, err)
			}
		})
	}
}

func TestLargeStackExports(t *testing.T) {
	t.Parallel()
	s := modeltest.Large("large", 200, 1000)
	for _, f := range []Format{FormatYAML, FormatJSON} {
		out, err := Render(s, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if f == FormatJSON && !json.Valid(out) {
			t.Error("JSON output is not valid JSON")
		}
	}
}

// BenchmarkValidate is the share of every export that is the model's:
// YAML and JSON both validate first.
func BenchmarkValidate(b *testing.B) {
	s := modeltest.Large("large", 200, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkYAML(b *testing.B) {
	s := modeltest.Large("large", 200, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := YAML(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSON(b *testing.B) {
	s := modeltest.Large("large", 200, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := JSON(s); err != nil {
			b.Fatal(err)
		}
	}
}

// TestKeptIsWrittenBack checks that what an import kept reaches the
// template: source logical IDs in keys and references, kept properties
// (also inside a map the export fills), attributes, whole resources and
// sections.
func TestKeptIsWrittenBack(t *testing.T) {
	t.Parallel()
	d := mustJSON(t, keptStack(t))
	res := resources(d)
	for _, gone := range []string{"ChatApiConnectRoute", "ChatApiConnectIntegration", "ConnectionHandlerRole"} {
		if _, ok := res[gone]; ok {
			t.Errorf("%s is still there; the kept logical ID should replace it", gone)
		}
	}
	mustEq(t, "route target", props(d, "ConnectRoute")["Target"], sub("integrations/${ConnectInteg}"))
	mustEq(t, "kept route property", props(d, "ConnectRoute")["OperationName"], "Connect")
	mustEq(t, "kept integration property", props(d, "ConnectInteg")["TimeoutInMillis"], 29000.0)
	mustEq(t, "stage DependsOn", res["ChatApiStage"]["DependsOn"].([]any)[0], "ConnectRoute")
	mustEq(t, "role", props(d, "ConnectionHandler")["Role"], getAtt("ConnectionHandlerServiceRole", "Arn"))
	vars := props(d, "ConnectionHandler")["Environment"].(doc)["Variables"].(doc)
	mustEq(t, "kept variable", vars["TEAM"], ref("Team"))
	mustEq(t, "generated variable", vars["CONNECTIONS_TABLE_NAME"], ref("Connections"))
	mustEq(t, "kept API name", props(d, "ChatApi")["Name"], sub("${AWS::StackName}-chat"))
	mustEq(t, "kept table attribute", res["Connections"]["Metadata"], doc{"Owner": "realtime"})
	mustEq(t, "other resource", res["AuditQueue"]["Condition"], "IsProd")
	if _, ok := d["Parameters"].(doc)["Team"]; !ok {
		t.Error("the kept Parameters section is missing")
	}
	outputs := d["Outputs"].(doc)
	if _, ok := outputs["AuditQueueUrl"]; !ok {
		t.Error("the kept output is missing")
	}
	if _, ok := outputs["ChatApiUrl"]; !ok {
		t.Error("the generated outputs are missing")
	}
}

// TestKeptRoleAndStage checks what an imported function's own Role and an
// imported stage's own name and deployment do to what the export generates.
func TestKeptRoleAndStage(t *testing.T) {
	t.Parallel()
	s := mustExample(t, "chat")
	raw := func(v string) json.RawMessage { return json.RawMessage(v) }
	s.Sections = []model.Field{{Key: "Parameters", Value: raw(`{"Stage": {"Type": "String", "Default": "prod"}}`)}}
	s.Others = []*model.Other{
		{Node: model.Node{ID: "o1", Name: "WorkerRole"}, Type: "AWS::IAM::Role",
			Resource: raw(`{"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]}}}`)},
		{Node: model.Node{ID: "o2", Name: "Deployment"}, Type: "AWS::ApiGatewayV2::Deployment",
			Resource: raw(`{"Type": "AWS::ApiGatewayV2::Deployment", "Properties": {"ApiId": {"Ref": "ChatApi"}}}`)},
	}
	var send *model.Function
	for _, f := range s.Functions {
		if f.Name == "SendHandler" {
			send = f
		}
	}
	send.Kept = []model.Kept{{Part: model.PartMain, Properties: []model.Field{{Key: "Role", Value: raw(`{"Fn::GetAtt": ["WorkerRole", "Arn"]}`)}}}}
	s.APIs[0].Kept = []model.Kept{{Part: model.PartStage, Properties: []model.Field{
		{Key: "StageName", Value: raw(`{"Ref": "Stage"}`)},
		{Key: "DeploymentId", Value: raw(`{"Ref": "Deployment"}`)},
	}}}
	d := mustJSON(t, s)
	res := resources(d)
	if _, ok := res["SendHandlerRole"]; ok {
		t.Error("SendHandler keeps its own role, yet a role was generated for it")
	}
	mustEq(t, "kept role", props(d, "SendHandler")["Role"], getAtt("WorkerRole", "Arn"))
	vars := props(d, "SendHandler")["Environment"].(doc)["Variables"].(doc)
	mustEq(t, "connections URL", vars["CHAT_API_CONNECTIONS_URL"],
		sub("https://${ChatApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/@connections"))
	stage := props(d, "ChatApiStage")
	if _, ok := stage["AutoDeploy"]; ok {
		t.Error("a stage deployed by its own Deployment still auto-deploys")
	}
	mustEq(t, "stage name", stage["StageName"], ref("Stage"))
}
