package export

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// parameterStack is the echo example with stack parameters: one with a
// default, one with an empty default, one with none, used by environment
// values alone, inside text, and next to a ${…} that names no parameter.
func parameterStack(t testing.TB) *model.Stack {
	t.Helper()
	s := mustExample(t, "echo")
	s.Name = "params"
	port, empty := "3001", ""
	s.Parameters = []*model.Parameter{
		{Name: "WsPort", Default: &port, Description: "from ${env:WS_PORT, '3001'}"},
		{Name: "LogEvents", Default: &empty},
		{Name: "ApiSecret"},
	}
	s.Functions[0].Environment = map[string]string{
		"WS_PORT":    "${WsPort}",
		"LOG_EVENTS": "${LogEvents}",
		"URL":        "http://localhost:${WsPort}/${Unknown}?s=${ApiSecret}",
		"PLAIN":      "${NotAParameter}",
	}
	return s
}

// TestParametersExport: each parameter is a String Parameter with its
// default (an empty one kept, a missing one absent) and description; a
// value that is one parameter is a Ref, one that uses parameters in text a
// Sub with every other ${ escaped, and a value using none is as written.
func TestParametersExport(t *testing.T) {
	t.Parallel()
	s := parameterStack(t)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	y := string(out)
	for _, want := range []string{
		"Parameters:\n  WsPort:\n    Type: String\n    Default: \"3001\"\n    Description: \"from ${env:WS_PORT, '3001'}\"\n" +
			"  LogEvents:\n    Type: String\n    Default: \"\"\n  ApiSecret:\n    Type: String\nResources:",
		"WS_PORT: !Ref WsPort",
		"LOG_EVENTS: !Ref LogEvents",
		`URL: !Sub "http://localhost:${WsPort}/${!Unknown}?s=${ApiSecret}"`,
		`PLAIN: "${NotAParameter}"`,
	} {
		if !strings.Contains(y, want) {
			t.Errorf("the template lacks\n%s\n---\n%s", want, y)
		}
	}
}

// TestParameterNamesClaimed: a parameter named like a resource, or twice,
// is a problem.
func TestParameterNamesClaimed(t *testing.T) {
	t.Parallel()
	s := parameterStack(t)
	s.Parameters = append(s.Parameters, &model.Parameter{Name: s.Functions[0].Name}, &model.Parameter{Name: "WsPort"})
	err := s.Validate()
	if err == nil || !strings.Contains(err.Error(), "parameter WsPort is defined twice") || !strings.Contains(err.Error(), `"`+s.Functions[0].Name+`"`) {
		t.Fatalf("err = %v", err)
	}
}
