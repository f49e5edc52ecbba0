package model_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// serviceStack is a stack whose routes reach a queue, a topic and a state
// machine straight, and whose queue and topic trigger a function.
func serviceStack(t *testing.T) *model.Stack {
	t.Helper()
	s := &model.Stack{Name: "services"}
	a := model.NewAPI("api1", "Api")
	a.Routes = []*model.Route{{ID: "rt1", Key: "enqueue"}, {ID: "rt2", Key: "notify"}, {ID: "rt3", Key: "run", TwoWay: true}, {ID: "rt4", Key: "ping", Integration: &model.Integration{Type: model.IntegrationMock}}}
	s.APIs = []*model.API{a}
	s.Functions = []*model.Function{model.NewFunction("fn1", "Worker")}
	s.Queues = []*model.Queue{model.NewQueue("q1", "Jobs"), model.NewQueue("q2", "JobsDead")}
	s.Topics = []*model.Topic{model.NewTopic("tp1", "Events")}
	m := model.NewStateMachine("sm1", "Flow")
	m.Type = model.StateMachineExpress
	s.StateMachines = []*model.StateMachine{m}
	s.Wires = []*model.Wire{
		{ID: "w1", Kind: model.WireSendMessage, From: "rt1", To: "q1"},
		{ID: "w2", Kind: model.WirePublish, From: "rt2", To: "tp1"},
		{ID: "w3", Kind: model.WireStartSyncExecution, From: "rt3", To: "sm1"},
		{ID: "w4", Kind: model.WireConsume, From: "q1", To: "fn1"},
		{ID: "w5", Kind: model.WireSubscribe, From: "tp1", To: "fn1"},
		{ID: "w6", Kind: model.WireDeadLetter, From: "q1", To: "q2"},
	}
	return s
}

func TestServiceIntegrationsAreHandlers(t *testing.T) {
	s := serviceStack(t)
	if err := s.Validate(); err != nil {
		t.Fatalf("a stack of service integrations is refused: %v", err)
	}
	x := model.NewIndex(s)
	g, ok := x.Grant(s.Wire("w4"))
	if !ok || g.Queue != s.Queue("q1") || !slices.Contains(g.Actions, "sqs:ReceiveMessage") || slices.Contains(g.Actions, "sqs:SendMessage") || g.EnvName != "" {
		t.Errorf("consume wire grants %+v, %v", g, ok)
	}
	s.Tables = []*model.Table{model.NewTable("tbl1", "Orders")}
	s.Wires = append(s.Wires, &model.Wire{ID: "w7", Kind: model.WireStream, From: "tbl1", To: "fn1"})
	x = model.NewIndex(s)
	st, ok := x.Grant(s.Wire("w7"))
	if !ok || st.Table != s.Table("tbl1") || !st.Stream || st.EnvName != "" || !slices.Equal(st.Actions, model.StreamActions) || slices.Contains(st.Actions, "dynamodb:PutItem") {
		t.Errorf("stream wire grants %+v, %v", st, ok)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("a table's stream triggering a function is refused: %v", err)
	}
	if _, ok := x.Grant(s.Wire("w1")); ok {
		t.Error("a route's service wire grants a function something")
	}
	if a := model.ServiceActions[model.WireStartSyncExecution]; a.IAMAction() != "states:StartSyncExecution" {
		t.Errorf("sync execution calls %s", a.IAMAction())
	}
	if !model.NeedsIntegrationResponse(s.APIs[0].Routes[2], s.Wire("w3")) {
		t.Error("a two-way route to a state machine has no integration response")
	}
}

func TestServiceIntegrationProblems(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(s *model.Stack)
		field string
		want  string
	}{
		{"sync start of a standard machine", func(s *model.Stack) { s.StateMachines[0].Type = model.StateMachineStandard }, "", "only an express state machine"},
		{"bad definition", func(s *model.Stack) { s.StateMachines[0].Definition = `{"StartAt":"A","States":{}}` }, "definition", "StartAt"},
		{"FIFO queue, standard dead letter", func(s *model.Stack) { s.Queues[0].FIFO = true }, "", "must be FIFO too"},
		{"visibility shorter than the function", func(s *model.Stack) { s.Queues[0].VisibilityTimeout = 5 }, "visibilityTimeout", "at least the timeout"},
		{"two targets", func(s *model.Stack) {
			s.Wires = append(s.Wires, &model.Wire{ID: "w9", Kind: model.WireIntegration, From: "rt1", To: "fn1"})
		}, "", "more than one handler"},
		{"mock with a wire", func(s *model.Stack) {
			s.APIs[0].Routes[0].Integration = &model.Integration{Type: model.IntegrationMock}
		}, "routes[0].integration.type", "reaches nothing"},
		{"HTTP without URL", func(s *model.Stack) {
			s.APIs[0].Routes[3].Integration = &model.Integration{Type: model.IntegrationHTTP, Method: "POST"}
		}, "routes[3].integration.uri", "http:// or https://"},
		{"timeout", func(s *model.Stack) { s.APIs[0].Routes[0].Integration = &model.Integration{TimeoutMillis: 30000} }, "routes[0].integration.timeoutMillis", "50 to 29000"},
		{"no target", func(s *model.Stack) { s.APIs[0].Routes[3].Integration = nil }, "routes[3]", "has no handler"},
		{"one definition file for two", func(s *model.Stack) {
			m := model.NewStateMachine("sm9", "Other")
			m.DefinitionPath = s.StateMachines[0].DefinitionPath
			s.StateMachines = append(s.StateMachines, m)
		}, "definitionPath", "give each its own"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := serviceStack(t)
			c.edit(s)
			for _, p := range s.Check() {
				if p.Severity == model.SeverityError && (c.field == "" || p.Field == c.field) && strings.Contains(p.Message, c.want) {
					return
				}
			}
			t.Errorf("no problem %q at %q in %v", c.want, c.field, s.Check())
		})
	}
}

// A state machine copied and pasted beside itself gets a name and a
// definition file of its own, and its wires come along.
func TestPastedStateMachineGetsItsOwnFile(t *testing.T) {
	s := serviceStack(t)
	frag, err := s.Fragment([]string{"sm1", "q1", "fn1"})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.Paste(frag, model.Position{X: 500, Y: 500})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("the pasted copy is refused: %v", err)
	}
	m := s.StateMachine(ids[len(ids)-1])
	if m == nil || m.Name != "Flow2" || m.DefinitionPath != "statemachines/flow2.asl.json" {
		t.Fatalf("pasted %+v (ids %v)", m, ids)
	}
	consumes := 0
	for _, w := range s.Wires {
		if w.Kind == model.WireConsume {
			consumes++
		}
	}
	if consumes != 2 {
		t.Errorf("%d consume wires after pasting a queue and its function, want 2", consumes)
	}
}
