package importer_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A resource of a type Switchboard does not model imports as a generic
// node: kept as written, its references to other nodes drawn, editable
// (its panel's text saved unchanged changes nothing), and exported byte
// for byte as it came in.
func TestImportYieldsGenericNode(t *testing.T) {
	t.Parallel()
	chat, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	out, err := export.YAML(chat)
	if err != nil {
		t.Fatal(err)
	}
	alarm := "  Errors:\n" +
		"    Type: AWS::CloudWatch::Alarm\n" +
		"    Properties:\n" +
		"      ComparisonOperator: GreaterThanThreshold\n" +
		"      EvaluationPeriods: 1\n" +
		"      MetricName: Errors\n" +
		"      Namespace: AWS/Lambda\n" +
		"      Period: 60\n" +
		"      Statistic: Sum\n" +
		"      Threshold: 0\n" +
		"      Dimensions:\n" +
		"        - Name: FunctionName\n" +
		"          Value: !Ref SendHandler\n"
	src := bytes.Replace(out, []byte("\nOutputs:"), []byte("\n"+alarm+"Outputs:"), 1)
	if bytes.Equal(src, out) {
		t.Fatal("the chat export has no Outputs to put the alarm before")
	}
	res, err := importer.Import(context.Background(), "template.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Stack
	s.Name = "chat"
	i := slices.IndexFunc(s.Others, func(o *model.Other) bool { return o.Name == "Errors" })
	if i < 0 {
		t.Fatalf("the alarm is not a generic node: %+v", s.Others)
	}
	o := s.Others[i]
	if o.Type != "AWS::CloudWatch::Alarm" {
		t.Fatalf("type %q", o.Type)
	}
	var send *model.Function
	for _, f := range s.Functions {
		if f.Name == "SendHandler" {
			send = f
		}
	}
	if refs := s.References(); !slices.Contains(refs, model.Reference{From: o.ID, To: send.ID, Function: "Ref"}) {
		t.Errorf("references %+v lack the alarm's Ref of SendHandler", refs)
	}

	text, err := export.ResourceText(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Value: !Ref SendHandler") {
		t.Errorf("the panel's text:\n%s", text)
	}
	raw, problems := export.ParseResource(o.Type, text, nil)
	if len(problems) > 0 {
		t.Fatalf("the imported alarm's own text has problems: %v", problems)
	}
	o.Resource = raw
	again, err := export.YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, src) {
		t.Errorf("export after import and an untouched save differs from the source:\n%s", again)
	}
}
