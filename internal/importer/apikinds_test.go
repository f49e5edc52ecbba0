package importer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestLayersUsagePlansDomainsImport: layers, a usage plan with its keys and
// a custom domain with its mapping are recognised with their wires, what
// they say beyond the model is kept, what Switchboard cannot model (a
// domain whose certificate ARN is written in, a function that also names
// another account's layer) stays as written, and the export is the same
// infrastructure, round-tripping byte for byte.
func TestLayersUsagePlansDomainsImport(t *testing.T) {
	t.Parallel()
	file := filepath.Join("testdata", "shapes", "api-kinds.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Parse(file, data)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	s := res.Stack
	s.Name = "apikinds"
	if err := s.Validate(); err != nil {
		t.Fatalf("the import is a stack the export refuses: %v", err)
	}
	if len(s.Layers) != 2 || s.Layers[0].ContentPath != "layers/shared" || strings.Join(s.Layers[0].CompatibleRuntimes, ",") != "nodejs22.x" {
		t.Errorf("layers = %+v", s.Layers)
	}
	x := model.NewIndex(s)
	var connect, fallback *model.Function
	for _, f := range s.Functions {
		switch f.Name {
		case "ConnectFunction":
			connect = f
		case "DefaultFunction":
			fallback = f
		}
	}
	if got := x.FunctionLayers(connect.ID); len(got) != 2 || got[0].Name != "SharedLayer" || got[1].Name != "VendorLayer" {
		t.Errorf("ConnectFunction's layers = %v, want SharedLayer, VendorLayer", got)
	}
	if got := x.FunctionLayers(fallback.ID); len(got) != 0 {
		t.Errorf("DefaultFunction also names another account's layer, so its Layers stay as written; got wires to %v", got)
	}
	if len(s.UsagePlans) != 1 {
		t.Fatalf("usage plans = %d", len(s.UsagePlans))
	}
	p := s.UsagePlans[0]
	if p.ThrottleBurst != 100 || p.ThrottleRate != 50 || p.QuotaLimit != 5000 || p.QuotaPeriod != "MONTH" || len(p.Keys) != 2 || !p.Keys[1].Disabled {
		t.Errorf("usage plan = %+v, keys %+v", p, p.Keys)
	}
	if ws := x.WiresFromOfKind(p.ID, model.WireUsagePlan); len(ws) != 1 || ws[0].To != s.APIs[0].ID {
		t.Errorf("usage plan wires = %v", ws)
	}
	if len(s.Domains) != 1 || s.Domains[0].DomainName != "ws.example.com" || s.Domains[0].CertificateParameter != "CertificateArn" || s.Domains[0].MappingKey != "v1" {
		t.Fatalf("domains = %+v", s.Domains)
	}
	if x.DomainAPI(s.Domains[0]) != s.APIs[0] {
		t.Error("the domain is not mapped to the API")
	}
	var others []string
	for _, o := range s.Others {
		others = append(others, o.Name)
	}
	if got := strings.Join(others, ","); !strings.Contains(got, "LegacyDomain") || !strings.Contains(got, "LegacyMapping") {
		t.Errorf("others = %s, want the domain with a written-in certificate and its mapping kept as written", got)
	}

	out, err := export.YAML(s)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	diffs := compareTemplates(normalise(readTemplate(t, file, data), "testdata/shapes"), normalise(readTemplate(t, "export.yaml", out), "testdata/shapes"))
	if len(diffs) > 0 {
		t.Errorf("the export is not the same infrastructure:\n  %s\n%s", strings.Join(diffs, "\n  "), out)
	}
	again, err := importer.Parse("export.yaml", out)
	if err != nil {
		t.Fatalf("import of the export: %v", err)
	}
	again.Stack.Name = "apikinds"
	out2, err := export.YAML(again.Stack)
	if err != nil {
		t.Fatalf("export of the export: %v", err)
	}
	if !bytes.Equal(out, out2) {
		t.Errorf("export → import → export differs:\n%s", lineDiff(string(out), string(out2)))
	}
}

// The golden stack with every new kind imports to the same nodes and wires
// and exports to the golden again.
func TestAPIKindsGoldenRoundTrips(t *testing.T) {
	t.Parallel()
	golden := filepath.Join("..", "export", "testdata", "apikinds.yaml")
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Parse("template.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	res.Stack.Name = "apikinds"
	if n := len(res.Stack.Others); n != 0 {
		t.Errorf("%d resources kept as written, want none: %+v", n, res.Stack.Others[0])
	}
	for _, k := range []model.Kind{model.KindLayer, model.KindUsagePlan, model.KindDomain} {
		spec, _ := model.SpecOf(k)
		found := false
		for _, n := range res.Stack.Nodes() {
			found = found || n.Kind == k
		}
		if !found {
			t.Errorf("no %s imported", spec.Noun)
		}
	}
	for _, p := range res.Stack.UsagePlans {
		for _, k := range p.Keys {
			if len(k.Kept) != 0 {
				t.Errorf("key %s keeps %+v, want nothing", k.Name, k.Kept)
			}
		}
	}
	out, err := export.YAML(res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, data) {
		t.Errorf("golden → import → export differs:\n%s", lineDiff(string(data), string(out)))
	}
}
