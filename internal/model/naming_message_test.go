package model_test

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestOneMessagePerInvalidName: a refused name gets one problem, which says
// what is wrong with it, and not one per name derived from it (issue 14
// item 8: `connection handler!` gave five, four of them "longer than
// CloudFormation allows").
func TestOneMessagePerInvalidName(t *testing.T) {
	for _, c := range []struct {
		kind, name, want string
	}{
		{"function", "connection handler!", `a name may hold only letters and digits (it is the CloudFormation logical ID), not spaces, '!'`},
		{"function", "Handler_1", `not '_'`},
		{"api", "Chat Api", `not spaces`},
		{"table", strings.Repeat("T", 300), "the name is 300 characters long; CloudFormation allows 255"},
		{"api", strings.Repeat("A", 300), "the name is 300 characters long; CloudFormation allows 255"},
	} {
		s, err := model.Example("chat", "chat")
		if err != nil {
			t.Fatal(err)
		}
		var id string
		for _, n := range s.Nodes() {
			if string(n.Kind) == c.kind {
				n.Name, id = c.name, n.ID
				break
			}
		}
		var got []string
		for _, p := range s.Check() {
			if p.Resource == id || strings.Contains(p.Message, c.name) {
				got = append(got, p.Message)
			}
		}
		if len(got) != 1 || !strings.Contains(got[0], c.want) {
			t.Errorf("%s %.30q: %d problems %q, want one saying %q", c.kind, c.name, len(got), got, c.want)
		}
	}

	// A valid name whose derived names grow too long is still told so.
	s, _ := model.Example("chat", "chat")
	s.Functions[0].Name = strings.Repeat("F", 254)
	var long int
	for _, p := range s.Check() {
		if strings.Contains(p.Message, "longer than CloudFormation allows") {
			long++
		}
	}
	if long == 0 {
		t.Error("a 254-letter function name needs a 258-letter role name, and nothing says so")
	}
}
