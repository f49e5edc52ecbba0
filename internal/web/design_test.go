package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestStackPanelComponent: the Stack panel shows a form per parameter,
// kept parameter, environment (an input per parameter, its default as the
// placeholder) and section entry (its YAML, intrinsics in short form), and
// a refused form shows its error and what it sent.
func TestStackPanelComponent(t *testing.T) {
	s, _ := model.Example("echo", "panel")
	def := "hello"
	s.Parameters = []*model.Parameter{{Name: "Greeting", Default: &def}}
	s.Sections = []model.Field{
		{Key: "Parameters", Value: json.RawMessage(`{"Stage":{"Type":"String","MinLength":1,"Default":"dev"}}`)},
		{Key: "Conditions", Value: json.RawMessage(`{"IsProd":{"Fn::Equals":[{"Ref":"Stage"},"prod"]}}`)},
	}
	s.Environments = []*model.Environment{{Name: "prod", Values: map[string]string{"Stage": "prod"}}}
	v := StackPanelView{Base: "/stacks/1", Stack: s, Form: "new-parameter", Error: "A parameter needs a name.",
		Draft: map[string]string{"name": "", "default": "typed"}}
	doc := render(t, StackPanel(v))
	one(t, doc, "form-parameter:Greeting")
	one(t, doc, "form-section:Parameters:Stage")
	body := text(one(t, one(t, doc, "form-section:Conditions:IsProd"), "entry-body"))
	if !strings.Contains(body, "!Equals") || !strings.Contains(body, "!Ref Stage") {
		t.Errorf("the condition shows as %q", body)
	}
	env := one(t, doc, "form-environment:prod")
	if got := attr(one(t, env, "env-value-Stage"), "value"); got != "prod" {
		t.Errorf("prod's Stage = %q", got)
	}
	if got := attr(one(t, env, "env-value-Greeting"), "placeholder"); got != "default: hello" {
		t.Errorf("Greeting's placeholder = %q", got)
	}
	refused := one(t, doc, "form-new-parameter")
	if got := text(one(t, refused, "design-error")); got != "A parameter needs a name." {
		t.Errorf("error %q", got)
	}
	if got := attr(one(t, refused, "param-default"), "value"); got != "typed" {
		t.Errorf("the refused form's default shows %q", got)
	}
}

// TestEntryYAMLReadsBack: what the panel shows of an entry reads back as
// the same value, so saving a form unchanged changes nothing.
func TestEntryYAMLReadsBack(t *testing.T) {
	for _, src := range []string{
		`{"Fn::Equals":[{"Ref":"Stage"},"prod"]}`,
		`{"Value":{"Fn::GetAtt":["Table","Arn"]},"Description":"the table","Export":{"Name":{"Fn::Sub":"${AWS::StackName}-t"}}}`,
		`{"us-east-1":{"Size":"small"},"eu-west-1":{"Size":"large"}}`,
		`{"Fn::And":[{"Condition":"A"},{"Fn::Not":[{"Condition":"B"}]}]}`,
	} {
		v, err := cfn.ParseJSON([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		text := entryYAML("Entry", v)
		back, err := cfn.ReadYAML(context.Background(), []byte(text), cfn.DefaultLimits)
		if err != nil || !cfn.Equal(back, v) {
			t.Errorf("%s shows as\n%s\nwhich reads back as %s (%v)", src, text, back.JSON(), err)
		}
	}
}
