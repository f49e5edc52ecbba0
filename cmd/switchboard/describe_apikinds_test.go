//go:build !race

// These tests drive the program from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; the run, serve and watch tests run under
// -race).

package main

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// show lists layers with the functions using them, usage plans with their
// keys and APIs, and custom domains with the API they serve.
func TestDescribeAPIKinds(t *testing.T) {
	t.Parallel()
	s, err := model.Example("echo", "echo")
	if err != nil {
		t.Fatal(err)
	}
	fn, api := s.Functions[0], s.APIs[0]
	plan := model.NewUsagePlan("up1", "Partners")
	plan.Keys = []*model.APIKey{{Name: "AcmeKey"}, {Name: "GlobexKey", Disabled: true}}
	dom := model.NewDomain("dom1", "EchoDomain")
	dom.DomainName = "ws.example.com"
	s.Layers, s.UsagePlans, s.Domains = []*model.Layer{model.NewLayer("ly1", "Libs")}, []*model.UsagePlan{plan}, []*model.Domain{dom}
	s.Wires = append(s.Wires,
		&model.Wire{ID: "w91", Kind: model.WireLayer, From: fn.ID, To: "ly1"},
		&model.Wire{ID: "w92", Kind: model.WireUsagePlan, From: "up1", To: api.ID},
		&model.Wire{ID: "w93", Kind: model.WireAPIMapping, From: "dom1", To: api.ID})
	var out strings.Builder
	describe(&out, s)
	for _, want := range []string{
		"  layer Libs (layers/libs) used by " + fn.Name,
		"  usage plan Partners, 2 keys (AcmeKey, GlobexKey (disabled)) on " + api.Name,
		"  custom domain EchoDomain ws.example.com → " + api.Name + " (certificate: parameter EchoDomainCertificateArn)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("show lacks %q:\n%s", want, out.String())
		}
	}
}
