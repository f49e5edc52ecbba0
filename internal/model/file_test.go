package model_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func TestStackFileRoundTrip(t *testing.T) {
	chat, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	chat.ID, chat.Revision = 7, 3
	data, err := model.MarshalStackFile(chat)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("{\n  \"format\": \"switchboard.stack\",\n  \"version\": 1,")) || !bytes.HasSuffix(data, []byte("}\n")) {
		t.Fatalf("unexpected layout:\n%s", data)
	}
	again, _ := model.MarshalStackFile(chat)
	if !bytes.Equal(data, again) {
		t.Fatal("two marshals of one stack differ")
	}
	got, err := model.ParseStackFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != 0 || got.Name != "chat" || len(got.Functions) != len(chat.Functions) || len(got.Wires) != len(chat.Wires) {
		t.Fatalf("round trip lost something: %+v", got)
	}
	back, _ := model.MarshalStackFile(got)
	if !bytes.Equal(data, back) {
		t.Fatalf("round trip changed the file:\n%s\n---\n%s", data, back)
	}
}

func TestParseStackFileRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"NewerVersion", `{"format":"switchboard.stack","version":2,"stack":{"name":"a"}}`, "newer Switchboard"},
		{"VersionZero", `{"format":"switchboard.stack","version":0,"stack":{"name":"a"}}`, "not a known version"},
		{"OtherFormat", `{"format":"something.else","version":1,"stack":{"name":"a"}}`, `format is "something.else"`},
		{"BareStack", `{"name":"a"}`, "not a Switchboard stack file"},
		{"NoStack", `{"format":"switchboard.stack","version":1}`, "no stack"},
		{"UnknownStackField", `{"format":"switchboard.stack","version":1,"stack":{"name":"a","colour":1}}`, "colour"},
		{"Trailing", `{"format":"switchboard.stack","version":1,"stack":{"name":"a"}} {}`, "unexpected data"},
		{"NotJSON", `name: a`, "not a Switchboard stack file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := model.ParseStackFile([]byte(tc.doc))
			if err == nil || model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want EINVALID containing %q", err, tc.want)
			}
		})
	}
}
