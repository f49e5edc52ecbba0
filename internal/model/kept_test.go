package model_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// TestValidateImported checks what Validate says about the parts an import
// keeps: each case edits the valid chat example one way.
func TestValidateImported(t *testing.T) {
	queue := func() *model.Other {
		return &model.Other{Node: model.Node{ID: "oth1", Name: "Queue"}, Type: "AWS::SQS::Queue", Resource: raw(`{"Type":"AWS::SQS::Queue","Properties":{}}`)}
	}
	tests := []struct {
		name string
		edit func(s *model.Stack)
		want string // in the message; "" means valid
	}{
		{"other ok", func(s *model.Stack) { s.Others = append(s.Others, queue()) }, ""},
		{"kept ok", func(s *model.Stack) {
			s.Functions[0].Kept = []model.Kept{{Part: model.PartRole, LogicalID: "SharedRole", Properties: []model.Field{{Key: "Path", Value: raw(`"/"`)}}}}
			s.Sections = []model.Field{{Key: "Parameters", Value: raw(`{"Env":{"Type":"String"}}`)}}
		}, ""},
		{"other name taken", func(s *model.Stack) {
			o := queue()
			o.Name = s.Functions[0].Name
			s.Others = append(s.Others, o)
		}, "already used"},
		{"other name invalid", func(s *model.Stack) {
			o := queue()
			o.Name = "my-queue"
			s.Others = append(s.Others, o)
		}, "letters and digits"},
		{"other bad json", func(s *model.Stack) {
			o := queue()
			o.Resource = raw(`{"Type":`)
			s.Others = append(s.Others, o)
		}, "JSON object"},
		{"other type mismatch", func(s *model.Stack) {
			o := queue()
			o.Type = "AWS::SNS::Topic"
			s.Others = append(s.Others, o)
		}, "has type"},
		{"other bad type", func(s *model.Stack) {
			o := queue()
			o.Type, o.Resource = "Queue", raw(`{"Type":"Queue"}`)
			s.Others = append(s.Others, o)
		}, "not a CloudFormation resource type"},
		{"wire to other", func(s *model.Stack) {
			s.Others = append(s.Others, queue())
			s.Wires = append(s.Wires, &model.Wire{ID: "w99", Kind: model.WireRead, From: s.Functions[0].ID, To: "oth1"})
		}, "wire goes from"},
		{"kept part unknown", func(s *model.Stack) {
			s.Tables[0].Kept = []model.Kept{{Part: model.PartRole}}
		}, "is not one a table has"},
		{"kept part twice", func(s *model.Stack) {
			s.APIs[0].Kept = []model.Kept{{Part: model.PartStage}, {Part: model.PartStage}}
		}, "kept twice"},
		{"kept bad logical id", func(s *model.Stack) {
			s.APIs[0].Routes[0].Kept = []model.Kept{{Part: model.PartRoute, LogicalID: "a-b"}}
		}, "kept logical ID"},
		{"kept bad json", func(s *model.Stack) {
			s.Functions[0].Kept = []model.Kept{{Properties: []model.Field{{Key: "Tags", Value: raw(`[`)}}}}
		}, "not valid JSON"},
		{"kept attribute Type", func(s *model.Stack) {
			s.Functions[0].Kept = []model.Kept{{Attributes: []model.Field{{Key: "Type", Value: raw(`"x"`)}}}}
		}, "not a resource attribute"},
		{"kept id collides", func(s *model.Stack) {
			s.Functions[0].Kept = []model.Kept{{Part: model.PartRole, LogicalID: s.Tables[0].Name}}
		}, "already uses"},
		{"section unknown", func(s *model.Stack) {
			s.Sections = []model.Field{{Key: "Resources", Value: raw(`{}`)}}
		}, "is not one of"},
		{"parameter collides", func(s *model.Stack) {
			s.Sections = []model.Field{{Key: "Parameters", Value: raw(`{"` + s.Tables[0].Name + `":{"Type":"String"}}`)}}
		}, "already uses"},
		{"output replaces a generated one", func(s *model.Stack) {
			s.Sections = []model.Field{{Key: "Outputs", Value: raw(`{"` + s.Tables[0].NameOutputName() + `":{"Value":"x"}}`)}}
		}, ""},
		{"section not an object", func(s *model.Stack) {
			s.Sections = []model.Field{{Key: "Parameters", Value: raw(`[1]`)}}
		}, "must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustExample(t, "chat")
			tt.edit(s)
			err := s.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want a problem mentioning %q, got %v", tt.want, err)
			}
		})
	}
}

func TestRemoveOther(t *testing.T) {
	s := mustExample(t, "chat")
	s.Others = []*model.Other{{Node: model.Node{ID: "oth9", Name: "Queue"}, Type: "AWS::SQS::Queue", Resource: raw(`{"Type":"AWS::SQS::Queue"}`)}}
	if n, ok := s.Node("oth9"); !ok || n.Kind != model.KindOther {
		t.Fatalf("Node(oth9) = %v, %v; want the other node", n, ok)
	}
	if s.NewID("x") == "x9" {
		t.Fatal("NewID must skip the IDs of other nodes")
	}
	if !s.RemoveNode("oth9") || len(s.Others) != 0 {
		t.Fatal("RemoveNode must delete an other node")
	}
}

func TestPropertyPathRoundTrips(t *testing.T) {
	for _, keys := range [][]string{
		{"Role"},
		{"Environment", "Variables", "TABLE"},
		{".001"},
		{`a\b`, "c.d", ""},
		{`\`, `.`},
	} {
		path := model.PropertyPath(keys...)
		if got := model.SplitPropertyPath(path); !slices.Equal(got, keys) {
			t.Errorf("SplitPropertyPath(PropertyPath(%q)) = %q (path %q)", keys, got, path)
		}
	}
	if got := model.PropertyPath("Environment", "Variables", "TABLE"); got != "Environment.Variables.TABLE" {
		t.Errorf("a plain path = %q, want the keys joined by dots as before", got)
	}
}
