package importer_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
)

// A function, role and table as a hand-written template has them: no
// Timeout, MemorySize, log group, DeletionPolicy or outputs, a literal
// region, a narrow grant.
const faithfulSource = `Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: chat, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: prod, AutoDeploy: true}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: $default, Target: !Sub "integrations/${Integ}"}
  Integ:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${Handler.Arn}/invocations
  Permission:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: !Ref Handler, Principal: apigateway.amazonaws.com}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: table
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: !GetAtt Table.Arn}]
  Handler:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: handler
`

// TestImportIsFaithful: what the source left unsaid stays unsaid (no
// Retain, timeout, memory, log group, extra variables or outputs), its
// literal region and its narrow grant stay as written, until the user
// changes what they come from; then Switchboard writes the change.
func TestImportIsFaithful(t *testing.T) {
	t.Parallel()
	res, err := importer.Parse("template.yaml", []byte(faithfulSource))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	s.Name = "faithful"
	out, err := export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, unsaid := range []string{"DeletionPolicy", "UpdateReplacePolicy", "Timeout", "MemorySize", "AWS::Logs::LogGroup", "LoggingConfig", "TABLE_NAME", "Outputs", "index/*", "dynamodb:Scan", "AWS::Region}:lambda"} {
		if bytes.Contains(out, []byte(unsaid)) {
			t.Errorf("the export says %q, which the source did not:\n%s", unsaid, out)
		}
	}
	for _, said := range []string{"arn:aws:apigateway:eu-west-1:lambda", "FunctionName: !Ref Handler", "PolicyName: table"} {
		if !bytes.Contains(out, []byte(said)) {
			t.Errorf("the export lost %q:\n%s", said, out)
		}
	}

	// The user changes the timeout, the table's deletion policy and the
	// function's wire: those become Switchboard's to write.
	f, tbl := s.Functions[0], s.Tables[0]
	if f.Timeout != 3 || f.MemorySize != 128 || tbl.DeletionPolicy != "Delete" {
		t.Errorf("the panel shows timeout %d, memory %d, deletion policy %s; AWS's defaults are 3, 128, Delete", f.Timeout, f.MemorySize, tbl.DeletionPolicy)
	}
	f.Timeout = 30
	tbl.DeletionPolicy = "Retain"
	for _, w := range s.Wires {
		if w.From == f.ID && w.To == tbl.ID {
			w.Kind = "read"
		}
	}
	out, err = export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, changed := range []string{"Timeout: 30", "DeletionPolicy: Retain", "dynamodb:Query"} {
		if !bytes.Contains(out, []byte(changed)) {
			t.Errorf("the user's change %q is not written:\n%s", changed, out)
		}
	}
	if bytes.Contains(out, []byte("PolicyName: table")) {
		t.Errorf("the source's policy is still written after the wire changed:\n%s", out)
	}
}

// TestServerlessSettingsHonoured: a serverless.yml's logRetentionInDays
// and tags reach the export, its functions keep the Framework's logical
// IDs (ConnectLambdaFunction, on a node named Connect) and its API the
// Framework's name and description (<stage>-<service>-websockets), stackTags are named in a note (a template
// cannot hold them), and a nested ${self:…} in an IAM resource is resolved.
func TestServerlessSettingsHonoured(t *testing.T) {
	t.Parallel()
	src := `service: chat
provider:
  name: aws
  runtime: nodejs22.x
  region: eu-west-1
  logRetentionInDays: 7
  tags:
    team: realtime
  stackTags:
    cost: chat
  iam:
    role:
      statements:
        - Effect: Allow
          Action: ["dynamodb:PutItem"]
          Resource: "arn:aws:dynamodb:${self:provider.region}:*:table/${self:custom.table}"
custom:
  table: ${self:service}-conns-${sls:stage}
functions:
  connect:
    handler: h.connect
    logRetentionInDays: 14
    tags:
      route: connect
    events:
      - websocket: $connect
  send:
    handler: h.send
    events:
      - websocket: send
`
	res, err := importer.Parse("serverless.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res.Stack.Name = "chat"
	out, err := export.YAML(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"RetentionInDays: 14", "RetentionInDays: 7", "Value: realtime", "Value: connect", "table/chat-conns-dev",
		"Name: dev-chat-websockets", "Description: Serverless Websockets", "ConnectLambdaFunction:", "SendLambdaFunction:",
		"SconnectWebsocketsRoute:", "sendWebsocketsRoute:", "ConnectWebsocketsIntegration:", "WebsocketsDeploymentStage:", "ConnectLogGroup:"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the export lacks %q:\n%s", want, out)
		}
	}
	if bytes.Contains(out, []byte("RetentionInDays: 30")) || bytes.Contains(out, []byte("${self:")) {
		t.Errorf("the export has Switchboard's retention or an unresolved variable:\n%s", out)
	}
	if got := res.Stack.Functions[0].Name; got != "Connect" {
		t.Errorf("the function's node is named %q, not Connect", got)
	}
	var noted bool
	for _, n := range res.Summary.Notes {
		noted = noted || strings.Contains(n, "stackTags")
	}
	if !noted {
		t.Errorf("stackTags are dropped without a note: %v", res.Summary.Notes)
	}
}
