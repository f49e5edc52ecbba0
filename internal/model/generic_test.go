package model_test

import (
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func TestAddOtherNamesAfterTheType(t *testing.T) {
	s, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for range 2 {
		id, err := s.AddOther("AWS::Kinesis::Stream", model.Position{X: 1, Y: 2})
		if err != nil {
			t.Fatal(err)
		}
		o := s.Other(id)
		names = append(names, o.Name)
		if o.Type != "AWS::Kinesis::Stream" || string(o.Resource) != `{"Type":"AWS::Kinesis::Stream","Properties":{}}` || o.Position != (model.Position{X: 1, Y: 2}) {
			t.Errorf("added %+v", o)
		}
	}
	if !slices.Equal(names, []string{"Stream", "Stream2"}) {
		t.Errorf("names = %v, want Stream, Stream2", names)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("a stack with new generic nodes is invalid: %v", err)
	}
	if _, err := s.AddOther("Kinesis Stream", model.Position{}); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("a type that is none was added: %v", err)
	}
}

func TestReferences(t *testing.T) {
	s, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	if refs := s.References(); refs != nil {
		t.Fatalf("a stack without generic nodes has references %v", refs)
	}
	var send *model.Function
	for _, f := range s.Functions {
		if f.Name == "SendHandler" {
			send = f
		}
	}
	s.Others = append(s.Others,
		&model.Other{Node: model.Node{ID: "res50", Name: "Stream"}, Type: "AWS::Kinesis::Stream",
			Resource: raw(`{"Type":"AWS::Kinesis::Stream","Properties":{"Name":{"Fn::Sub":"${AWS::StackName}-${Connections}-${!Literal}"},` +
				`"Tags":[{"Key":"a","Value":{"Fn::GetAtt":["SendHandler","Arn"]}},{"Key":"b","Value":{"Fn::GetAtt":"SendHandlerRole.Arn"}},` +
				`{"Key":"c","Value":{"Ref":"Unknown"}},{"Key":"d","Value":{"Fn::Sub":["${X}",{"X":{"Ref":"ChatApi"}}]}}]}}`)},
		&model.Other{Node: model.Node{ID: "res51", Name: "Consumer"}, Type: "AWS::Kinesis::StreamConsumer",
			Resource: raw(`{"Type":"AWS::Kinesis::StreamConsumer","Properties":{"StreamARN":{"Fn::GetAtt":["Stream","Arn"]},"ConsumerName":{"Ref":"Consumer"}}}`)},
	)
	// An imported function whose environment names the stream.
	s.Functions[0].Kept = []model.Kept{{Properties: []model.Field{{Key: "Environment.Variables.STREAM", Value: raw(`{"Ref":"Stream"}`)}}}}
	got := s.References()
	want := []model.Reference{
		{From: s.Functions[0].ID, To: "res50", Function: "Ref"},
		{From: "res50", To: s.Tables[0].ID, Function: "Sub"},
		{From: "res50", To: send.ID, Function: "GetAtt", Attribute: "Arn"},
		{From: "res50", To: s.APIs[0].ID, Function: "Ref"},
		{From: "res51", To: "res50", Function: "GetAtt", Attribute: "Arn"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("references =\n%+v\nwant\n%+v", got, want)
	}
	if l := want[2].Label(); l != "GetAtt Arn" {
		t.Errorf("label %q", l)
	}
}
