package export

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func TestResourceTypesAreGoformations(t *testing.T) {
	t.Parallel()
	types := ResourceTypes()
	if len(types) < 1000 || !slices.IsSorted(types) {
		t.Fatalf("got %d types (sorted: %v), want goformation's whole registry, sorted", len(types), slices.IsSorted(types))
	}
	for _, want := range []string{"AWS::Kinesis::Stream", "AWS::Events::Rule", "AWS::Serverless::Function"} {
		if !KnownResourceType(want) {
			t.Errorf("%s is not known", want)
		}
	}
	if KnownResourceType("AWS::Kinesis::Streams") {
		t.Error("a type goformation lacks is known")
	}
	for _, q := range []string{"Kinesis::Stream", "kinesis stream", "KINESIS::STREAM"} {
		if got, _ := SearchResourceTypes(q, 5); len(got) == 0 || got[0] != "AWS::Kinesis::Stream" {
			t.Errorf("search %q = %v, want AWS::Kinesis::Stream first", q, got)
		}
	}
	if got, total := SearchResourceTypes("", 10); len(got) != 10 || total != len(types) {
		t.Errorf("an empty search gave %d types of %d, want the first 10 of %d", len(got), total, len(types))
	}
}

func TestParseResource(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, typ, text string
		// known says which names the stack has; nil checks none.
		known func(string) bool
		// problems are what each problem must contain, in order; none
		// for text that is saved.
		problems []string
	}{
		{name: "good", typ: "AWS::Kinesis::Stream", text: "Properties:\n  ShardCount: 2\n  RetentionPeriodHours: \"48\"\n  StreamModeDetails:\n    StreamMode: PROVISIONED\n  Tags:\n    - Key: team\n      Value: chat\n"},
		{name: "empty", typ: "AWS::Kinesis::Stream", text: ""},
		{name: "attributes", typ: "AWS::Kinesis::Stream", text: "DependsOn: [A, B]\nCondition: IsProd\nDeletionPolicy: Retain\nMetadata: {a: 1}\nProperties: {}\n"},
		{name: "unknown property", typ: "AWS::Kinesis::Stream", text: "Properties:\n  ShardCount: 1\n  ShardCont: 2\n",
			problems: []string{"Properties.ShardCont (line 3, column 14): is not a property of kinesis Stream; it has Name, RetentionPeriodHours, ShardCount"}},
		{name: "unknown nested property", typ: "AWS::Kinesis::Stream", text: "Properties:\n  StreamModeDetails:\n    Mode: ON_DEMAND\n",
			problems: []string{"Properties.StreamModeDetails.Mode (line 3, column 11): is not a property of StreamModeDetails; it has StreamMode"}},
		{name: "wrong type", typ: "AWS::Kinesis::Stream", text: "Properties:\n  ShardCount: many\n  StreamModeDetails: ON_DEMAND\n  Tags: {Key: a}\n  Name: [a]\n",
			problems: []string{
				`Properties.ShardCount (line 2, column 15): must be a number, not "many"`,
				"Properties.StreamModeDetails (line 3, column 22): must be a mapping, not a string",
				"Properties.Tags (line 4, column 9): must be a list, not a map",
				"Properties.Name (line 5, column 9): must be a string, not a list",
			}},
		{name: "fraction for a whole number", typ: "AWS::Kinesis::Stream", text: "Properties:\n  ShardCount: 1.5\n",
			problems: []string{"Properties.ShardCount (line 2, column 15): must be a whole number, not 1.5"}},
		{name: "intrinsics short and long", typ: "AWS::Kinesis::Stream", text: "Properties:\n" +
			"  ShardCount: !Ref Shards\n" +
			"  Name: !Sub '${AWS::StackName}-events'\n" +
			"  RetentionPeriodHours: {\"Fn::If\": [IsProd, 168, 24]}\n" +
			"  StreamEncryption: !If [IsProd, {EncryptionType: KMS, KeyId: !GetAtt Key.Arn}, !Ref AWS::NoValue]\n" +
			"  Tags:\n    - Key: fn\n      Value: {\"Fn::GetAtt\": [SendHandler, Arn]}\n    - !Ref AWS::NoValue\n"},
		{name: "not a resource attribute", typ: "AWS::Kinesis::Stream", text: "Propertes:\n  ShardCount: 1\n",
			problems: []string{"Propertes (line 2, column 13): is not a resource attribute"}},
		{name: "type cannot change", typ: "AWS::Kinesis::Stream", text: "Type: AWS::SQS::Queue\n",
			problems: []string{"Type (line 1, column 7): is AWS::Kinesis::Stream; a node's type cannot change"}},
		{name: "bad YAML", typ: "AWS::Kinesis::Stream", text: "Properties:\n  ShardCount: [1\n",
			problems: []string{"line 2"}},
		{name: "union: string or mapping", typ: "AWS::Serverless::Function", text: "Properties:\n  CodeUri: src/\n  Runtime: nodejs20.x\n"},
		{name: "union: neither", typ: "AWS::Serverless::Function", text: "Properties:\n  CodeUri: [src]\n",
			problems: []string{"Properties.CodeUri"}},
		{name: "names the stack has", typ: "AWS::Kinesis::Stream", known: stackNames("Send", "Shards"),
			text: "DependsOn: [Send]\nProperties:\n  ShardCount: !Ref Shards\n  Name: !Sub '${AWS::StackName}-${Send}-${!Literal}'\n" +
				"  StreamModeDetails:\n    StreamMode: !Sub\n      - '${Local}'\n      - Local: !GetAtt Send.Arn\n  Tags:\n    - Key: a\n      Value: !Ref AWS::Region\n"},
		{name: "names the stack lacks", typ: "AWS::Kinesis::Stream", known: stackNames("Send"),
			text: "DependsOn: Sned\nProperties:\n  ShardCount: !Ref Shards\n  Name: !Sub '${Sned.Arn}'\n  Tags:\n    - Key: a\n      Value: !GetAtt SendHandler.Arn\n",
			problems: []string{
				"DependsOn (line 1, column 12): DependsOn Sned names no resource or parameter of this stack",
				"Properties.ShardCount (line 3, column 15): !Ref Shards names no resource",
				"Properties.Name (line 4, column 9): !Sub variable Sned names no resource",
				"Properties.Tags[0].Value (line 7, column 14): !GetAtt of SendHandler names no resource",
			}},
		{name: "type goformation lacks takes any properties", typ: "Custom::Thing", text: "Properties:\n  Anything: [1, {a: b}]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, problems := ParseResource(tc.typ, tc.text, tc.known)
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if len(got) != len(tc.problems) {
				t.Fatalf("problems = %q, want %d like %q", got, len(tc.problems), tc.problems)
			}
			for i, want := range tc.problems {
				if !strings.Contains(got[i], want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], want)
				}
			}
			if len(problems) > 0 {
				if raw != nil {
					t.Errorf("text with problems gave a resource: %s", raw)
				}
				return
			}
			if !bytes.HasPrefix(raw, []byte(`{"Type":"`+tc.typ+`"`)) && !bytes.HasPrefix(raw, []byte("{\n")) {
				t.Errorf("resource does not start with its Type: %s", raw)
			}
		})
	}
}

// genericStack is chat with a Kinesis stream added from the picker, typed
// in the panel: it refers to a function, and the function's kept
// environment refers to it.
func genericStack(t testing.TB) *model.Stack {
	t.Helper()
	s := mustExample(t, "chat")
	id, err := s.AddOther("AWS::Kinesis::Stream", model.Position{X: 10, Y: 20})
	if err != nil {
		t.Fatal(err)
	}
	o := s.Other(id)
	text := "Properties:\n" +
		"  ShardCount: 1\n" +
		"  Name: !Sub '${AWS::StackName}-events'\n" +
		"  Tags:\n" +
		"    - Key: consumer\n" +
		"      Value: !GetAtt SendHandler.Arn\n" +
		"DependsOn: SendHandler\n"
	raw, problems := ParseResource(o.Type, text, nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	o.Resource = raw
	return s
}

func TestGenericGolden(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{FormatYAML, FormatJSON} {
		t.Run(string(f), func(t *testing.T) {
			s := genericStack(t)
			got, err := Render(s, f)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "generic."+string(f))
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./export -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("generic.%s differs from the golden file; run go test ./export -update and review the diff\n%s", f, firstDiff(got, want))
			}
			// Opening the panel and saving it untouched changes nothing.
			o := s.Others[0]
			text, err := ResourceText(o)
			if err != nil {
				t.Fatal(err)
			}
			raw, problems := ParseResource(o.Type, text, nil)
			if len(problems) > 0 {
				t.Fatalf("the panel's own text has problems: %v\n%s", problems, text)
			}
			if !bytes.Equal(raw, o.Resource) {
				t.Errorf("saving the panel's text unchanged changed the resource:\n%s\nwas\n%s", raw, o.Resource)
			}
			o.Resource = raw
			again, err := Render(s, f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, got) {
				t.Errorf("export after a save of the unchanged text differs:\n%s", firstDiff(again, got))
			}
		})
	}
}

func stackNames(names ...string) func(string) bool {
	return func(n string) bool { return slices.Contains(names, n) || strings.HasPrefix(n, "AWS::") }
}

// TestNames lists what a generic resource may refer to: every resource the
// export writes, generic nodes, parameters (the stack's and kept ones) and
// pseudo parameters.
func TestNames(t *testing.T) {
	t.Parallel()
	s := genericStack(t)
	def := "x"
	s.Parameters = []*model.Parameter{{Name: "Stage", Default: &def}}
	s.Sections = append(s.Sections, model.Field{Key: "Parameters", Value: []byte(`{"Kept":{"Type":"String"}}`)})
	names, err := TemplateNames(s)
	if err != nil {
		t.Fatal(err)
	}
	known := names.Known
	for _, name := range []string{"SendHandler", "SendHandlerRole", "ChatApi", "ChatApiStage", "Connections", "Stream", "Stage", "Kept", "AWS::Region"} {
		if !known(name) {
			t.Errorf("%s is not known", name)
		}
	}
	for _, name := range []string{"Nothing", "sendhandler", ""} {
		if known(name) {
			t.Errorf("%q is known", name)
		}
	}
}
