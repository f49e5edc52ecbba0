package localrun

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Every kind in the model's catalogue is served by a local run, in the
// order starting needs: tables (whose streams the services feed), the
// queues and buses whose endpoints and the topics and state machines whose
// ARNs the functions' environment names, the rules on the buses, then the
// APIs whose ports it names too, then the functions.
func TestEveryKindRuns(t *testing.T) {
	t.Parallel()
	var order []model.Kind
	for _, k := range kindServers {
		if k.serve == nil {
			t.Errorf("kind %q has no serve", k.kind)
		}
		order = append(order, k.kind)
	}
	want := []model.Kind{model.KindTable, model.KindQueue, model.KindTopic, model.KindStateMachine, model.KindBus, model.KindRule, model.KindAPI, model.KindLayer, model.KindFunction, model.KindUsagePlan, model.KindDomain, model.KindBucket, model.KindStream}
	if len(order) != len(want) || len(order) != len(model.Kinds()) {
		t.Fatalf("served kinds %v, want %v (one per kind of the catalogue)", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("served in the order %v, want %v", order, want)
		}
	}
}

// What a run does not emulate is named when it starts: a route whose
// integration it does not serve as AWS would, a template it cannot
// render, and (through warnUnserved, for kinds not yet served) a node with
// the routes that reach it and the functions it would trigger.
func TestUnservedIsNamed(t *testing.T) {
	t.Parallel()
	s := &model.Stack{Name: "svc"}
	a := model.NewAPI("api1", "Api")
	a.Routes = []*model.Route{
		{ID: "rt1", Key: "enqueue", Integration: &model.Integration{RequestTemplates: map[string]string{"$default": "#if($input.body)Action=SendMessage#end"}}},
		{ID: "rt2", Key: "save", Integration: &model.Integration{Type: model.IntegrationHTTPProxy, URI: "https://example.com/", Method: "POST"}},
		{ID: "rt3", Key: "ping", Integration: &model.Integration{Type: model.IntegrationMock}},
		{ID: "rt4", Key: "run"},
	}
	s.APIs = []*model.API{a}
	s.Functions = []*model.Function{model.NewFunction("fn1", "Worker")}
	s.Queues = []*model.Queue{model.NewQueue("q1", "Jobs")}
	s.Tables = []*model.Table{model.NewTable("t1", "Notes")}
	s.StateMachines = []*model.StateMachine{model.NewStateMachine("sm1", "Flow")}
	s.Wires = []*model.Wire{
		{ID: "w1", Kind: model.WireSendMessage, From: "rt1", To: "q1"},
		{ID: "w3", Kind: model.WireConsume, From: "q1", To: "fn1"},
		{ID: "w4", Kind: model.WireStartExecution, From: "rt4", To: "sm1"},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	st := &starting{s: s, cfg: Config{OnProgress: func(m string) { lines = append(lines, m) }}}
	warnIntegrations(st)
	warnUnserved(st, "queue", nodesOf(s.Queues, func(x *model.Queue) *model.Node { return &x.Node }))
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"warning: route Api enqueue: its template uses #if, which a local run does not render; it answers with an integration error",
		"warning: route Api save is a HTTP_PROXY integration, which a local run does not emulate",
		"warning: route Api ping is a MOCK integration, which a local run does not emulate",
		"warning: queue Jobs is not emulated in a local run; route Api enqueue answers with an integration error; it does not trigger Worker",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the start does not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Api run") {
		t.Errorf("a served state machine route was named:\n%s", got)
	}
}

// A generic node is named when the run starts, with what refers to it.
func TestGenericNodesAreNamed(t *testing.T) {
	t.Parallel()
	s := &model.Stack{Name: "generic"}
	fn := model.NewFunction("fn1", "Worker")
	fn.Kept = []model.Kept{{Properties: []model.Field{{Key: "Environment.Variables.STREAM", Value: []byte(`{"Ref":"Events"}`)}}}}
	s.Functions = []*model.Function{fn}
	s.Others = []*model.Other{{Node: model.Node{ID: "res1", Name: "Events"}, Type: "AWS::Kinesis::Stream", Resource: []byte(`{"Type":"AWS::Kinesis::Stream","Properties":{}}`)}}
	var lines []string
	warnGeneric(&starting{s: s, cfg: Config{OnProgress: func(m string) { lines = append(lines, m) }}})
	want := "warning: resource Events (AWS::Kinesis::Stream) is not emulated in a local run; what refers to it (Worker) finds no such resource here"
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("the start says %q, want %q", lines, want)
	}
}

// Buckets and streams are named when a run starts, with the routes that
// reach them and the functions they would trigger; buses and rules, which
// the run serves, are not.
func TestUnservedEventKindsAreNamed(t *testing.T) {
	t.Parallel()
	s := &model.Stack{Name: "ev"}
	a := model.NewAPI("api1", "Api")
	a.Routes = []*model.Route{{ID: "rt1", Key: "publish"}, {ID: "rt2", Key: "record"}}
	s.APIs = []*model.API{a}
	s.Functions = []*model.Function{model.NewFunction("fn1", "Worker")}
	s.Buses = []*model.Bus{model.NewBus("bus1", "Orders")}
	s.Rules = []*model.Rule{model.NewRule("rl1", "OnOrder")}
	s.Buckets = []*model.Bucket{model.NewBucket("bkt1", "Uploads")}
	s.Buckets[0].BucketName = "ev-uploads"
	s.Streams = []*model.Stream{model.NewStream("ks1", "Clicks")}
	s.Wires = []*model.Wire{
		{ID: "w1", Kind: model.WirePutEvents, From: "rt1", To: "bus1"},
		{ID: "w2", Kind: model.WirePutRecord, From: "rt2", To: "ks1"},
		{ID: "w3", Kind: model.WireMatch, From: "bus1", To: "rl1"},
		{ID: "w4", Kind: model.WireTrigger, From: "rl1", To: "fn1"},
		{ID: "w5", Kind: model.WireNotify, From: "bkt1", To: "fn1"},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	st := &starting{ctx: t.Context(), logger: slog.New(slog.DiscardHandler), s: s, r: &Runner{}, gate: newGate(),
		cfg: Config{Region: "us-east-1", OnProgress: func(m string) { lines = append(lines, m) }}}
	for _, k := range kindServers {
		if k.kind != model.KindAPI && k.kind != model.KindFunction && k.kind != model.KindTable {
			if err := k.serve(st); err != nil {
				t.Fatal(err)
			}
		}
	}
	if st.r.svc != nil {
		t.Cleanup(func() { _ = st.r.svc.close() })
	}
	warnIntegrations(st)
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"warning: bucket Uploads is not emulated in a local run; it does not trigger Worker",
		"warning: stream Clicks is not emulated in a local run; route Api record answers with an integration error",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the start does not say %q:\n%s", want, got)
		}
	}
	for _, served := range []string{"bus Orders", "rule OnOrder", "Api publish"} {
		if strings.Contains(got, served) {
			t.Errorf("the start names %s, which the run serves:\n%s", served, got)
		}
	}
}

// What a rule or bus cannot do in a run is named when it starts: a
// pattern or schedule EventBridge would refuse, a partner's event source
// bus; the rules are listed with where they listen.
func TestRuleProblemsAreNamed(t *testing.T) {
	t.Parallel()
	s := &model.Stack{Name: "ev"}
	partner := model.NewBus("bus1", "Partner")
	partner.Kept = []model.Kept{{Properties: []model.Field{{Key: "EventSourceName", Value: []byte(`"aws.partner/example.com/123/orders"`)}}}}
	s.Buses = []*model.Bus{partner}
	bad := model.NewRule("rl1", "BadPattern")
	bad.EventPattern = `{"source":"shop"}`
	slow := model.NewRule("rl2", "BadSchedule")
	slow.EventPattern, slow.Schedule = "", "rate(1 minutes)"
	subbed := model.NewRule("rl4", "Subbed")
	subbed.EventPattern = "{}" // the importer's stand-in beside the kept pattern
	subbed.Kept = []model.Kept{{Properties: []model.Field{{Key: "EventPattern", Value: []byte(`{"source":[{"Fn::Sub":"${AWS::StackName}.orders"}]}`)}}}}
	spelled := model.NewRule("rl5", "Spelled")
	spelled.Kept = []model.Kept{{Properties: []model.Field{{Key: "EventPattern", Value: []byte(`"{\"source\": [\"shop\"]}"`)}}}}
	nightly := model.NewRule("rl3", "Nightly")
	nightly.EventPattern, nightly.Schedule, nightly.Disabled = "", "cron(0 2 * * ? *)", true
	s.Rules = []*model.Rule{bad, slow, nightly, subbed, spelled}
	s.Wires = []*model.Wire{{ID: "w1", Kind: model.WireMatch, From: "bus1", To: "rl1"}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	st := &starting{ctx: t.Context(), logger: slog.New(slog.DiscardHandler), s: s, r: &Runner{}, gate: newGate(),
		cfg: Config{Region: "us-east-1", OnProgress: func(m string) { lines = append(lines, m) }}}
	for _, k := range kindServers {
		if k.kind == model.KindBus || k.kind == model.KindRule {
			if err := k.serve(st); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() { _ = st.r.svc.close() })
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		`warning: rule BadPattern: source: a value in a pattern must be in a list, such as ["shop"]; it matches no event in a local run`,
		`warning: rule BadSchedule: rate(1 minutes): the unit is minute, hour or day for 1, minutes, hours or days for more; it never fires in a local run`,
		`warning: rule Subbed: its event pattern, kept as the template wrote it, cannot be matched in a local run (source: unknown operator "Fn::Sub"); it matches no event`,
		"warning: bus Partner is a partner's event source, which a local run does not emulate; only PutEvents reaches it",
		"rules: BadPattern on ev-Partner, BadSchedule on rate(1 minutes), Nightly on cron(0 2 * * ? *) (disabled), Subbed on default, Spelled on default",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the start does not say %q:\n%s", want, got)
		}
	}
	// A pattern the template spelled as a string is the one matched.
	ev, _ := decodeEvent([]byte(`{"source":"shop"}`))
	if p := st.r.svc.bridge.rules[4].pattern; p == nil || !p.match(ev) || strings.Contains(got, "rule Spelled:") {
		t.Errorf("the kept pattern of rule Spelled is not matched as written:\n%s", got)
	}
}
