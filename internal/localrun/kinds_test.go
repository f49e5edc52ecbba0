package localrun

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Every kind in the model's catalogue is served by a local run, in the
// order starting needs: tables, then the APIs whose ports the functions'
// environment names, then the functions.
func TestEveryKindRuns(t *testing.T) {
	var order []model.Kind
	for _, k := range kindServers {
		if k.serve == nil {
			t.Errorf("kind %q has no serve", k.kind)
		}
		order = append(order, k.kind)
	}
	want := []model.Kind{model.KindTable, model.KindAPI, model.KindLayer, model.KindFunction, model.KindQueue, model.KindTopic, model.KindStateMachine, model.KindUsagePlan, model.KindDomain}
	if len(order) != len(want) || len(order) != len(model.Kinds()) {
		t.Fatalf("served kinds %v, want %v (one per kind of the catalogue)", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("served in the order %v, want %v", order, want)
		}
	}
}

// A kind a run does not emulate is named when the run starts, with what
// reaches it and what it would trigger; so is a route whose integration
// the run does not serve as AWS would.
func TestUnservedKindsAreNamed(t *testing.T) {
	s := &model.Stack{Name: "svc"}
	a := model.NewAPI("api1", "Api")
	a.Routes = []*model.Route{{ID: "rt1", Key: "enqueue"}, {ID: "rt2", Key: "run"}, {ID: "rt3", Key: "ping", Integration: &model.Integration{Type: model.IntegrationMock}}}
	s.APIs = []*model.API{a}
	s.Functions = []*model.Function{model.NewFunction("fn1", "Worker")}
	s.Queues = []*model.Queue{model.NewQueue("q1", "Jobs")}
	s.Topics = []*model.Topic{model.NewTopic("tp1", "Events")}
	s.StateMachines = []*model.StateMachine{model.NewStateMachine("sm1", "Flow")}
	s.Wires = []*model.Wire{
		{ID: "w1", Kind: model.WireSendMessage, From: "rt1", To: "q1"},
		{ID: "w2", Kind: model.WireStartExecution, From: "rt2", To: "sm1"},
		{ID: "w3", Kind: model.WireConsume, From: "q1", To: "fn1"},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	st := &starting{s: s, cfg: Config{OnProgress: func(m string) { lines = append(lines, m) }}}
	for _, k := range kindServers {
		if k.kind != model.KindAPI && k.kind != model.KindFunction && k.kind != model.KindTable {
			if err := k.serve(st); err != nil {
				t.Fatal(err)
			}
		}
	}
	warnIntegrations(st)
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"warning: queue Jobs is not emulated in a local run; route Api enqueue answers with an integration error; it does not trigger Worker",
		"warning: topic Events is not emulated in a local run",
		"warning: state machine Flow is not emulated in a local run; route Api run answers with an integration error",
		"warning: route Api ping is a MOCK integration, which a local run does not emulate",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the start does not say %q:\n%s", want, got)
		}
	}
}
