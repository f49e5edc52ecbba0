package export

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func init() { goldenStacks["events"] = eventsStack }

// eventsStack uses every event kind and its wires: a route puts events on
// a bus and another records on a stream; a rule on the bus triggers a
// function and delivers to a queue, a scheduled rule on the default bus
// triggers the same function, and a bucket notifies it of new objects.
func eventsStack(t testing.TB) *model.Stack {
	t.Helper()
	s := &model.Stack{Name: "events"}
	a := model.NewAPI("api1", "EventsApi")
	a.Routes = []*model.Route{
		{ID: "rt1", Key: "publish"},
		{ID: "rt2", Key: "record"},
	}
	s.APIs = []*model.API{a}
	s.Functions = []*model.Function{model.NewFunction("fn1", "Processor")}
	s.Queues = []*model.Queue{model.NewQueue("q1", "Audit")}
	s.Buses = []*model.Bus{model.NewBus("bus1", "Orders")}
	placed := model.NewRule("rl1", "OrderPlaced")
	placed.Description = "Orders placed through the API"
	placed.EventPattern = `{"source": ["EventsApi"], "detail-type": ["publish"]}`
	nightly := model.NewRule("rl2", "Nightly")
	nightly.EventPattern = ""
	nightly.Schedule = "cron(0 3 * * ? *)"
	s.Rules = []*model.Rule{placed, nightly}
	uploads := model.NewBucket("bkt1", "Uploads")
	uploads.BucketName = "events-uploads"
	uploads.DeletionPolicy = model.DeletionDelete
	s.Buckets = []*model.Bucket{uploads}
	clicks := model.NewStream("ks1", "Clicks")
	clicks.RetentionHours = 48
	s.Streams = []*model.Stream{clicks}
	s.Wires = []*model.Wire{
		{ID: "w1", Kind: model.WirePutEvents, From: "rt1", To: "bus1"},
		{ID: "w2", Kind: model.WirePutRecord, From: "rt2", To: "ks1"},
		{ID: "w3", Kind: model.WireMatch, From: "bus1", To: "rl1"},
		{ID: "w4", Kind: model.WireTrigger, From: "rl1", To: "fn1"},
		{ID: "w5", Kind: model.WireDeliver, From: "rl1", To: "q1"},
		{ID: "w6", Kind: model.WireTrigger, From: "rl2", To: "fn1"},
		{ID: "w7", Kind: model.WireNotify, From: "bkt1", To: "fn1"},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

// Each event wire grants exactly what it needs to exactly its start: the
// routes' credentials roles one action on one resource, each rule its own
// invoke permission, the queue's policy the one rule, the bucket its
// permission by name so that no dependency cycle forms.
func TestEventWiresAreLeastPrivilege(t *testing.T) {
	t.Parallel()
	out, err := Render(eventsStack(t), FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	var doc jsonDoc
	if err := json.Unmarshal(out, &doc.v); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ role, action, resource string }{
		{"EventsApiPublishIntegrationRole", "events:PutEvents", `{"Fn::GetAtt":["Orders","Arn"]}`},
		{"EventsApiRecordIntegrationRole", "kinesis:PutRecord", `{"Fn::GetAtt":["Clicks","Arn"]}`},
	} {
		pols, _ := doc.Path("Resources", c.role, "Properties", "Policies").v.([]any)
		if len(pols) != 1 {
			t.Fatalf("%s has policies %v", c.role, pols)
		}
		stmt := jsonOf(t, jsonDoc{pols[0]}.Path("PolicyDocument", "Statement"))
		if want := `[{"Action":["` + c.action + `"],"Effect":"Allow","Resource":[` + c.resource + `]}]`; stmt != want {
			t.Errorf("%s allows %s, want %s", c.role, stmt, want)
		}
	}
	for _, c := range []struct{ id, want string }{
		{"OrderPlacedToProcessorPermission", `{"Action":"lambda:InvokeFunction","FunctionName":{"Fn::GetAtt":["Processor","Arn"]},"Principal":"events.amazonaws.com","SourceArn":{"Fn::GetAtt":["OrderPlaced","Arn"]}}`},
		{"NightlyToProcessorPermission", `{"Action":"lambda:InvokeFunction","FunctionName":{"Fn::GetAtt":["Processor","Arn"]},"Principal":"events.amazonaws.com","SourceArn":{"Fn::GetAtt":["Nightly","Arn"]}}`},
		{"UploadsToProcessorPermission", `{"Action":"lambda:InvokeFunction","FunctionName":{"Fn::GetAtt":["Processor","Arn"]},"Principal":"s3.amazonaws.com","SourceAccount":{"Ref":"AWS::AccountId"},"SourceArn":{"Fn::Sub":"arn:${AWS::Partition}:s3:::events-uploads-${AWS::AccountId}"}}`},
		{"AuditEventsPolicy", `{"PolicyDocument":{"Statement":[{"Action":["sqs:SendMessage"],"Condition":{"ArnEquals":{"aws:SourceArn":{"Fn::GetAtt":["OrderPlaced","Arn"]}}},"Effect":"Allow","Principal":{"Service":["events.amazonaws.com"]},"Resource":[{"Fn::GetAtt":["Audit","Arn"]}]}],"Version":"2012-10-17"},"Queues":[{"Ref":"Audit"}]}`},
	} {
		if got := jsonOf(t, doc.Path("Resources", c.id, "Properties")); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.id, got, c.want)
		}
	}
	// The bucket waits for its permission, which does not name it by Ref
	// or GetAtt: no cycle.
	bucket := doc.Path("Resources", "Uploads")
	if got := jsonOf(t, bucket.Path("DependsOn")); got != `["UploadsToProcessorPermission"]` {
		t.Errorf("the bucket depends on %s", got)
	}
	if got := jsonOf(t, bucket.Path("Properties", "NotificationConfiguration")); got != `{"LambdaConfigurations":[{"Event":"s3:ObjectCreated:*","Function":{"Fn::GetAtt":["Processor","Arn"]}}]}` {
		t.Errorf("the bucket notifies %s", got)
	}
	// The function's role gains nothing from being a target: its one
	// policy is its logs'.
	if got := jsonOf(t, doc.Path("Resources", "ProcessorRole", "Properties", "Policies")); strings.Count(got, "PolicyName") != 1 || !strings.Contains(got, `"PolicyName":"Logs"`) {
		t.Errorf("the processor's role has policies: %s", got)
	}
	rule := doc.Path("Resources", "OrderPlaced", "Properties")
	if got := jsonOf(t, rule.Path("EventBusName")); got != `{"Fn::GetAtt":["Orders","Name"]}` {
		t.Errorf("the rule is on %s", got)
	}
	if got := jsonOf(t, rule.Path("Targets")); got != `[{"Arn":{"Fn::GetAtt":["Processor","Arn"]},"Id":"Processor"},{"Arn":{"Fn::GetAtt":["Audit","Arn"]},"Id":"Audit"}]` {
		t.Errorf("the rule's targets: %s", got)
	}
	if got := jsonOf(t, doc.Path("Resources", "Nightly", "Properties")); strings.Contains(got, "EventBusName") || !strings.Contains(got, `"ScheduleExpression":"cron(0 3 * * ? *)"`) {
		t.Errorf("the scheduled rule: %s", got)
	}
}
