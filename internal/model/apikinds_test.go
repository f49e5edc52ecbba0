package model_test

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// apiKindsStack is an API with a $connect route that requires a key, a
// function on it with a layer, a usage plan on the API and a custom domain
// mapped to it: valid as it is.
func apiKindsStack() *model.Stack {
	a := model.NewAPI("api1", "Api")
	a.APIKeySelectionExpression = "$request.header.x-api-key"
	a.Routes = []*model.Route{{ID: "rt1", Key: model.RouteConnect, APIKeyRequired: true}}
	plan := model.NewUsagePlan("up1", "Plan")
	plan.Keys = []*model.APIKey{{Name: "AcmeKey"}}
	dom := model.NewDomain("dom1", "Domain")
	dom.DomainName = "ws.example.com"
	return &model.Stack{Name: "kinds", APIs: []*model.API{a},
		Functions:  []*model.Function{model.NewFunction("fn1", "Connect")},
		Layers:     []*model.Layer{model.NewLayer("ly1", "Libs")},
		UsagePlans: []*model.UsagePlan{plan}, Domains: []*model.Domain{dom},
		Parameters: []*model.Parameter{{Name: dom.CertificateParameter}},
		Wires: []*model.Wire{
			{ID: "w1", Kind: model.WireIntegration, From: "rt1", To: "fn1"},
			{ID: "w2", Kind: model.WireLayer, From: "fn1", To: "ly1"},
			{ID: "w3", Kind: model.WireUsagePlan, From: "up1", To: "api1"},
			{ID: "w4", Kind: model.WireAPIMapping, From: "dom1", To: "api1"},
		}}
}

// What Lambda and API Gateway refuse of layers, usage plans and custom
// domains is a problem at the field, in words; the valid stack has none.
func TestAPIKindsValidation(t *testing.T) {
	if err := apiKindsStack().Validate(); err != nil {
		t.Fatalf("the valid stack: %v", err)
	}
	tests := []struct {
		name, id, field, want string
		edit                  func(s *model.Stack)
	}{
		{"layer runtime", "ly1", "compatibleRuntimes", `runtime "nodejs8.10" is not one AWS lets new functions use`, func(s *model.Stack) { s.Layers[0].CompatibleRuntimes = []string{"nodejs8.10"} }},
		{"layer folder", "ly1", "contentPath", `content folder "../shared" must be a clean path`, func(s *model.Stack) { s.Layers[0].ContentPath = "../shared" }},
		{"six layers", "fn1", "", "has 6 layers; Lambda allows 5", func(s *model.Stack) {
			for i := 2; i <= 6; i++ {
				id := "ly" + string(rune('0'+i))
				s.Layers = append(s.Layers, model.NewLayer(id, "Libs"+string(rune('0'+i))))
				s.Wires = append(s.Wires, &model.Wire{ID: "wl" + id, Kind: model.WireLayer, From: "fn1", To: id})
			}
		}},
		{"quota period", "up1", "quotaPeriod", "quota period must be DAY, WEEK or MONTH", func(s *model.Stack) { s.UsagePlans[0].QuotaLimit, s.UsagePlans[0].QuotaPeriod = 10, "YEAR" }},
		{"quota offset", "up1", "quotaOffset", "a WEEK quota starts 0 to 6 days into the period, not 7", func(s *model.Stack) {
			s.UsagePlans[0].QuotaLimit, s.UsagePlans[0].QuotaPeriod, s.UsagePlans[0].QuotaOffset = 10, "WEEK", 7
		}},
		{"negative rate", "up1", "throttleRate", "rate limit must be 0 or more", func(s *model.Stack) { s.UsagePlans[0].ThrottleRate = -1 }},
		{"key twice", "up1", "keys[1].name", `API key "AcmeKey" is listed twice`, func(s *model.Stack) {
			s.UsagePlans[0].Keys = append(s.UsagePlans[0].Keys, &model.APIKey{Name: "AcmeKey"})
		}},
		{"key name", "up1", "keys[0].name", `API key name "acme-key" must be 1 to`, func(s *model.Stack) { s.UsagePlans[0].Keys[0].Name = "acme-key" }},
		{"key clashes", "up1", "name", `needs the resource name "Connect"`, func(s *model.Stack) { s.UsagePlans[0].Keys[0].Name = "Connect" }},
		{"domain name", "dom1", "domainName", `"WS.Example.com" is not a domain name`, func(s *model.Stack) { s.Domains[0].DomainName = "WS.Example.com" }},
		{"mapping key", "dom1", "mappingKey", `mapping key "/v1" must be path segments`, func(s *model.Stack) { s.Domains[0].MappingKey = "/v1" }},
		{"two APIs", "dom1", "", "maps more than one API", func(s *model.Stack) {
			s.APIs = append(s.APIs, model.NewAPI("api2", "Other"))
			s.Wires = append(s.Wires, &model.Wire{ID: "w5", Kind: model.WireAPIMapping, From: "dom1", To: "api2"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := apiKindsStack()
			tc.edit(s)
			var got []string
			for _, p := range s.Check() {
				if p.Severity == model.SeverityError && p.Resource == tc.id && p.Field == tc.field && strings.Contains(p.Message, tc.want) {
					return
				}
				got = append(got, p.Resource+" "+p.Field+": "+p.Message)
			}
			t.Errorf("no problem %s %q %q; got:\n%s", tc.id, tc.field, tc.want, strings.Join(got, "\n"))
		})
	}
}

// A new custom domain brings the parameter that holds its certificate's
// ARN, given at deployment; without that parameter the domain is a draft,
// which an imported template's Parameters section also satisfies.
func TestDomainCertificateParameter(t *testing.T) {
	s := &model.Stack{Name: "d"}
	id, err := s.AddNode(model.KindDomain, model.Position{})
	if err != nil {
		t.Fatal(err)
	}
	d := s.Domain(id)
	if p := s.Parameter(d.CertificateParameter); p == nil || p.Default != nil || d.CertificateParameter != "DomainCertificateArn" {
		t.Fatalf("parameters %+v, domain %+v", s.Parameters, d)
	}
	d.DomainName = "ws.example.com"
	s.Parameters = nil
	incomplete := false
	for _, p := range s.Check() {
		incomplete = incomplete || p.Incomplete && p.Field == "certificateParameter"
	}
	if !incomplete {
		t.Error("a domain whose certificate parameter is missing is not a draft")
	}
	s.Sections = []model.Field{{Key: "Parameters", Value: []byte(`{"DomainCertificateArn":{"Type":"AWS::CertificateManager::Certificate"}}`)}}
	for _, p := range s.Check() {
		if p.Field == "certificateParameter" {
			t.Errorf("a parameter of the kept Parameters section is not seen: %s", p.Message)
		}
	}
}

// An API with no routes, only usage plans and keys, is valid: a warning,
// never a refusal.
func TestAPIOfKeysOnlyIsValid(t *testing.T) {
	s := &model.Stack{Name: "keys", APIs: []*model.API{model.NewAPI("api1", "Partners")}}
	plan := model.NewUsagePlan("up1", "Plan")
	plan.Keys = []*model.APIKey{{Name: "AcmeKey"}}
	s.UsagePlans = []*model.UsagePlan{plan}
	s.Wires = []*model.Wire{{ID: "w1", Kind: model.WireUsagePlan, From: "up1", To: "api1"}}
	if err := s.Validate(); err != nil {
		t.Fatalf("an API of keys only is refused: %v", err)
	}
}
