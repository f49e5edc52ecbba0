package importer

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// sqsAndStepFunctions is written as hand-written WebSocket templates route
// messages straight to SQS and Step Functions: an AWS integration with a
// credentials role of its own, the queue named in the URI, the state
// machine in a Fn::Sub request template, the state machine's definition
// inline.
const sqsAndStepFunctions = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  WsApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: ws
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  Inbox:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
  ApiSqsRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: [apigateway.amazonaws.com]}
            Action: [sts:AssumeRole]
      Policies:
        - PolicyName: send
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [sqs:SendMessage]
                Resource: [!GetAtt Inbox.Arn]
  SendIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WsApi
      IntegrationType: AWS
      IntegrationMethod: POST
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${Inbox.QueueName}
      CredentialsArn: !GetAtt ApiSqsRole.Arn
      RequestParameters:
        integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
      RequestTemplates:
        $default: Action=SendMessage&MessageBody=$input.body
      TemplateSelectionExpression: \$default
  SendRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref WsApi
      RouteKey: send
      Target: !Sub integrations/${SendIntegration}
  FlowRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: [states.amazonaws.com]}
            Action: [sts:AssumeRole]
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineType: EXPRESS
      RoleArn: !GetAtt FlowRole.Arn
      Definition:
        StartAt: Done
        States:
          Done: {Type: Succeed}
  ApiStatesRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: [apigateway.amazonaws.com]}
            Action: [sts:AssumeRole]
      Policies:
        - PolicyName: start
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [states:StartSyncExecution]
                Resource: [!Ref Flow]
  RunIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WsApi
      IntegrationType: AWS
      IntegrationMethod: POST
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:states:action/StartSyncExecution
      CredentialsArn: !GetAtt ApiStatesRole.Arn
      RequestTemplates:
        $default: !Sub '{"input": "$util.escapeJavaScript($input.body)", "stateMachineArn": "${Flow}"}'
      TemplateSelectionExpression: \$default
  RunRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref WsApi
      RouteKey: run
      Target: !Sub integrations/${RunIntegration}
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
      Target: !Sub integrations/${PingIntegration}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref WsApi
      StageName: prod
      AutoDeploy: true
`

// Routes integrated straight with SQS, Step Functions and MOCK import as
// wires to a queue and a state machine and a MOCK route, nothing left
// over, and the export says the same again.
func TestImportServiceIntegrations(t *testing.T) {
	t.Parallel()
	res, err := Parse("template.yaml", []byte(sqsAndStepFunctions))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	s.Name = "services"
	if len(s.Others) != 0 {
		var names []string
		for _, o := range s.Others {
			names = append(names, o.Name)
		}
		t.Errorf("left as they are: %v", names)
	}
	if len(s.Queues) != 1 || len(s.StateMachines) != 1 || s.StateMachines[0].Type != model.StateMachineExpress {
		t.Fatalf("queues %v, state machines %v", s.Queues, s.StateMachines)
	}
	wires := map[string]model.WireKind{}
	for _, a := range s.APIs {
		for _, r := range a.Routes {
			if w := s.RouteTarget(r.ID); w != nil {
				wires[r.Key] = w.Kind
			}
		}
	}
	if wires["send"] != model.WireSendMessage || wires["run"] != model.WireStartSyncExecution {
		t.Errorf("route wires %v", wires)
	}
	ping := s.APIs[0].Routes[2]
	if ping.Key != "ping" || ping.Integration == nil || ping.Integration.Type != model.IntegrationMock || ping.Integration.RequestTemplates["200"] == "" {
		t.Errorf("ping route %+v", ping)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ApiSqsRole:", "ApiStatesRole:", "SendIntegration:", "FlowRole:", "Action=SendMessage&MessageBody=$input.body", "StartAt"} {
		if !bytes.Contains(out, []byte(id)) {
			t.Errorf("the export lost %s:\n%s", id, out)
		}
	}
	again, err := Parse("template.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	again.Stack.Name = "services"
	out2, err := export.YAML(again.Stack)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, out2) {
		t.Errorf("export → import → export differs:\n%s\n---\n%s", out, out2)
	}
}

// The export's services golden, every kind and integration, imports back to
// the same template, its state machines' definitions read from beside it.
func TestServicesGoldenRoundTrips(t *testing.T) {
	t.Parallel()
	golden, err := os.ReadFile("../export/testdata/services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	beside := fstest.MapFS{
		"statemachines/flow.asl.json":  {Data: []byte(model.DefaultDefinition)},
		"statemachines/quick.asl.json": {Data: []byte(model.DefaultDefinition)},
	}
	res, err := ImportFrom(context.Background(), "template.yaml", golden, beside)
	if err != nil {
		t.Fatal(err)
	}
	res.Stack.Name = "services"
	if len(res.Stack.Others) != 0 {
		t.Errorf("%d resources left as they are, such as %s", len(res.Stack.Others), res.Stack.Others[0].Name)
	}
	out, err := export.YAML(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, golden) {
		t.Errorf("the golden does not come back:\n%s", firstDifference(out, golden))
	}
	// Without the folder a state machine stays as written, with a note.
	res, err = Parse("template.yaml", []byte(`Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/flow
      DefinitionS3Location: statemachines/flow.asl.json
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stack.StateMachines) != 0 || len(res.Stack.Others) != 1 || !strings.Contains(strings.Join(res.Summary.Notes, "\n"), "statemachines/flow.asl.json was not read") {
		t.Errorf("state machines %v, notes %v", res.Stack.StateMachines, res.Summary.Notes)
	}
}

// A definition file outside the template's folder is never read.
func TestStateMachineDefinitionOutsideFolderIsNotRead(t *testing.T) {
	t.Parallel()
	beside := fstest.MapFS{"flow.json": {Data: []byte(model.DefaultDefinition)}}
	for _, p := range []string{"../flow.json", "/etc/passwd", "a/../flow.json"} {
		res, err := ImportFrom(context.Background(), "template.yaml", []byte(`Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/flow
      DefinitionS3Location: `+p+`
`), beside)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Stack.StateMachines) != 0 || !strings.Contains(strings.Join(res.Summary.Notes, "\n"), "not a path inside the template's folder") {
			t.Errorf("%s: state machines %v, notes %v", p, res.Stack.StateMachines, res.Summary.Notes)
		}
	}
}

func firstDifference(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + al[i] + "\nwant " + bl[i]
		}
	}
	return "lengths differ"
}
