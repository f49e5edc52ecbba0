package importer

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Every kind in the model's catalogue has a recogniser here, and each
// brings back the nodes of its kind from an export of the chat example,
// which holds all three.
func TestEveryKindImports(t *testing.T) {
	t.Parallel()
	s, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	// The chat example has no queue, topic or state machine: one of each,
	// wired as a route's target and a function's trigger.
	queue, _ := s.AddNode(model.KindQueue, model.Position{})
	topic, _ := s.AddNode(model.KindTopic, model.Position{})
	machine, _ := s.AddNode(model.KindStateMachine, model.Position{})
	s.APIs[0].Routes = append(s.APIs[0].Routes, &model.Route{ID: "rtq", Key: "enqueue"}, &model.Route{ID: "rts", Key: "start"}, &model.Route{ID: "rtt", Key: "notify"})
	s.Wires = append(s.Wires,
		&model.Wire{ID: "wq", Kind: model.WireSendMessage, From: "rtq", To: queue},
		&model.Wire{ID: "ws", Kind: model.WireStartExecution, From: "rts", To: machine},
		&model.Wire{ID: "wt", Kind: model.WirePublish, From: "rtt", To: topic},
		&model.Wire{ID: "wc", Kind: model.WireConsume, From: queue, To: s.Functions[0].ID},
		&model.Wire{ID: "wsub", Kind: model.WireSubscribe, From: topic, To: s.Functions[0].ID})
	// And one bus, rule, bucket and stream, wired as the export writes
	// them.
	bus, _ := s.AddNode(model.KindBus, model.Position{})
	rule, _ := s.AddNode(model.KindRule, model.Position{})
	bucket, _ := s.AddNode(model.KindBucket, model.Position{})
	stream, _ := s.AddNode(model.KindStream, model.Position{})
	s.APIs[0].Routes = append(s.APIs[0].Routes, &model.Route{ID: "rtb", Key: "publish"}, &model.Route{ID: "rtk", Key: "record"})
	s.Wires = append(s.Wires,
		&model.Wire{ID: "wb", Kind: model.WirePutEvents, From: "rtb", To: bus},
		&model.Wire{ID: "wk", Kind: model.WirePutRecord, From: "rtk", To: stream},
		&model.Wire{ID: "wm", Kind: model.WireMatch, From: bus, To: rule},
		&model.Wire{ID: "wr", Kind: model.WireTrigger, From: rule, To: s.Functions[0].ID},
		&model.Wire{ID: "wd", Kind: model.WireDeliver, From: rule, To: queue},
		&model.Wire{ID: "wn", Kind: model.WireNotify, From: bucket, To: s.Functions[0].ID})
	// Nor a layer, usage plan or custom domain.
	layer, _ := s.AddNode(model.KindLayer, model.Position{})
	plan, _ := s.AddNode(model.KindUsagePlan, model.Position{})
	s.UsagePlans[0].Keys = []*model.APIKey{{Name: "PartnerKey"}}
	domain, _ := s.AddNode(model.KindDomain, model.Position{})
	s.Domains[0].DomainName = "ws.example.com"
	s.Wires = append(s.Wires,
		&model.Wire{ID: "wl", Kind: model.WireLayer, From: s.Functions[0].ID, To: layer},
		&model.Wire{ID: "wp", Kind: model.WireUsagePlan, From: plan, To: s.APIs[0].ID},
		&model.Wire{ID: "wdm", Kind: model.WireAPIMapping, From: domain, To: s.APIs[0].ID})
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	beside := fstest.MapFS{}
	for p, data := range export.Definitions(s) {
		beside[p] = &fstest.MapFile{Data: data}
	}
	res, err := ImportFrom(context.Background(), "template.yaml", out, beside)
	if err != nil {
		t.Fatal(err)
	}
	count := func(st *model.Stack, k model.Kind) int {
		n := 0
		for _, node := range st.Nodes() {
			if node.Kind == k {
				n++
			}
		}
		return n
	}
	for _, k := range model.Kinds() {
		i := 0
		for i < len(recognisers) && recognisers[i].kind != k.Kind {
			i++
		}
		if i == len(recognisers) {
			t.Errorf("kind %q has no recogniser (importer/kind_%s.go)", k.Kind, k.Kind)
			continue
		}
		if want, got := count(s, k.Kind), count(res.Stack, k.Kind); got != want || want == 0 {
			t.Errorf("%s: imported %d nodes of the %d exported (%s)", k.Kind, got, want, recognisers[i].mainType)
		}
	}
	if len(recognisers) != len(model.Kinds()) {
		t.Errorf("%d recognisers for %d kinds", len(recognisers), len(model.Kinds()))
	}
}
