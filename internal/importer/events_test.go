package importer

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// The export's events golden imports as the stack it came from: every bus,
// rule, bucket and stream, every wire between them and to the routes and
// function, nothing left over or kept; and it exports byte for byte again.
func TestImportEventKinds(t *testing.T) {
	t.Parallel()
	golden, err := os.ReadFile("../export/testdata/events.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse("template.yaml", golden)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	s.Name = "events"
	if len(s.Others) != 0 || len(s.Buses) != 1 || len(s.Rules) != 2 || len(s.Buckets) != 1 || len(s.Streams) != 1 {
		t.Fatalf("others %d, buses %d, rules %d, buckets %d, streams %d", len(s.Others), len(s.Buses), len(s.Rules), len(s.Buckets), len(s.Streams))
	}
	kinds := map[model.WireKind]int{}
	for _, w := range s.Wires {
		kinds[w.Kind]++
	}
	for kind, n := range map[model.WireKind]int{model.WirePutEvents: 1, model.WirePutRecord: 1, model.WireMatch: 1, model.WireTrigger: 2, model.WireDeliver: 1, model.WireNotify: 1} {
		if kinds[kind] != n {
			t.Errorf("%d %s wires, want %d (all: %v)", kinds[kind], kind, n, kinds)
		}
	}
	var kept []string
	for _, n := range s.Nodes() {
		if k := keptOfNode(s, n); len(k) > 0 {
			kept = append(kept, n.Name)
		}
	}
	if len(kept) > 0 {
		t.Errorf("these keep something of their own export: %v", kept)
	}
	rule, bucket, stream := s.Rules[0], s.Buckets[0], s.Streams[0]
	if rule.Description != "Orders placed through the API" || !strings.Contains(rule.EventPattern, `"detail-type":["publish"]`) || s.Rules[1].Schedule != "cron(0 3 * * ? *)" {
		t.Errorf("rules %+v %+v", rule, s.Rules[1])
	}
	if bucket.BucketName != "events-uploads" || bucket.DeletionPolicy != model.DeletionDelete || stream.RetentionHours != 48 || stream.ShardCount != 1 {
		t.Errorf("bucket %+v, stream %+v", bucket, stream)
	}
	out, err := export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, golden) {
		t.Errorf("the export of the import differs from the golden:\n%s", out)
	}
}

func keptOfNode(s *model.Stack, n model.NodeRef) []model.Kept {
	switch n.Kind {
	case model.KindBus:
		return s.Bus(n.ID).Kept
	case model.KindRule:
		return s.Rule(n.ID).Kept
	case model.KindBucket:
		return s.Bucket(n.ID).Kept
	case model.KindStream:
		return s.Stream(n.ID).Kept
	}
	return nil
}

// handWrittenEvents is written as people write these resources: the bus
// by Ref, a target Id of their own, permissions and policies named their
// way, a bucket CloudFormation names with the SourceAccount pattern.
const handWrittenEvents = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Handler:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Code: src
      Role: arn:aws:iam::123456789012:role/handler
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: chat-events
  OnMessage:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      State: ENABLED
      EventPattern: '{"source": ["chat"]}'
      Targets:
        - Id: HandlerTarget
          Arn: !GetAtt Handler.Arn
  InvokePermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Handler
      Principal: events.amazonaws.com
      SourceArn: !GetAtt OnMessage.Arn
  Uploads:
    Type: AWS::S3::Bucket
    DependsOn: UploadPermission
    Properties:
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectCreated:Put
            Function: !GetAtt Handler.Arn
  UploadPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Handler
      Principal: s3.amazonaws.com
      SourceAccount: !Ref AWS::AccountId
  Clicks:
    Type: AWS::Kinesis::Stream
    Properties:
      StreamModeDetails:
        StreamMode: ON_DEMAND
`

// A hand-written template's buses, rules, buckets and streams become
// nodes; what the model would say otherwise (the bus's name, the rule's
// targets and state, the bucket's notifications) is kept as written, and
// the permissions it does not write so stay as they are: the export is the
// same infrastructure, and exports again byte for byte.
func TestImportHandWrittenEventKinds(t *testing.T) {
	t.Parallel()
	res, err := Parse("template.yaml", []byte(handWrittenEvents))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	s.Name = "chat"
	if len(s.Buses) != 1 || len(s.Rules) != 1 || len(s.Buckets) != 1 || len(s.Streams) != 1 || len(s.Others) != 2 {
		t.Fatalf("buses %d, rules %d, buckets %d, streams %d, others %d", len(s.Buses), len(s.Rules), len(s.Buckets), len(s.Streams), len(s.Others))
	}
	if !s.Streams[0].OnDemand || s.Rules[0].EventPattern != `{"source":["chat"]}` {
		t.Errorf("stream %+v, rule %+v", s.Streams[0], s.Rules[0])
	}
	// The rule is on the bus; its target's permission is not the
	// export's, so it is no wire.
	if len(s.Wires) != 1 || s.Wires[0].Kind != model.WireMatch {
		t.Errorf("wires %v", s.Wires)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("SHOW") != "" {
		t.Logf("%s", out)
	}
	for _, want := range []string{"Name: chat-events", "EventBusName: !Ref Bus", "State: ENABLED", "Id: HandlerTarget", "InvokePermission:", "UploadPermission:",
		"DependsOn: UploadPermission", "Event: s3:ObjectCreated:Put", "StreamMode: ON_DEMAND"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the export lost %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"BucketName", "ShardCount", "DeletionPolicy: Retain", "ChatEventsPolicy", "ToHandlerPermission"} {
		if bytes.Contains(out, []byte(unwanted)) {
			t.Errorf("the export adds %q:\n%s", unwanted, out)
		}
	}
	again, err := Parse("template.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	again.Stack.Name = "chat"
	out2, err := export.YAML(again.Stack)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, out2) {
		t.Errorf("export → import → export differs:\n%s\n---\n%s", out, out2)
	}
}
