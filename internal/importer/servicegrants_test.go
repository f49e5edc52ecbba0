package importer_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// serviceGrantTemplate is a function whose role holds the statement given,
// beside a queue, a topic, a bus, a state machine, a bucket and a stream.
func serviceGrantTemplate(statement string) string {
	return `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Alerts:
    Type: AWS::SNS::Topic
  Orders:
    Type: AWS::Events::EventBus
    Properties:
      Name: orders
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition: {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}}
      RoleArn: arn:aws:iam::123456789012:role/flow
  Uploads:
    Type: AWS::S3::Bucket
  Clicks:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: [lambda.amazonaws.com]}
            Action: [sts:AssumeRole]
      Policies:
        - PolicyName: Calls
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
` + statement + `
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs22.x
      Code: functions/worker
      Role: !GetAtt WorkerRole.Arn
`
}

// TestServiceStatementsAreWires: a role statement allowing exactly what a
// function → service wire grants, on that resource, is read back as the
// wire; a statement allowing more, less or elsewhere is no wire, and the
// role keeps it as written.
func TestServiceStatementsAreWires(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, statement string
		want            []string // "Worker <kind> <node>"
	}{
		{"send to a queue", `              - {Effect: Allow, Action: "sqs:SendMessage", Resource: !GetAtt Jobs.Arn}`, []string{"send-to-queue Jobs"}},
		{"publish", `              - {Effect: Allow, Action: ["sns:Publish"], Resource: [!Ref Alerts]}`, []string{"publish-to-topic Alerts"}},
		{"put events", `              - {Effect: Allow, Action: ["events:PutEvents"], Resource: !GetAtt Orders.Arn}`, []string{"put-events-on-bus Orders"}},
		{"start", `              - {Effect: Allow, Action: ["states:StartExecution"], Resource: !Ref Flow}`, []string{"start-machine Flow"}},
		{"read a bucket", `              - {Effect: Allow, Action: ["s3:ListBucket", "s3:GetObject"], Resource: [!GetAtt Uploads.Arn, !Sub "${Uploads.Arn}/*"]}`, []string{"bucket-read Uploads"}},
		{"write a bucket", `              - {Effect: Allow, Action: ["s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:DeleteObject"], Resource: [!Sub "arn:${AWS::Partition}:s3:::${Uploads}", !Sub "arn:${AWS::Partition}:s3:::${Uploads}/*"]}`, []string{"bucket-read-write Uploads"}},
		{"put records", `              - {Effect: Allow, Action: ["kinesis:PutRecords", "kinesis:PutRecord"], Resource: !GetAtt Clicks.Arn}`, []string{"put-records Clicks"}},
		// Wider than a wire: no wire.
		{"send and more", `              - {Effect: Allow, Action: ["sqs:SendMessage", "sqs:GetQueueUrl"], Resource: !GetAtt Jobs.Arn}`, nil},
		{"sqs wildcard", `              - {Effect: Allow, Action: "sqs:SendMessage*", Resource: !GetAtt Jobs.Arn}`, nil},
		{"any queue", `              - {Effect: Allow, Action: "sqs:SendMessage", Resource: "*"}`, nil},
		{"a condition", `              - {Effect: Allow, Action: "sns:Publish", Resource: !Ref Alerts, Condition: {Bool: {aws:SecureTransport: "true"}}}`, nil},
		{"the wrong node", `              - {Effect: Allow, Action: "sns:Publish", Resource: !GetAtt Jobs.Arn}`, nil},
		// Narrower: PutRecord alone is not the wire's grant.
		{"put one record", `              - {Effect: Allow, Action: "kinesis:PutRecord", Resource: !GetAtt Clicks.Arn}`, nil},
		{"a bucket's objects only", `              - {Effect: Allow, Action: ["s3:GetObject", "s3:ListBucket"], Resource: !Sub "${Uploads.Arn}/*"}`, nil},
		{"deny", `              - {Effect: Deny, Action: "sqs:SendMessage", Resource: !GetAtt Jobs.Arn}`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, err := importer.Parse("template.yaml", []byte(serviceGrantTemplate(c.statement)))
			if err != nil {
				t.Fatal(err)
			}
			s := res.Stack
			var got []string
			for _, w := range s.Wires {
				if from, ok := s.Node(w.From); ok && from.Kind == model.KindFunction {
					to, _ := s.Node(w.To)
					got = append(got, string(w.Kind)+" "+to.Name)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("wires %v, want %v", got, c.want)
			}
			f := s.Functions[0]
			keptRole := slices.ContainsFunc(f.Kept, func(k model.Kept) bool { return k.Part == model.PartRole })
			if len(c.want) == 0 && !keptRole {
				t.Errorf("the role with a statement no wire says is not kept as written: %+v", f.Kept)
			}
			// The export writes the source's IAM and environment: the
			// statement as written, no variable the source did not set.
			s.Name = "grants"
			out, err := export.Render(s, export.FormatYAML)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), "PolicyName: Calls\n") || strings.Contains(string(out), "Environment:") {
				t.Errorf("the export changes the function's IAM or environment:\n%s", out)
			}
		})
	}
}

// TestSAMServicePolicyTemplates: SAM's SNSPublishMessagePolicy,
// EventBridgePutEventsPolicy and StepFunctionsExecutionPolicy expand to
// exactly a wire's grant, so the function is wired; the role is SAM's
// expansion as written. SQSSendMessagePolicy allows sqs:SendMessage*, more
// than a wire: that function stays as SAM wrote it.
func TestSAMServicePolicyTemplates(t *testing.T) {
	t.Parallel()
	src := `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Alerts:
    Type: AWS::SNS::Topic
  Orders:
    Type: AWS::Events::EventBus
    Properties:
      Name: orders
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition: {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}}
      RoleArn: arn:aws:iam::123456789012:role/flow
  Jobs:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs22.x
      CodeUri: worker/
      Policies:
        - SNSPublishMessagePolicy:
            TopicName: !GetAtt Alerts.TopicName
        - EventBridgePutEventsPolicy:
            EventBusName: !Ref Orders
        - StepFunctionsExecutionPolicy:
            StateMachineName: !GetAtt Flow.Name
  Sender:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs22.x
      CodeUri: sender/
      Policies:
        - SQSSendMessagePolicy:
            QueueName: !GetAtt Jobs.QueueName
`
	res, err := importer.Parse("template.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	var got []string
	for _, w := range s.Wires {
		from, _ := s.Node(w.From)
		to, _ := s.Node(w.To)
		got = append(got, from.Name+" "+string(w.Kind)+" "+to.Name)
	}
	want := []string{"Worker publish-to-topic Alerts", "Worker put-events-on-bus Orders", "Worker start-machine Flow"}
	if !slices.Equal(got, want) {
		t.Errorf("wires %v, want %v", got, want)
	}
	if len(s.Functions) != 1 || s.Functions[0].Name != "Worker" {
		t.Errorf("functions %v; want Worker alone (Sender's SQSSendMessagePolicy grants more than a wire)", s.Functions)
	}
	s.Name = "sam"
	out, err := export.Render(s, export.FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"- sns:Publish\n", "topicName: !GetAtt Alerts.TopicName",
		"Action: events:PutEvents\n", "eventBusName: !Ref Orders",
		"- states:StartExecution\n", "stateMachineName: !GetAtt Flow.Name",
		"Type: AWS::Serverless::Function", "SQSSendMessagePolicy",
	} {
		if !strings.Contains(string(out), w) {
			t.Errorf("the export lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(string(out), "ManagedPolicyArns:\n        - SNSPublishMessagePolicy") {
		t.Errorf("a policy template became a managed policy:\n%s", out)
	}
}
