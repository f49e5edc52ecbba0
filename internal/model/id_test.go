package model_test

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// IDs reach URLs, element IDs and SQL keys; one that could steer a request
// must never get past parsing (issue #10, item 4).
func TestValidID(t *testing.T) {
	for _, id := range []string{"fn1", "api12", "rt4", "w9", "tbl3", "A", "x_y-z", strings.Repeat("a", 64)} {
		if !model.ValidID(id) {
			t.Errorf("ValidID(%q) = false, want true", id)
		}
	}
	for _, id := range []string{"", "1fn", "../../../stacks/1/delete?confirm=yes&z=", "a/b", "a.b", "a?b", "a%2f", "a&b", "a b", "fn1\n", "é", strings.Repeat("a", 65)} {
		if model.ValidID(id) {
			t.Errorf("ValidID(%q) = true, want false", id)
		}
	}
}

func TestParseStackRefusesSteeringIDs(t *testing.T) {
	const evil = `../../../stacks/1/delete?confirm=yes&z=`
	chat, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		set  func(*model.Stack)
	}{
		{"api", func(s *model.Stack) { s.APIs[0].ID = evil }},
		{"route", func(s *model.Stack) { s.APIs[0].Routes[0].ID = evil }},
		{"function", func(s *model.Stack) { s.Functions[0].ID = evil }},
		{"table", func(s *model.Stack) { s.Tables[0].ID = evil }},
		{"wire", func(s *model.Stack) { s.Wires[0].ID = evil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := chat.Clone()
			tc.set(s)
			data, err := model.MarshalStackFile(s)
			if err != nil {
				t.Fatal(err)
			}
			_, err = model.ParseStackFile(data)
			if err == nil || !strings.Contains(err.Error(), "has id") || model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("ParseStackFile = %v, want an EINVALID error naming the id", err)
			}
			if err := s.Validate(); err == nil || !strings.Contains(err.Error(), evil) {
				t.Fatalf("Validate = %v, want a problem naming the id", err)
			}
		})
	}
}
