package export

import (
	"bytes"
	"encoding/json"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// FuzzTemplate feeds any stack document to the exporter: it must never
// panic, and whatever it renders must parse back.
//
// Run it with a short minimization time, or the fuzzer spends a minute
// shrinking each new input the size of a stack document and looks hung:
//
//	go test ./export -run '^$' -fuzz FuzzTemplate -fuzztime 2m -fuzzminimizetime 1s
func FuzzTemplate(f *testing.F) {
	for _, example := range model.Examples {
		s, err := model.Example(example, example)
		if err != nil {
			f.Fatal(err)
		}
		data, err := json.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"name":"x","apis":[null]}`))
	f.Add([]byte(`{"name":"x","functions":[{"id":"f1","name":"F","environment":{"Ref":"eyAiUmVmIjogIlgiIH0="}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, ok := parseStack(t, data)
		if !ok {
			return
		}
		jsonOut, jsonErr := JSON(s)
		yamlOut, yamlErr := YAML(s)
		if (jsonErr == nil) != (yamlErr == nil) {
			t.Fatalf("JSON error %v but YAML error %v", jsonErr, yamlErr)
		}
		if jsonErr != nil {
			return
		}
		var fromJSON any
		if err := json.Unmarshal(jsonOut, &fromJSON); err != nil {
			t.Fatalf("JSON output does not parse: %v\n%s", err, jsonOut)
		}
		var n yaml.Node
		if err := yaml.Unmarshal(yamlOut, &n); err != nil {
			t.Fatalf("YAML output does not parse: %v\n%s", err, yamlOut)
		}
		fromYAML, err := yamlValue(n.Content[0])
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(fromJSON)
		b, _ := json.Marshal(fromYAML)
		if !bytes.Equal(a, b) {
			t.Fatalf("YAML and JSON outputs differ:\n%s\n%s", yamlOut, jsonOut)
		}
		_ = Scaffolds(s)
	})
}

// parseStack is model.ParseStack, except that a panic inside it skips the
// input: ParseStack panics on null entries such as {"apis":[null]} (in
// ApplyDefaults), which is the model's to fix and would otherwise stop this
// fuzzer at once. The exporter itself refuses such stacks (TestRefusals).
func parseStack(t *testing.T, data []byte) (s *model.Stack, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			t.Logf("model.ParseStack panics: %v", r)
			s, ok = nil, false
		}
	}()
	s, err := model.ParseStack(data)
	return s, err == nil
}
