package importer_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

var update = flag.Bool("update", false, "update golden files")

// fixtures are the real files the importer is tested on, one per source.
var fixtures = []struct {
	file   string
	format importer.Format
}{
	{"testdata/cfn/chat.yaml", importer.FormatCloudFormation},
	{"testdata/cfn/chat.json", importer.FormatCloudFormation},
	{"testdata/sam/chat.yaml", importer.FormatSAM},
	{"testdata/sam/websocketapi.yaml", importer.FormatSAM},
	{"testdata/cdk/chat.template.json", importer.FormatCDK},
	{"testdata/serverless/serverless.yml", importer.FormatServerless},
	{"testdata/serverless/twoway/serverless.yml", importer.FormatServerless},
	{"../export/testdata/chat.yaml", importer.FormatCloudFormation},
	{"../export/testdata/chat.json", importer.FormatCloudFormation},
	{"../export/testdata/echo.yaml", importer.FormatCloudFormation},
	{"../export/testdata/echo.json", importer.FormatCloudFormation},
}

// MustImport imports a file of the repository or fails the test.
func MustImport(tb testing.TB, file string) *importer.Result {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := importer.Parse(filepath.Base(file), data)
	if err != nil {
		tb.Fatalf("import %s: %v", file, err)
	}
	if res.Stack.Name == "" {
		res.Stack.Name = "imported"
	}
	return res
}

// TestImportFixtures imports each fixture and compares the stack with its
// golden file (go test ./importer -update rewrites them): what is modelled,
// what is kept, and the layout.
func TestImportFixtures(t *testing.T) {
	t.Parallel()
	for _, fx := range fixtures {
		if strings.HasPrefix(fx.file, "../") {
			continue // TestExportGoldenFilesImportBack covers these
		}
		t.Run(fx.file, func(t *testing.T) {
			res := MustImport(t, fx.file)
			if res.Format != fx.format {
				t.Errorf("format = %s, want %s", res.Format, fx.format)
			}
			if err := res.Stack.ValidateDraft(); err != nil {
				t.Fatalf("the imported stack must pass ValidateDraft: %v", err)
			}
			got, err := model.MarshalStackFile(res.Stack)
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(fx.file, filepath.Ext(fx.file)) + ".stack.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./importer -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the import of %s differs from %s; run go test ./importer -update and review the diff", fx.file, golden)
			}
		})
	}
}

// TestYAMLAndJSONImportAlike: the same template in YAML with short forms and
// in JSON with long forms is the same stack.
func TestYAMLAndJSONImportAlike(t *testing.T) {
	t.Parallel()
	for _, pair := range [][2]string{
		{"testdata/cfn/chat.yaml", "testdata/cfn/chat.json"},
		{"../export/testdata/chat.yaml", "../export/testdata/chat.json"},
	} {
		a, _ := json.Marshal(MustImport(t, pair[0]).Stack)
		b, _ := json.Marshal(MustImport(t, pair[1]).Stack)
		if !bytes.Equal(a, b) {
			t.Errorf("%s and %s import differently:\n%s\n%s", pair[0], pair[1], a, b)
		}
	}
}

// TestExportGoldenFilesImportBack imports each template the export wrote
// and exports it again: the same bytes, so nothing was lost or added.
func TestExportGoldenFilesImportBack(t *testing.T) {
	t.Parallel()
	for _, fx := range fixtures {
		if !strings.HasPrefix(fx.file, "../export/") {
			continue
		}
		t.Run(filepath.Base(fx.file), func(t *testing.T) {
			res := MustImport(t, fx.file)
			if err := res.Stack.Validate(); err != nil {
				t.Fatalf("a complete template must import as a complete stack: %v", err)
			}
			s := res.Stack
			if len(s.Others)+len(s.Sections) > 0 {
				t.Fatalf("an exported template must import with nothing kept; others %d, sections %v", len(s.Others), s.Sections)
			}
			for _, n := range s.Nodes() {
				if kept := keptOf(s, n.ID); kept != nil {
					t.Fatalf("%s keeps %+v", n.Name, kept)
				}
			}
			format := export.FormatYAML
			if filepath.Ext(fx.file) == ".json" {
				format = export.FormatJSON
			}
			got, err := export.Render(s, format)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(fx.file)
			if !bytes.Equal(got, want) {
				t.Errorf("exporting the import of %s gives another template:\n%s", fx.file, got)
			}
		})
	}
}

func keptOf(s *model.Stack, id string) []model.Kept {
	if a := s.API(id); a != nil {
		kept := slices.Clone(a.Kept)
		for _, r := range a.Routes {
			kept = append(kept, r.Kept...)
		}
		return kept
	}
	if f := s.Function(id); f != nil {
		return f.Kept
	}
	if t := s.Table(id); t != nil {
		return t.Kept
	}
	return nil
}

// TestWiresRecovered checks, per source, the wires the import must find:
// from integration URIs and route targets in every form, from inline and
// attached IAM policies, SAM policy templates and serverless statements.
func TestWiresRecovered(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []string
	}{
		{"testdata/cfn/chat.yaml", []string{
			"ChatApi $connect → ConnectFunction (integration)",
			"ChatApi $disconnect → ConnectFunction (integration)", // Fn::Join URI
			"ChatApi sendMessage → SendFunction (integration)",
			"AuthFunction → ChatApi (authorizer)",
			"ConnectFunction → Connections (read-write)",
			"SendFunction → Connections (read)", // shared role
			"SendFunction → ChatApi (send)",
		}},
		{"testdata/cdk/chat.template.json", []string{
			"ChatApi $connect → ConnectHandler (integration)",
			"ChatApi sendMessage → SendHandler (integration)",
			"ConnectHandler → Connections (read-write)", // grantReadWriteData
			"DisconnectHandler → Connections (read-write)",
			"SendHandler → ChatApi (send)", // grantManageConnections
			"DefaultHandler → ChatApi (send)",
		}},
		{"testdata/sam/chat.yaml", []string{
			"ChatWebSocket $connect → OnConnectFunction (integration)",
			"OnConnectFunction → ConnectionsTable (read-write)", // DynamoDBCrudPolicy
			"SendMessageFunction → ConnectionsTable (read)",     // DynamoDBReadPolicy
			"SendMessageFunction → ChatWebSocket (send)",
		}},
		{"testdata/sam/websocketapi.yaml", []string{
			"ChatApi $connect → ConnectFunction (integration)", // AWS::Serverless::WebSocketApi Routes
			"AuthFunction → ChatApi (authorizer)",              // its Auth
			"SendFunction → Connections (read)",                // a SimpleTable
		}},
		{"testdata/serverless/serverless.yml", []string{
			"WebsocketsApi $connect → ConnectionHandler (integration)",
			"WebsocketsApi sendMessage → SendMessage (integration)",
			"Auth → WebsocketsApi (authorizer)",
			"SendMessage → ConnectionsTable (read-write)",
			"SendMessage → WebsocketsApi (send)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := MustImport(t, tt.file).Summary.Wires
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing wire %q; got\n  %s", w, strings.Join(got, "\n  "))
				}
			}
		})
	}
}

// TestCDK checks what the CDK fixture's metadata and assets become.
func TestCDK(t *testing.T) {
	t.Parallel()
	res := MustImport(t, "testdata/cdk/chat.template.json")
	s := res.Stack
	if len(s.APIs) != 1 || len(s.APIs[0].Routes) != 4 || len(s.Functions) != 4 || len(s.Tables) != 1 {
		t.Fatalf("want 1 API with 4 routes, 4 functions, 1 table; got %+v", res.Summary)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("a cdk synth template is complete: %v", err)
	}
	f := s.Functions[0]
	if f.Name != "ConnectHandler" || !strings.HasPrefix(f.CodePath, "asset.") || f.MemorySize != 256 || f.Runtime != "nodejs22.x" {
		t.Errorf("function = %s %s %d %s; want ConnectHandler, its asset folder beside the template, 256 MB, nodejs22.x", f.Name, f.CodePath, f.MemorySize, f.Runtime)
	}
	main := model.KeptPart(f.Kept, model.PartMain)
	if main == nil || main.LogicalID != "ConnectHandler2FFD52D8" || !hasField(main.Properties, "Code") || !hasField(main.Attributes, "Metadata") {
		t.Errorf("the function must keep its CDK logical ID, S3 code and metadata; got %+v", main)
	}
	if s.Tables[0].DeletionPolicy != model.DeletionDelete {
		t.Errorf("table deletion policy = %s, want Delete as the CDK wrote", s.Tables[0].DeletionPolicy)
	}
	if !slices.Contains(res.Summary.Others, "CDKMetadata (AWS::CDK::Metadata)") || !slices.Contains(res.Summary.Sections, "Conditions") {
		t.Errorf("the CDK's metadata resource and conditions must be kept; got %v, %v", res.Summary.Others, res.Summary.Sections)
	}
}

func hasField(fs []model.Field, key string) bool {
	return slices.ContainsFunc(fs, func(f model.Field) bool { return f.Key == key })
}

// TestKeptAsWritten spot-checks that unmodelled values are kept exactly.
func TestKeptAsWritten(t *testing.T) {
	t.Parallel()
	s := MustImport(t, "testdata/cfn/chat.yaml").Stack
	send := s.Functions[1]
	main := model.KeptPart(send.Kept, model.PartMain)
	want := map[string]string{
		"Architectures":               `["arm64"]`,
		"Runtime":                     `"nodejs20.x"`,
		"Role":                        `{"Fn::GetAtt":["WorkerRole","Arn"]}`,
		"Environment.Variables.TABLE": `{"Ref":"Connections"}`,
	}
	for _, f := range main.Properties {
		if w, ok := want[f.Key]; ok && string(f.Value) != w {
			t.Errorf("%s kept as %s, want %s", f.Key, f.Value, w)
		}
		delete(want, f.Key)
	}
	if len(want) > 0 {
		t.Errorf("not kept: %v", want)
	}
	if send.Runtime != model.DefaultRuntime {
		t.Errorf("a runtime Switchboard does not offer shows the default; got %s", send.Runtime)
	}
	// The model holds the parameter with its allowed values.
	if p := s.Parameter("Stage"); p == nil || !slices.Equal(p.AllowedValues, []string{"dev", "prod"}) || p.Default == nil || *p.Default != "prod" || s.Section("Parameters") != nil {
		t.Errorf("parameter Stage is %+v, Parameters kept as %s", p, s.Section("Parameters"))
	}
	conds := string(s.Section("Conditions"))
	if conds != `{"IsProd":{"Fn::Equals":[{"Ref":"Stage"},"prod"]}}` {
		t.Errorf("Conditions kept as %s", conds)
	}
	// A queue is a node now; what it says beyond the model is kept on it.
	if len(s.Queues) != 1 {
		t.Fatalf("queues %v", s.Queues)
	}
	queue := s.Queues[0]
	if queue.Name != "AuditQueue" || queue.RetentionPeriod != 1209600 || len(queue.Kept) != 1 ||
		len(queue.Kept[0].Attributes) != 1 || string(queue.Kept[0].Attributes[0].Value) != `"IsProd"` || len(queue.Kept[0].Properties) != 0 {
		t.Errorf("queue kept as %+v", queue)
	}
}

// TestImportLeavesLayoutToTheCanvas: an import places every node at the
// origin, which the canvas takes as "not laid out yet" and arranges when
// the stack is first opened (TestBrowserArrange).
func TestImportLeavesLayoutToTheCanvas(t *testing.T) {
	t.Parallel()
	for _, fx := range fixtures {
		for _, n := range MustImport(t, fx.file).Stack.Nodes() {
			if n.Position != (model.Position{}) {
				t.Errorf("%s: %s placed at %v, want the origin", fx.file, n.Name, n.Position)
			}
		}
	}
}
