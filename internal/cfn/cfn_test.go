package cfn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestGoldenTemplatesRoundTrip reads each exported golden template back and
// writes it again, in its own format and in the other: one tree holds a
// whole template, so every byte comes back the same.
func TestGoldenTemplatesRoundTrip(t *testing.T) {
	for _, name := range []string{"chat", "echo", "kept"} {
		yamlData, err := os.ReadFile(filepath.Join("..", "export", "testdata", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		jsonData, err := os.ReadFile(filepath.Join("..", "export", "testdata", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		fromYAML, err := ReadYAML(context.Background(), yamlData, DefaultLimits)
		if err != nil {
			t.Fatalf("%s.yaml: %v", name, err)
		}
		fromJSON, err := ReadJSON(context.Background(), jsonData, DefaultLimits)
		if err != nil {
			t.Fatalf("%s.json: %v", name, err)
		}
		for _, c := range []struct {
			what      string
			got, want []byte
		}{
			{"YAML → YAML", WriteYAML(fromYAML, 0), yamlData},
			{"JSON → JSON", WriteJSON(fromJSON, 0), jsonData},
			{"JSON → YAML", WriteYAML(fromJSON, 0), yamlData},
			{"YAML → JSON", WriteJSON(fromYAML, 0), jsonData},
		} {
			if !bytes.Equal(c.got, c.want) {
				t.Errorf("%s %s differs at %s", name, c.what, firstDiff(c.got, c.want))
			}
		}
		if !Equal(fromYAML, fromJSON) {
			t.Errorf("%s: the YAML and JSON read as different trees", name)
		}
	}
}

func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	line := bytes.Count(a[:i], []byte("\n")) + 1
	return "line " + strconv.Itoa(line) + ": " + string(a[max(0, i-40):min(len(a), i+40)])
}

// TestConstructorsWriteShortForms: the constructors make function calls
// that YAML writes with tags and JSON in the long form, while a map that
// only looks like a call stays a map.
func TestConstructorsWriteShortForms(t *testing.T) {
	doc := MapOf(
		"A", Ref("Api"),
		"B", GetAtt("Fn", "Arn"),
		"C", Sub("arn:${AWS::Partition}:x"),
		"D", Join(",", Str("a"), Ref("B")),
		"E", Fn("Fn::Base64", Sub("x")),
		"F", MapOf("Ref", Str("not a call")),
	)
	const wantYAML = `A: !Ref Api
B: !GetAtt Fn.Arn
C: !Sub "arn:${AWS::Partition}:x"
D: !Join
  - ","
  - - a
    - !Ref B
E:
  Fn::Base64: !Sub "x"
F:
  Ref: not a call
`
	if got := string(WriteYAML(doc, 0)); got != wantYAML {
		t.Errorf("YAML:\n%s\nwant:\n%s", got, wantYAML)
	}
	var back map[string]any
	if err := json.Unmarshal(WriteJSON(doc, 0), &back); err != nil {
		t.Fatal(err)
	}
	if got := back["B"].(map[string]any)["Fn::GetAtt"].([]any); len(got) != 2 || got[0] != "Fn" || got[1] != "Arn" {
		t.Errorf("GetAtt in JSON = %v", got)
	}
	// Read back, the YAML is the same tree.
	read, err := ReadYAML(context.Background(), []byte(wantYAML), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(read, doc) {
		t.Errorf("the YAML reads back as %s", read.JSON())
	}
}

// TestReadJSONErrors: the JSON reader says what is wrong and where, as
// encoding/json words it, and keeps to its limits.
func TestReadJSONErrors(t *testing.T) {
	tests := []struct{ data, want string }{
		{"{\n  \"a\": 1,}", "2:10: invalid character '}' looking for beginning of object key string"},
		{`{"a": [1, 2`, "1:12: unexpected end of the file"},
		{`{"a": 1, "a": 2}`, `1:10: key "a" appears twice in the same object`},
		{`{"a": tru}`, "invalid character"},
		{`{"a": 01}`, `invalid number "01"`},
		{"{\"a\": \"x\ny\"}", "in string literal"},
		{`{"a": "\x"}`, "invalid string"},
		{`{} {}`, "1:4: unexpected data after the document"},
		{`[` + strings.Repeat("[", 300), "nested more than 200 deep"},
	}
	for _, tt := range tests {
		_, err := ReadJSON(context.Background(), []byte(tt.data), DefaultLimits)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one saying %q", tt.data, err, tt.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadJSON(ctx, []byte("["+strings.Repeat("1,", 1000)+"1]"), DefaultLimits); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled read returned %v", err)
	}
}

// FuzzReadJSON: what the reader takes is JSON, and it reads back from its
// own compact writing as the same tree.
func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, 2.5e3, -0, "x\u00e9\n"], "b": {"Ref": "X"}}`, `[]`, `"s"`, `{"a":null,"b":true,"c":false}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ReadJSON(context.Background(), data, DefaultLimits)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("read %q, which is not JSON", data)
		}
		again, err := ReadJSON(context.Background(), v.JSON(), DefaultLimits)
		if err != nil || !Equal(v, again) {
			t.Fatalf("%q wrote %s, which reads back differently (%v)", data, v.JSON(), err)
		}
	})
}
