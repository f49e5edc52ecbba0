package model_test

import (
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func TestWireRulesCoverEveryKind(t *testing.T) {
	for i, k := range model.WireKinds {
		rule, ok := model.WireRuleOf(k)
		if !ok || model.WireRules[i].Kind != k {
			t.Fatalf("wire kind %s: rule %+v, %v; want WireRules in WireKinds' order", k, rule, ok)
		}
		if !slices.Contains(model.WireAlternatives(k), k) {
			t.Errorf("%s is not among its own alternatives %v", k, model.WireAlternatives(k))
		}
	}
	if _, ok := model.WireRuleOf("owns"); ok {
		t.Error("an unknown kind has a rule")
	}
	for _, c := range []struct {
		from, to model.Kind
		want     []model.WireKind
	}{
		{model.KindRoute, model.KindFunction, []model.WireKind{model.WireIntegration}},
		{model.KindFunction, model.KindTable, []model.WireKind{model.WireRead, model.WireReadWrite}},
		{model.KindFunction, model.KindAPI, []model.WireKind{model.WireSend, model.WireAuthorizer}},
		{model.KindFunction, model.KindFunction, nil},
		{model.KindRoute, model.KindTable, []model.WireKind{model.WirePutItem}},
		{model.KindRoute, model.KindQueue, []model.WireKind{model.WireSendMessage}},
		{model.KindRoute, model.KindStateMachine, []model.WireKind{model.WireStartExecution, model.WireStartSyncExecution}},
		{model.KindQueue, model.KindFunction, []model.WireKind{model.WireConsume}},
		{model.KindTopic, model.KindFunction, []model.WireKind{model.WireSubscribe}},
		{model.KindQueue, model.KindQueue, []model.WireKind{model.WireDeadLetter}},
		{model.KindTable, model.KindFunction, []model.WireKind{model.WireStream}},
		{model.KindTopic, model.KindQueue, nil},
		{model.KindFunction, model.KindQueue, []model.WireKind{model.WireSendToQueue}},
		{model.KindFunction, model.KindTopic, []model.WireKind{model.WirePublishToTopic}},
		{model.KindFunction, model.KindBus, []model.WireKind{model.WirePutEventsOnBus}},
		{model.KindFunction, model.KindStateMachine, []model.WireKind{model.WireStartMachine}},
		{model.KindFunction, model.KindBucket, []model.WireKind{model.WireBucketRead, model.WireBucketReadWrite}},
		{model.KindFunction, model.KindStream, []model.WireKind{model.WirePutRecords}},
		{model.KindFunction, model.KindRule, nil},
	} {
		if got := model.WireKindsBetween(c.from, c.to); !slices.Equal(got, c.want) {
			t.Errorf("WireKindsBetween(%s, %s) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
}

func TestGrant(t *testing.T) {
	s, err := model.Example("chat", "Chat")
	if err != nil {
		t.Fatal(err)
	}
	x := model.NewIndex(s)
	wire := func(id string) *model.Wire {
		w := s.Wire(id)
		if w == nil {
			t.Fatalf("no wire %s", id)
		}
		return w
	}
	readWrite, ok := x.Grant(wire("w14"))
	if !ok || readWrite.Table != s.Table("tbl9") || readWrite.API != nil || !readWrite.Write ||
		readWrite.EnvName != "CONNECTIONS_TABLE_NAME" || readWrite.PolicyName != "ConnectionsReadWrite" ||
		!slices.Contains(readWrite.Actions, "dynamodb:GetItem") || !slices.Contains(readWrite.Actions, "dynamodb:PutItem") {
		t.Errorf("read-write wire grants %+v, %v", readWrite, ok)
	}
	read, ok := x.Grant(wire("w15"))
	if !ok || read.Table != s.Table("tbl9") || read.Write || read.PolicyName != "ConnectionsRead" ||
		!slices.Equal(read.Actions, model.TableReadActions) || slices.Contains(read.Actions, "dynamodb:PutItem") {
		t.Errorf("read wire grants %+v, %v", read, ok)
	}
	send, ok := x.Grant(wire("w16"))
	if !ok || send.API != s.API("api1") || send.Table != nil || send.EnvName != "CHAT_API_CONNECTIONS_URL" ||
		send.PolicyName != "ChatApiManageConnections" || !slices.Equal(send.Actions, []string{"execute-api:ManageConnections"}) {
		t.Errorf("send wire grants %+v, %v", send, ok)
	}
	if g, ok := x.Grant(wire("w10")); ok {
		t.Errorf("a handler wire grants %+v", g)
	}
	// A draft's wire to a table deleted under it grants nothing.
	if g, ok := s.Grant(&model.Wire{ID: "w99", Kind: model.WireRead, From: "fn8", To: "tbl404"}); ok {
		t.Errorf("a wire to nothing grants %+v", g)
	}
	for _, w := range s.Wires {
		a, aok := x.Grant(w)
		b, bok := s.Grant(w)
		if aok != bok || a.Table != b.Table || a.API != b.API || a.EnvName != b.EnvName {
			t.Errorf("wire %s: the index grants %+v, the stack %+v", w.ID, a, b)
		}
	}
}

// TestServiceGrants: a wire from a function to a queue, topic, bus, state
// machine, bucket or stream grants exactly the actions that call needs, on
// that node, with the variable naming it.
func TestServiceGrants(t *testing.T) {
	t.Parallel()
	s := &model.Stack{Name: "grants"}
	fn, _ := s.AddNode(model.KindFunction, model.Position{})
	for _, c := range []struct {
		node    model.Kind
		name    string
		kind    model.WireKind
		actions []string
		policy  string
		env     string
		write   bool
	}{
		{model.KindQueue, "Jobs", model.WireSendToQueue, []string{"sqs:SendMessage"}, "JobsSendMessage", "JOBS_QUEUE_URL", false},
		{model.KindTopic, "Alerts", model.WirePublishToTopic, []string{"sns:Publish"}, "AlertsPublish", "ALERTS_TOPIC_ARN", false},
		{model.KindBus, "OrderBus", model.WirePutEventsOnBus, []string{"events:PutEvents"}, "OrderBusPutEvents", "ORDER_BUS_BUS_NAME", false},
		{model.KindStateMachine, "Checkout", model.WireStartMachine, []string{"states:StartExecution"}, "CheckoutStartExecution", "CHECKOUT_STATE_MACHINE_ARN", false},
		{model.KindBucket, "Uploads", model.WireBucketRead, []string{"s3:GetObject", "s3:ListBucket"}, "UploadsRead", "UPLOADS_BUCKET_NAME", false},
		{model.KindBucket, "Uploads", model.WireBucketReadWrite, []string{"s3:GetObject", "s3:ListBucket", "s3:DeleteObject", "s3:PutObject"}, "UploadsReadWrite", "UPLOADS_BUCKET_NAME", true},
		{model.KindStream, "Clicks", model.WirePutRecords, []string{"kinesis:PutRecord", "kinesis:PutRecords"}, "ClicksPutRecords", "CLICKS_STREAM_NAME", false},
	} {
		id := ""
		for _, n := range s.Nodes() {
			if n.Name == c.name {
				id = n.ID
			}
		}
		if id == "" {
			var err error
			if id, err = s.AddNode(c.node, model.Position{X: 500}); err != nil {
				t.Fatal(err)
			}
			n, _ := s.Node(id)
			n.Name = c.name
		}
		w := &model.Wire{ID: s.NewID("w"), Kind: c.kind, From: fn, To: id}
		g, ok := s.Grant(w)
		kind, node := g.Target()
		if !ok || g.Wire != w || kind != c.node || node == nil || node.ID != id || !slices.Equal(g.Actions, c.actions) ||
			g.PolicyName != c.policy || g.EnvName != c.env || g.Write != c.write || g.Table != nil || g.API != nil {
			t.Errorf("%s wire grants %+v (target %s %v), %v; want %v on %s %s as %s in %s", c.kind, g, kind, node, ok, c.actions, c.node, c.name, c.policy, c.env)
		}
		// A draft's wire to a node deleted under it grants nothing.
		if g, ok := s.Grant(&model.Wire{ID: "w99", Kind: c.kind, From: fn, To: "gone"}); ok {
			t.Errorf("a %s wire to nothing grants %+v", c.kind, g)
		}
	}
}
