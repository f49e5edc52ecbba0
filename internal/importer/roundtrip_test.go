package importer_test

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// exportKeeps reports whether the export writes back what an import keeps.
// Until it does (the export change that writes Kept, Others and Sections),
// the round trip of stacks that keep something cannot hold, and the tests
// below check only the stacks that keep nothing.
func exportKeeps(tb testing.TB) bool {
	tb.Helper()
	s, err := model.Example("echo", "probe")
	if err != nil {
		tb.Fatal(err)
	}
	s.Others = []*model.Other{{Node: model.Node{ID: "res99", Name: "KeptQueue"}, Type: "AWS::SQS::Queue", Resource: json.RawMessage(`{"Type":"AWS::SQS::Queue"}`)}}
	out, err := export.YAML(s)
	return err == nil && bytes.Contains(out, []byte("KeptQueue"))
}

func keepsAnything(s *model.Stack) bool {
	if len(s.Others)+len(s.Sections) > 0 {
		return true
	}
	for _, n := range s.Nodes() {
		if len(keptOf(s, n.ID)) > 0 {
			return true
		}
	}
	return false
}

// canonical is the stack as JSON with what an export cannot carry set
// aside: node and route IDs become names (the store's IDs are not in a
// template) and positions are dropped (the import lays the stack out
// anew). Others are sorted by name, since the export may write them in
// another order than the source.
func canonical(tb testing.TB, s *model.Stack) string {
	tb.Helper()
	c := s.Clone()
	names := map[string]string{}
	for _, n := range c.Nodes() {
		names[n.ID] = string(n.Kind) + ":" + n.Name
	}
	for _, a := range c.APIs {
		for _, r := range a.Routes {
			names[r.ID] = "route:" + a.Name + " " + r.Key
			r.ID = names[r.ID]
		}
	}
	for _, n := range c.Nodes() {
		n.ID = names[n.ID]
		n.Position = model.Position{}
	}
	for _, w := range c.Wires {
		w.From, w.To, w.ID = names[w.From], names[w.To], ""
	}
	slices.SortFunc(c.Wires, func(a, b *model.Wire) int {
		return strings.Compare(a.From+a.To+string(a.Kind), b.From+b.To+string(b.Kind))
	})
	slices.SortFunc(c.Others, func(a, b *model.Other) int { return strings.Compare(a.Name, b.Name) })
	// Kept JSON is compared by meaning: the export may write a resource's
	// or an output's keys in its own conventional order.
	for _, o := range c.Others {
		o.Resource = sortedJSON(tb, o.Resource)
	}
	for i := range c.Sections {
		c.Sections[i].Value = sortedJSON(tb, c.Sections[i].Value)
	}
	sortKept := func(kept []model.Kept) {
		for i := range kept {
			for j := range kept[i].Attributes {
				kept[i].Attributes[j].Value = sortedJSON(tb, kept[i].Attributes[j].Value)
			}
			for j := range kept[i].Properties {
				kept[i].Properties[j].Value = sortedJSON(tb, kept[i].Properties[j].Value)
			}
		}
	}
	for _, a := range c.APIs {
		sortKept(a.Kept)
		for _, r := range a.Routes {
			sortKept(r.Kept)
		}
	}
	for _, f := range c.Functions {
		sortKept(f.Kept)
	}
	for _, t := range c.Tables {
		sortKept(t.Kept)
	}
	data, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// sortedJSON re-encodes JSON with its object keys sorted.
func sortedJSON(tb testing.TB, raw json.RawMessage) json.RawMessage {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("kept JSON %s: %v", raw, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// roundTrip exports the stack in the format and imports the result.
func roundTrip(tb testing.TB, s *model.Stack, f export.Format) (*model.Stack, []byte, error) {
	tb.Helper()
	out, err := export.Render(s, f)
	if err != nil {
		return nil, nil, err
	}
	res, err := importer.Parse("exported."+string(f), out)
	if err != nil {
		return nil, out, err
	}
	res.Stack.Name = s.Name
	return res.Stack, out, nil
}

// TestRoundTrip: import → export → import gives the same stack, for every
// fixture and golden file, in YAML and JSON.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	keeps := exportKeeps(t)
	for _, fx := range fixtures {
		t.Run(fx.file, func(t *testing.T) {
			s := MustImport(t, fx.file).Stack
			if keepsAnything(s) && !keeps {
				t.Skip("the export does not write back kept parts yet; this stack keeps some")
			}
			if err := s.Validate(); err != nil {
				t.Skipf("the stack is a draft the export refuses: %v", err)
			}
			for _, f := range []export.Format{export.FormatYAML, export.FormatJSON} {
				back, out, err := roundTrip(t, s, f)
				if err != nil {
					t.Fatalf("%s: %v\n%s", f, err, out)
				}
				if got, want := canonical(t, back), canonical(t, s); got != want {
					t.Errorf("%s round trip changed the stack:\n%s", f, firstDiff(got, want))
				}
			}
		})
	}
}

// firstDiff shows where two texts part.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			lo := max(0, i-3)
			return "line " + itoa(i+1) + ":\n got: " + strings.Join(g[lo:min(len(g), i+3)], "\n      ") + "\nwant: " + strings.Join(w[lo:min(len(w), i+3)], "\n      ")
		}
	}
	return "lengths differ"
}

// FuzzImport feeds any bytes to the importer: it must never panic, an error
// must be EINVALID, a stack must pass ValidateDraft, and a complete stack
// must survive export and import unchanged.
//
//	go test ./importer -run '^$' -fuzz FuzzImport -fuzztime 1m -fuzzminimizetime 1s
func FuzzImport(f *testing.F) {
	for _, fx := range fixtures {
		data, err := os.ReadFile(fx.file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Resources: {A: {Type: AWS::ApiGatewayV2::Api, Properties: {ProtocolType: WEBSOCKET}}}"))
	f.Add([]byte(`{"Resources":{"F":{"Type":"AWS::Lambda::Function","Properties":{"Role":{"Fn::GetAtt":"R.Arn"}}}}}`))
	f.Add([]byte("\ufeffResources: {Q: {Type: AWS::SQS::Queue}}"))
	f.Add(wideMap(40))
	// A property key with a dot: the kept key must not become a path.
	f.Add([]byte(`{"Resources":{"F":{"Type":"AWS::Lambda::Function","Properties":{"Handler":"index.handler","Runtime":"nodejs22.x","MemorySize":128,".001":0,"a\\.b":1}}}}`))
	keeps := exportKeeps(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := importer.Parse("fuzz.yaml", data)
		if err != nil {
			if model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("an import error must be EINVALID: %v", err)
			}
			return
		}
		s := res.Stack
		s.Name = "fuzz"
		if err := s.ValidateDraft(); err != nil {
			t.Fatalf("an imported stack must pass ValidateDraft: %v", err)
		}
		if s.Validate() != nil || keepsAnything(s) && !keeps {
			return
		}
		back, out, err := roundTrip(t, s, export.FormatYAML)
		if err != nil {
			t.Fatalf("the export of an imported stack must import: %v\n%s", err, out)
		}
		if got, want := canonical(t, back), canonical(t, s); got != want {
			t.Fatalf("round trip changed the stack:\n%s", firstDiff(got, want))
		}
	})
}

// TestComparesWithTheExport: the import compares a template with what the
// export itself writes, not with a copy of its rules. A stage name the
// model refuses (it holds a dot) is kept on the stage, and the export then
// writes it into the functions' @connections URLs and ARNs; a copy that
// wrote the model's default stage there kept every sending function's
// environment variable and role policies too.
func TestComparesWithTheExport(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../export/testdata/chat.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(string(data), "/dev/", "/v2.beta/")
	src = strings.Replace(src, "StageName: dev\n", "StageName: v2.beta\n", 1)
	if strings.Count(src, "v2.beta") != 5 {
		t.Fatalf("the golden template changed: %d places name the stage", strings.Count(src, "v2.beta"))
	}
	res, err := importer.Parse("chat.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	for _, f := range s.Functions {
		if len(f.Kept) > 0 {
			t.Errorf("function %s keeps %s; the export writes the kept stage name as the source does", f.Name, keptText(f.Kept))
		}
	}
	if len(s.APIs) != 1 || keptText(s.APIs[0].Kept) != `Stage: StageName="v2.beta"` {
		t.Errorf("the API keeps %s; want only its stage name", keptText(s.APIs[0].Kept))
	}
}

// keptText shows what is kept, briefly.
func keptText(kept []model.Kept) string {
	var parts []string
	for _, k := range kept {
		var fields []string
		if k.LogicalID != "" {
			fields = append(fields, "LogicalID="+k.LogicalID)
		}
		for _, f := range append(slices.Clone(k.Attributes), k.Properties...) {
			fields = append(fields, f.Key+"="+string(f.Value))
		}
		parts = append(parts, k.Part+": "+strings.Join(fields, " "))
	}
	return strings.Join(parts, "; ")
}
