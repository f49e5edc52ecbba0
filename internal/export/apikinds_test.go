package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func init() { goldenStacks["apikinds"] = apiKindsStack }

// apiKindsStack uses every kind #12 adds around the API: two functions
// sharing a layer (one with a second, Python-free layer too), a usage plan
// with throttle, quota and two keys on the chat API's stage and on a
// second API that has no routes (API keys and usage plans only), and a
// custom domain mapped to the chat API under a path.
func apiKindsStack(t testing.TB) *model.Stack {
	t.Helper()
	s := &model.Stack{Name: "apikinds"}
	chat := model.NewAPI("api1", "ChatApi")
	chat.APIKeySelectionExpression = "$request.header.x-api-key"
	chat.Routes = []*model.Route{
		{ID: "rt1", Key: model.RouteConnect, APIKeyRequired: true},
		{ID: "rt2", Key: model.RouteDefault},
	}
	keysOnly := model.NewAPI("api2", "PartnerApi")
	s.APIs = []*model.API{chat, keysOnly}
	connect, fallback := model.NewFunction("fn1", "ConnectHandler"), model.NewFunction("fn2", "DefaultHandler")
	s.Functions = []*model.Function{connect, fallback}
	shared := model.NewLayer("ly1", "SharedLibs")
	shared.Description = "Helpers every handler uses"
	shared.CompatibleRuntimes = []string{"nodejs24.x", "nodejs22.x"}
	s.Layers = []*model.Layer{shared, model.NewLayer("ly2", "Telemetry")}
	plan := model.NewUsagePlan("up1", "Partners")
	plan.Description = "Partners' connections"
	plan.ThrottleBurst, plan.ThrottleRate = 20, 10.5
	plan.QuotaLimit, plan.QuotaPeriod, plan.QuotaOffset = 10000, "WEEK", 1
	plan.Keys = []*model.APIKey{{Name: "AcmeKey"}, {Name: "GlobexKey", Disabled: true}}
	s.UsagePlans = []*model.UsagePlan{plan}
	dom := model.NewDomain("dom1", "ChatDomain")
	dom.DomainName = "ws.example.com"
	dom.MappingKey = "chat"
	s.Domains = []*model.Domain{dom}
	s.Parameters = []*model.Parameter{{Name: dom.CertificateParameter, Description: "ARN of the ACM certificate for ws.example.com"}}
	s.Wires = []*model.Wire{
		{ID: "w1", Kind: model.WireIntegration, From: "rt1", To: "fn1"},
		{ID: "w2", Kind: model.WireIntegration, From: "rt2", To: "fn2"},
		{ID: "w3", Kind: model.WireLayer, From: "fn1", To: "ly1"},
		{ID: "w4", Kind: model.WireLayer, From: "fn2", To: "ly1"},
		{ID: "w5", Kind: model.WireLayer, From: "fn2", To: "ly2"},
		{ID: "w6", Kind: model.WireUsagePlan, From: "up1", To: "api1"},
		{ID: "w7", Kind: model.WireUsagePlan, From: "up1", To: "api2"},
		{ID: "w8", Kind: model.WireAPIMapping, From: "dom1", To: "api1"},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

// A function's layers are its Layers in wire order, each a Ref of the
// layer version, whose Content is the layer's folder; the usage plan
// names each wired API's ID and stage; the domain's certificate is the
// parameter and its mapping serves the chat API's stage.
func TestAPIKindsExport(t *testing.T) {
	t.Parallel()
	out, err := YAML(apiKindsStack(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"      Layers:\n        - !Ref SharedLibs\n        - !Ref Telemetry\n",
		"  SharedLibs:\n    Type: AWS::Lambda::LayerVersion\n",
		"      Content: layers/shared-libs\n",
		"      ApiStages:\n        - ApiId: !Ref ChatApi\n          Stage: !Ref ChatApiStage\n        - ApiId: !Ref PartnerApi\n          Stage: !Ref PartnerApiStage\n",
		"      KeyId: !Ref AcmeKey\n",
		"      UsagePlanId: !Ref Partners\n",
		"CertificateArn: !Ref ChatDomainCertificateArn",
		"      ApiMappingKey: chat\n",
		"      DomainName: !Ref ChatDomain\n",
		"  ChatDomainCertificateArn:\n    Type: String\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the export lacks %q:\n%s", want, out)
		}
	}
}

// An export folder gets a layer's starter module where the runtime finds
// it in /opt, and never writes into a layer folder that exists; a commit's
// scaffolds (Scaffolds), which only the file's own folder guards, hold none.
func TestLayerScaffold(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := apiKindsStack(t)
	if err := os.MkdirAll(filepath.Join(dir, "layers", "telemetry"), 0o755); err != nil {
		t.Fatal(err)
	}
	written, err := WriteScaffolds(dir, s)
	if err != nil {
		t.Fatal(err)
	}
	want := "layers/shared-libs/nodejs/node_modules/shared-libs/index.js"
	if !strings.Contains(strings.Join(written, " "), want) || strings.Contains(strings.Join(written, " "), "telemetry") {
		t.Fatalf("written %v, want %s and nothing in the existing layers/telemetry", written, want)
	}
	for p := range Scaffolds(s) {
		if strings.HasPrefix(p, "layers/") {
			t.Errorf("Scaffolds holds the layer file %s", p)
		}
	}
}
