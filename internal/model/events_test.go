package model_test

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// eventStack has a bus with a rule on it that invokes a function and sends
// to a queue, a bucket that notifies the function, and routes to the bus
// and a stream.
func eventStack(t *testing.T) *model.Stack {
	t.Helper()
	s := &model.Stack{Name: "events"}
	a := model.NewAPI("api1", "Api")
	a.Routes = []*model.Route{{ID: "rt1", Key: "publish"}, {ID: "rt2", Key: "record"}}
	s.APIs = []*model.API{a}
	s.Functions = []*model.Function{model.NewFunction("fn1", "Worker")}
	s.Queues = []*model.Queue{model.NewQueue("q1", "Audit")}
	s.Buses = []*model.Bus{model.NewBus("bus1", "Orders")}
	s.Rules = []*model.Rule{model.NewRule("rl1", "OnOrder")}
	b := model.NewBucket("bkt1", "Uploads")
	b.BucketName = "events-uploads"
	s.Buckets = []*model.Bucket{b}
	s.Streams = []*model.Stream{model.NewStream("ks1", "Clicks")}
	s.Wires = []*model.Wire{
		{ID: "w1", Kind: model.WirePutEvents, From: "rt1", To: "bus1"},
		{ID: "w2", Kind: model.WirePutRecord, From: "rt2", To: "ks1"},
		{ID: "w3", Kind: model.WireMatch, From: "bus1", To: "rl1"},
		{ID: "w4", Kind: model.WireTrigger, From: "rl1", To: "fn1"},
		{ID: "w5", Kind: model.WireDeliver, From: "rl1", To: "q1"},
		{ID: "w6", Kind: model.WireNotify, From: "bkt1", To: "fn1"},
	}
	return s
}

// The event wires connect what WireRules says, routes to a bus or a stream
// are their integration, and what each event wire allows its start is a
// resource policy of one action for one service.
func TestEventWires(t *testing.T) {
	s := eventStack(t)
	if err := s.Validate(); err != nil {
		t.Fatalf("the event stack is refused: %v", err)
	}
	for _, c := range []struct {
		from, to model.Kind
		want     model.WireKind
	}{
		{model.KindRoute, model.KindBus, model.WirePutEvents}, {model.KindRoute, model.KindStream, model.WirePutRecord},
		{model.KindBus, model.KindRule, model.WireMatch}, {model.KindRule, model.KindFunction, model.WireTrigger},
		{model.KindRule, model.KindQueue, model.WireDeliver}, {model.KindBucket, model.KindFunction, model.WireNotify},
	} {
		if got := model.WireKindsBetween(c.from, c.to); len(got) != 1 || got[0] != c.want {
			t.Errorf("%s → %s: %v, want %s", c.from, c.to, got, c.want)
		}
	}
	if w := s.RouteTarget("rt1"); w == nil || w.Kind != model.WirePutEvents {
		t.Errorf("the publish route's target is %v", w)
	}
	if a := model.ServiceActions[model.WirePutRecord]; a.IAMAction() != "kinesis:PutRecord" {
		t.Errorf("PutRecord's action is %s", a.IAMAction())
	}
	if a := model.ServiceActions[model.WirePutEvents]; a.IAMAction() != "events:PutEvents" {
		t.Errorf("PutEvents' action is %s", a.IAMAction())
	}
	for kind, want := range map[model.WireKind]model.ResourceGrant{
		model.WireTrigger: {Principal: "events.amazonaws.com", Action: "lambda:InvokeFunction"},
		model.WireDeliver: {Principal: "events.amazonaws.com", Action: "sqs:SendMessage"},
		model.WireNotify:  {Principal: "s3.amazonaws.com", Action: "lambda:InvokeFunction"},
	} {
		if got := model.ResourceGrants[kind]; got != want {
			t.Errorf("%s grants %+v, want %+v", kind, got, want)
		}
	}
	// None of them adds to the function's role.
	for _, w := range s.Wires {
		if g, ok := s.Grant(w); ok {
			t.Errorf("%s grants the function %v", w.Kind, g.Actions)
		}
	}
}

// What EventBridge, S3 and Kinesis refuse is refused with the field named.
func TestEventKindProblems(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(s *model.Stack)
		field string
		want  string
	}{
		{"pattern", func(s *model.Stack) { s.Rules[0].EventPattern = "[1]" }, "eventPattern", "must be a JSON object"},
		{"schedule", func(s *model.Stack) { s.Rules[0].Schedule = "every day" }, "schedule", "must be rate(…) or cron(…)"},
		{"schedule on a bus", func(s *model.Stack) { s.Rules[0].Schedule = "rate(1 hour)" }, "schedule", "runs on the default bus only"},
		{"nothing to match", func(s *model.Stack) { s.Rules[0].EventPattern = "" }, "eventPattern", "needs an event pattern or a schedule"},
		{"two buses", func(s *model.Stack) {
			s.Buses = append(s.Buses, model.NewBus("bus2", "Other"))
			s.Wires = append(s.Wires, &model.Wire{ID: "w9", Kind: model.WireMatch, From: "bus2", To: "rl1"})
		}, "", "on more than one bus"},
		{"unnamed bucket", func(s *model.Stack) { s.Buckets[0].BucketName = "" }, "bucketName", "needs a name"},
		{"bucket name", func(s *model.Stack) { s.Buckets[0].BucketName = "Uploads_1" }, "bucketName", "lower-case"},
		{"bucket event", func(s *model.Stack) { s.Buckets[0].Events = []string{"created"} }, "events", "is not an S3 event"},
		{"no bucket event", func(s *model.Stack) { s.Buckets[0].Events = nil }, "events", "of no event"},
		{"same bucket name", func(s *model.Stack) {
			b := model.NewBucket("bkt2", "Copy")
			b.BucketName = "events-uploads"
			s.Buckets = append(s.Buckets, b)
		}, "bucketName", "S3 bucket names are unique"},
		{"shards", func(s *model.Stack) { s.Streams[0].ShardCount = 0 }, "shardCount", "shards must be 1 to"},
		{"retention", func(s *model.Stack) { s.Streams[0].RetentionHours = 12 }, "retentionHours", "retention must be 24 to"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := eventStack(t)
			c.edit(s)
			var found bool
			for _, p := range s.Check() {
				if p.Severity == model.SeverityError && p.Field == c.field && strings.Contains(p.Message, c.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem at %q saying %q: %v", c.field, c.want, s.Check())
			}
		})
	}
	// A scheduled rule on the default bus, a CloudFormation-named bucket
	// that notifies nothing and an on-demand stream are fine.
	s := eventStack(t)
	s.Rules[0].Schedule, s.Rules[0].EventPattern = "cron(0 3 * * ? *)", ""
	s.Wires = s.Wires[:2]
	s.Buckets[0].BucketName = ""
	s.Streams[0].OnDemand, s.Streams[0].ShardCount = true, 0
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}

// A new bucket is named after the stack and itself, in S3's alphabet.
func TestDefaultBucketName(t *testing.T) {
	for _, c := range []struct{ stack, bucket, want string }{
		{"chat", "Uploads", "chat-uploads"},
		{"My Chat_App", "UserPhotos2", "my-chat-app-user-photos2"},
		{"", "B", "bucket-b"},
		{strings.Repeat("x", 60), "Uploads", strings.Repeat("x", 50)},
	} {
		if got := model.DefaultBucketName(c.stack, c.bucket); got != c.want {
			t.Errorf("DefaultBucketName(%q, %q) = %q, want %q", c.stack, c.bucket, got, c.want)
		}
	}
	s := &model.Stack{Name: "chat"}
	id, err := s.AddNode(model.KindBucket, model.Position{})
	if err != nil {
		t.Fatal(err)
	}
	if b := s.Bucket(id); b.BucketName != "chat-bucket" || b.DeletionPolicy != model.DeletionRetain {
		t.Errorf("a new bucket: %+v", b)
	}
}

// A pasted copy of a bucket gets a bucket name of its own, so the stack
// stays valid; a bucket pasted into another stack keeps its name.
func TestPastedBucketIsRenamed(t *testing.T) {
	s := eventStack(t)
	frag, err := s.Fragment([]string{"bkt1"})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.Paste(frag, model.Position{X: 100, Y: 100})
	if err != nil {
		t.Fatal(err)
	}
	if b := s.Bucket(ids[0]); b == nil || b.BucketName != "events-uploads2" {
		t.Fatalf("the copy %+v", b)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	other := &model.Stack{Name: "other"}
	frag, _ = s.Fragment([]string{"bkt1"})
	ids, _ = other.Paste(frag, model.Position{})
	if b := other.Bucket(ids[0]); b.BucketName != "events-uploads" {
		t.Errorf("pasted into another stack, the bucket is named %q", b.BucketName)
	}
}
