package model_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
)

// mergeBase is a stack with a node of every kind, every kind of wire, a
// kept resource and a parameter: what the merge rules are checked against.
func mergeBase(t *testing.T) *model.Stack {
	t.Helper()
	st, err := model.Example("chat", "Merge")
	if err != nil {
		t.Fatal(err)
	}
	auth := model.NewFunction("fn20", "Authorizer")
	st.Functions = append(st.Functions, auth)
	st.Wires = append(st.Wires, &model.Wire{ID: "w21", Kind: model.WireAuthorizer, From: "fn20", To: "api1"})
	st.Others = append(st.Others, &model.Other{Node: model.Node{ID: "q22", Name: "Queue"}, Type: "AWS::SQS::Queue",
		Resource: json.RawMessage(`{"Type":"AWS::SQS::Queue","Properties":{"DelaySeconds":5}}`)})
	st.Queues = append(st.Queues, model.NewQueue("qu23", "Jobs"))
	st.Topics = append(st.Topics, model.NewTopic("tp24", "Alerts"))
	st.StateMachines = append(st.StateMachines, model.NewStateMachine("sm25", "Flow"))
	st.Buses = append(st.Buses, model.NewBus("bus26", "Events"))
	st.Rules = append(st.Rules, model.NewRule("rl27", "OnEvent"))
	st.Buckets = append(st.Buckets, model.NewBucket("bkt28", "Uploads"))
	st.Streams = append(st.Streams, model.NewStream("ks29", "Clicks"))
	st.Layers = append(st.Layers, model.NewLayer("ly86", "Libs"))
	plan := model.NewUsagePlan("up87", "Plan")
	plan.Keys = []*model.APIKey{{Name: "PartnerKey"}}
	st.UsagePlans = append(st.UsagePlans, plan)
	dom := model.NewDomain("dom88", "Domain")
	dom.DomainName = "ws.example.com"
	st.Domains = append(st.Domains, dom)
	st.Wires = append(st.Wires,
		&model.Wire{ID: "w91", Kind: model.WireLayer, From: "fn6", To: "ly86"},
		&model.Wire{ID: "w92", Kind: model.WireUsagePlan, From: "up87", To: "api1"},
		&model.Wire{ID: "w93", Kind: model.WireAPIMapping, From: "dom88", To: "api1"})
	def := "eu-west-1"
	st.Parameters = append(st.Parameters, &model.Parameter{Name: "Region", Default: &def}, &model.Parameter{Name: dom.CertificateParameter})
	st.Functions[0].Environment = map[string]string{"A": "1"}
	return st
}

// nodeOf returns the first node of a kind.
func nodeOf(t *testing.T, st *model.Stack, k model.Kind) *model.Node {
	t.Helper()
	for _, n := range st.Nodes() {
		if n.Kind == k {
			return n.Node
		}
	}
	t.Fatalf("the merge fixture has no %s node: add one to mergeBase", k)
	return nil
}

type mergeCase struct {
	name          string
	theirs, mine  func(*model.Stack)
	want          func(t *testing.T, got *model.Stack)
	conflicts     []string // paths
	conflictTheir string   // the Theirs of the first conflict, if checked
}

func TestMerge(t *testing.T) {
	var cases []mergeCase
	// Every kind of node (model.Kinds and kept resources): a move on one
	// side and a rename on the other both land; the same field changed
	// differently on both sides is a conflict; changed alike it is not.
	kinds := []model.Kind{model.KindOther}
	for _, k := range model.Kinds() {
		kinds = append(kinds, k.Kind)
	}
	for _, k := range kinds {
		cases = append(cases,
			mergeCase{
				name:   fmt.Sprintf("%s: move and rename land", k),
				theirs: func(s *model.Stack) { nodeOf(t, s, k).Name = "Renamed" },
				mine:   func(s *model.Stack) { nodeOf(t, s, k).Position = model.Position{X: 7, Y: 9} },
				want: func(t *testing.T, got *model.Stack) {
					n := nodeOf(t, got, k)
					if n.Name != "Renamed" || n.Position != (model.Position{X: 7, Y: 9}) {
						t.Errorf("node = %+v, want renamed and moved", n)
					}
				},
			},
			mergeCase{
				name:      fmt.Sprintf("%s: both move", k),
				theirs:    func(s *model.Stack) { nodeOf(t, s, k).Position = model.Position{X: 1, Y: 1} },
				mine:      func(s *model.Stack) { nodeOf(t, s, k).Position = model.Position{X: 2, Y: 2} },
				conflicts: []string{"/" + kindList(k) + "/" + nodeOf(t, mergeBase(t), k).ID + "/position"},
				want: func(t *testing.T, got *model.Stack) {
					if p := nodeOf(t, got, k).Position; p != (model.Position{X: 1, Y: 1}) {
						t.Errorf("position = %v, want theirs kept until the user picks", p)
					}
				},
			},
			mergeCase{
				name:   fmt.Sprintf("%s: both rename alike", k),
				theirs: func(s *model.Stack) { nodeOf(t, s, k).Name = "Same" },
				mine:   func(s *model.Stack) { nodeOf(t, s, k).Name = "Same" },
				want: func(t *testing.T, got *model.Stack) {
					if n := nodeOf(t, got, k); n.Name != "Same" {
						t.Errorf("name = %q", n.Name)
					}
				},
			},
			mergeCase{
				name:      fmt.Sprintf("%s: deleted there, moved here", k),
				theirs:    func(s *model.Stack) { s.RemoveNode(nodeOf(t, s, k).ID) },
				mine:      func(s *model.Stack) { nodeOf(t, s, k).Position = model.Position{X: 3, Y: 3} },
				conflicts: []string{"/" + kindList(k) + "/" + nodeOf(t, mergeBase(t), k).ID},
			},
		)
	}
	cases = append(cases,
		mergeCase{
			name:   "function: memory here, timeout there",
			theirs: func(s *model.Stack) { s.Function("fn6").Timeout = 30 },
			mine:   func(s *model.Stack) { s.Function("fn6").MemorySize = 1024 },
			want: func(t *testing.T, got *model.Stack) {
				if f := got.Function("fn6"); f.Timeout != 30 || f.MemorySize != 1024 {
					t.Errorf("function = timeout %d memory %d", f.Timeout, f.MemorySize)
				}
			},
		},
		mergeCase{
			name:          "function: memory both",
			theirs:        func(s *model.Stack) { s.Function("fn6").MemorySize = 256 },
			mine:          func(s *model.Stack) { s.Function("fn6").MemorySize = 512 },
			conflicts:     []string{"/functions/fn6/memorySize"},
			conflictTheir: "256",
		},
		mergeCase{
			name:   "function: environment keys added on both sides",
			theirs: func(s *model.Stack) { s.Function("fn6").Environment["B"] = "2" },
			mine:   func(s *model.Stack) { s.Function("fn6").Environment["C"] = "3" },
			want: func(t *testing.T, got *model.Stack) {
				if e := got.Function("fn6").Environment; e["A"] != "1" || e["B"] != "2" || e["C"] != "3" {
					t.Errorf("environment = %v", e)
				}
			},
		},
		mergeCase{
			name:   "table: key here, billing there",
			theirs: func(s *model.Stack) { s.Table("tbl9").BillingMode = model.BillingProvisioned },
			mine:   func(s *model.Stack) { s.Table("tbl9").TTLAttribute = "expires" },
			want: func(t *testing.T, got *model.Stack) {
				if tb := got.Table("tbl9"); tb.BillingMode != model.BillingProvisioned || tb.TTLAttribute != "expires" {
					t.Errorf("table = %+v", tb)
				}
			},
		},
		mergeCase{
			name: "api: routes added on both sides with the same new ID",
			theirs: func(s *model.Stack) {
				s.APIs[0].Routes = append(s.APIs[0].Routes, &model.Route{ID: "rt30", Key: "join"})
			},
			mine: func(s *model.Stack) {
				s.APIs[0].Routes = append(s.APIs[0].Routes, &model.Route{ID: "rt30", Key: "leave"})
				s.Wires = append(s.Wires, &model.Wire{ID: "w31", Kind: model.WireIntegration, From: "rt30", To: "fn8"})
			},
			want: func(t *testing.T, got *model.Stack) {
				var keys []string
				for _, r := range got.APIs[0].Routes {
					keys = append(keys, r.ID+"="+r.Key)
				}
				if !slices.Contains(keys, "rt30=join") || !slices.Contains(keys, "rt30-2=leave") {
					t.Errorf("routes = %v, want both, mine renumbered", keys)
				}
				if w := got.Wire("w31"); w == nil || w.From != "rt30-2" {
					t.Errorf("wire w31 = %+v, want it to follow the renumbered route", w)
				}
			},
		},
		mergeCase{
			name:      "api: the same route's key both sides",
			theirs:    func(s *model.Stack) { s.APIs[0].Routes[3].Key = "say" },
			mine:      func(s *model.Stack) { s.APIs[0].Routes[3].Key = "speak" },
			conflicts: []string{"/apis/api1/routes/rt5/key"},
		},
		mergeCase{
			name:   "stack: description here, name there",
			theirs: func(s *model.Stack) { s.Name = "Other" },
			mine:   func(s *model.Stack) { s.Description = "Mine" },
			want: func(t *testing.T, got *model.Stack) {
				if got.Name != "Other" || got.Description != "Mine" {
					t.Errorf("stack = %q %q", got.Name, got.Description)
				}
			},
		},
		mergeCase{
			name:      "parameter: default both sides, by name",
			theirs:    func(s *model.Stack) { v := "us-east-1"; s.Parameters[0].Default = &v },
			mine:      func(s *model.Stack) { v := "eu-north-1"; s.Parameters[0].Default = &v },
			conflicts: []string{"/parameters/Region/default"},
		},
		mergeCase{
			name: "kept resource: a property there, a move here",
			theirs: func(s *model.Stack) {
				s.Others[0].Resource = json.RawMessage(`{"Type":"AWS::SQS::Queue","Properties":{"DelaySeconds":9}}`)
			},
			mine: func(s *model.Stack) { s.Others[0].Position = model.Position{X: 5, Y: 5} },
			want: func(t *testing.T, got *model.Stack) {
				if string(got.Others[0].Resource) != `{"Type":"AWS::SQS::Queue","Properties":{"DelaySeconds":9}}` || got.Others[0].Position.X != 5 {
					t.Errorf("other = %s at %v", got.Others[0].Resource, got.Others[0].Position)
				}
			},
		},
	)
	// Every kind of wire: deleted on one side and untouched on the other it
	// goes; its kind changed on both sides is a conflict; a new wire on each
	// side under the same new ID keeps both.
	for _, w := range mergeBase(t).Wires {
		id := w.ID
		cases = append(cases,
			mergeCase{
				name:   fmt.Sprintf("wire %s: deleted there, a node moved here", w.Kind),
				theirs: func(s *model.Stack) { s.RemoveWire(id) },
				mine:   func(s *model.Stack) { s.Tables[0].Position.X += 10 },
				want: func(t *testing.T, got *model.Stack) {
					if got.Wire(id) != nil {
						t.Errorf("wire %s came back", id)
					}
				},
			},
			mergeCase{
				name:      fmt.Sprintf("wire %s: deleted there, retargeted here", w.Kind),
				theirs:    func(s *model.Stack) { s.RemoveWire(id) },
				mine:      func(s *model.Stack) { s.Wire(id).To = "elsewhere" },
				conflicts: []string{"/wires/" + id},
			},
			mergeCase{
				name:      fmt.Sprintf("wire %s: kind changed on both sides", w.Kind),
				theirs:    func(s *model.Stack) { s.Wire(id).Kind = "a" },
				mine:      func(s *model.Stack) { s.Wire(id).Kind = "b" },
				conflicts: []string{"/wires/" + id + "/kind"},
			},
		)
	}
	for _, k := range model.WireKinds {
		cases = append(cases, mergeCase{
			name: fmt.Sprintf("wire %s: added on both sides under one new ID", k),
			theirs: func(s *model.Stack) {
				s.Wires = append(s.Wires, &model.Wire{ID: "w40", Kind: k, From: "fn6", To: "tbl9"})
			},
			mine: func(s *model.Stack) {
				s.Wires = append(s.Wires, &model.Wire{ID: "w40", Kind: k, From: "fn7", To: "tbl9"})
			},
			want: func(t *testing.T, got *model.Stack) {
				if a, b := got.Wire("w40"), got.Wire("w40-2"); a == nil || b == nil || a.From != "fn6" || b.From != "fn7" {
					t.Errorf("wires = %+v %+v, want both", a, b)
				}
			},
		})
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := mergeBase(t)
			theirs, mine := base.Clone(), base.Clone()
			c.theirs(theirs)
			c.mine(mine)
			got, conflicts, err := model.Merge(base, theirs, mine)
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, cf := range conflicts {
				paths = append(paths, cf.Path)
			}
			if !slices.Equal(paths, c.conflicts) {
				t.Fatalf("conflicts = %v, want %v", paths, c.conflicts)
			}
			if c.conflictTheir != "" && string(conflicts[0].Theirs) != c.conflictTheir {
				t.Errorf("theirs = %s, want %s", conflicts[0].Theirs, c.conflictTheir)
			}
			// Keeping mine for every conflict gives mine's values there.
			for _, cf := range conflicts {
				if err := got.SetPath(cf.Path, cf.Mine); err != nil {
					t.Fatalf("keep mine at %s: %v", cf.Path, err)
				}
			}
			if c.want != nil && len(conflicts) == 0 {
				c.want(t, got)
			}
		})
	}
}

// kindList is the stack document's list of a kind's nodes.
func kindList(k model.Kind) string {
	switch k {
	case model.KindOther:
		return "others"
	case model.KindAPI:
		return "apis"
	case model.KindStateMachine:
		return "stateMachines"
	case model.KindBus:
		return "buses"
	case model.KindUsagePlan:
		return "usagePlans"
	}
	return string(k) + "s"
}

func TestMergeKeepMine(t *testing.T) {
	base := mergeBase(t)
	theirs, mine := base.Clone(), base.Clone()
	theirs.Function("fn6").MemorySize = 256
	theirs.Function("fn7").Timeout = 60
	mine.Function("fn6").MemorySize = 512
	got, conflicts, err := model.Merge(base, theirs, mine)
	if err != nil || len(conflicts) != 1 {
		t.Fatalf("conflicts %v, %v", conflicts, err)
	}
	if err := got.SetPath(conflicts[0].Path, conflicts[0].Mine); err != nil {
		t.Fatal(err)
	}
	if got.Function("fn6").MemorySize != 512 || got.Function("fn7").Timeout != 60 {
		t.Errorf("after keep mine: memory %d timeout %d", got.Function("fn6").MemorySize, got.Function("fn7").Timeout)
	}
}

// BenchmarkMerge is the merge a stale drag costs on a stack of 50
// functions and 100 routes: another node moved since.
func BenchmarkMerge(b *testing.B) {
	base := modeltest.Large("merge", 50, 100)
	theirs, mine := base.Clone(), base.Clone()
	theirs.Functions[3].Position.X += 10
	mine.Functions[7].Position.Y += 10
	for b.Loop() {
		if _, conflicts, err := model.Merge(base, theirs, mine); err != nil || len(conflicts) > 0 {
			b.Fatal(err, conflicts)
		}
	}
}
