package model_test

import (
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func chat(t *testing.T) *model.Stack {
	t.Helper()
	s, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// copyPaste copies ids of src through the clipboard's bytes and pastes them
// into dst at at.
func copyPaste(t *testing.T, src, dst *model.Stack, at model.Position, ids ...string) []string {
	t.Helper()
	frag, err := src.Fragment(ids)
	if err != nil {
		t.Fatal(err)
	}
	data, err := model.MarshalFragment(frag)
	if err != nil {
		t.Fatal(err)
	}
	back, err := model.ParseFragment(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dst.Paste(back, at)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestPasteIntoSameStack: a copy of SendHandler, the table and the API
// lands as new nodes with unique names, the wires between them copied and
// those to the rest left out, and the stack still passes validation.
func TestPasteIntoSameStack(t *testing.T) {
	s := chat(t)
	before := len(s.Wires)
	ids := copyPaste(t, s, s, model.Position{X: 1000, Y: 500}, "fn8", "tbl9", "api1")
	if len(ids) != 3 {
		t.Fatalf("pasted %v, want 3 nodes", ids)
	}
	names := map[string]string{}
	for _, id := range ids {
		n, ok := s.Node(id)
		if !ok {
			t.Fatalf("pasted node %s is not in the stack", id)
		}
		names[string(n.Kind)] = n.Name
	}
	want := map[string]string{"api": "ChatApi2", "function": "SendHandler2", "table": "Connections2"}
	for k, v := range want {
		if names[k] != v {
			t.Errorf("pasted %s is named %q, want %q", k, names[k], v)
		}
	}
	// Between them: sendMessage → SendHandler, read and send. The other
	// routes' handlers (ConnectionHandler, DefaultHandler) were not copied.
	if got := len(s.Wires) - before; got != 3 {
		t.Errorf("paste added %d wires, want 3: %+v", got, s.Wires[before:])
	}
	fn := s.Function(ids[1])
	if fn == nil || fn.CodePath != "functions/send-handler2" {
		t.Errorf("pasted function's code path = %+v, want functions/send-handler2", fn)
	}
	api := s.API(ids[0])
	if h := s.RouteHandler(api.Routes[3].ID); h == nil || h.ID != ids[1] {
		t.Errorf("pasted sendMessage goes to %+v, want the pasted SendHandler", h)
	}
	pasted, _ := s.Fragment(ids)
	if tl := pasted.TopLeft(); tl != (model.Position{X: 1000, Y: 500}) {
		t.Errorf("the pasted nodes' top left is %+v, want the paste point", tl)
	}
	for _, r := range api.Routes {
		if _, orig := chat(t).Route(r.ID); orig != nil {
			t.Errorf("pasted route kept the ID %s", r.ID)
		}
	}
	if err := s.ValidateDraft(); err != nil {
		t.Fatalf("stack after paste: %v", err)
	}
}

// TestPasteBetweenStacks: a fragment of chat pasted into a blank stack
// keeps its names and passes validation.
func TestPasteBetweenStacks(t *testing.T) {
	dst := &model.Stack{Name: "other"}
	ids := copyPaste(t, chat(t), dst, model.Position{X: 40, Y: 40}, "fn6", "tbl9")
	if len(ids) != 2 || dst.Functions[0].Name != "ConnectionHandler" || dst.Tables[0].Name != "Connections" {
		t.Fatalf("pasted %v: %+v %+v", ids, dst.Functions, dst.Tables)
	}
	if len(dst.Wires) != 1 || dst.Wires[0].Kind != model.WireReadWrite {
		t.Fatalf("wires = %+v, want the read-write wire", dst.Wires)
	}
	if err := dst.ValidateDraft(); err != nil {
		t.Fatal(err)
	}
}

// TestFragmentUnknownNode: copying something no longer there says so.
func TestFragmentUnknownNode(t *testing.T) {
	if _, err := chat(t).Fragment([]string{"fn6", "nope"}); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("err = %v, want ENOTFOUND", err)
	}
}

// TestPasteHostileFragment: what a hostile page put on the clipboard never
// reaches the stack as anything but new, checked nodes.
func TestPasteHostileFragment(t *testing.T) {
	wrap := func(stack string) string {
		return `{"format":"switchboard.fragment","version":1,"stack":` + stack + `}`
	}
	refused := []struct{ name, data string }{
		{"not JSON", `<script>alert(1)</script>`},
		{"a stack file", `{"format":"switchboard.stack","version":1,"stack":{"name":"x"}}`},
		{"unknown field", wrap(`{"name":"x","functions":[{"id":"fn1","name":"F","evil":true}]}`)},
		{"null entry", wrap(`{"name":"x","functions":[null]}`)},
		{"ID steering a URL", wrap(`{"name":"x","functions":[{"id":"../../stacks/1/delete","name":"F"}]}`)},
		{"newer version", `{"format":"switchboard.fragment","version":99,"stack":{}}`},
		{"trailing data", wrap(`{"name":"x"}`) + `{}`},
	}
	for _, c := range refused {
		if _, err := model.ParseFragment([]byte(c.data)); model.ErrorCode(err) != model.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", c.name, err)
		}
	}

	frag, err := model.ParseFragment([]byte(wrap(`{"name":"x",
		"functions":[{"id":"fn6","name":"Evil","kept":[{"logicalId":"ConnectionHandler","properties":[{"key":"Timeout","value":3}]}]},
		             {"id":"fn99","name":"Other"}],
		"wires":[{"id":"w1","kind":"read-write","from":"fn6","to":"tbl9"},
		         {"id":"w2","kind":"integration","from":"rt2","to":"fn6"},
		         {"id":"w3","kind":"send","from":"fn6","to":"fn99"}]}`)))
	if err != nil {
		t.Fatal(err)
	}
	s := chat(t)
	before := s.Clone()
	ids, err := s.Paste(frag, model.Position{X: 0, Y: 0})
	if err != nil {
		t.Fatal(err)
	}
	// The fragment named fn6, ConnectionHandler's ID: the paste is a new
	// function, and the original is untouched.
	if ids[0] == "fn6" || s.Function("fn6").Name != "ConnectionHandler" {
		t.Fatalf("paste reused an existing ID: %v", ids)
	}
	// Wires to the target stack's table and route were left out; the
	// wire between the two pasted functions is kept for validation to
	// refuse.
	for _, w := range s.Wires[len(before.Wires):] {
		if w.To == "tbl9" || w.From == "rt2" {
			t.Errorf("a pasted wire reaches into the stack: %+v", w)
		}
	}
	if err := s.ValidateDraft(); err == nil || !strings.Contains(err.Error(), "send wire goes from a function to an API") {
		t.Errorf("ValidateDraft after pasting a function→function wire = %v, want it refused", err)
	}
	// Its kept logical ID would have given the copy ConnectionHandler's.
	if k := s.Function(ids[0]).Kept; len(k) != 1 || k[0].LogicalID != "" {
		t.Errorf("kept = %+v, want the logical ID dropped", k)
	}

	// A name that is no logical ID is pasted as it is and refused by
	// validation, as a typed one is.
	frag, _ = model.ParseFragment([]byte(wrap(`{"name":"x","tables":[{"id":"t1","name":"<img src=x onerror=alert(1)>"}]}`)))
	s = chat(t)
	if _, err := s.Paste(frag, model.Position{}); err != nil {
		t.Fatal(err)
	}
	if err := s.ValidateDraft(); err == nil || !strings.Contains(err.Error(), "logical ID") {
		t.Errorf("ValidateDraft = %v, want the name refused", err)
	}

	// The same ID twice would make its wires ambiguous.
	frag, _ = model.ParseFragment([]byte(wrap(`{"name":"x","functions":[{"id":"a","name":"A"}],"tables":[{"id":"a","name":"B"}]}`)))
	if _, err := chat(t).Paste(frag, model.Position{}); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("duplicate IDs: err = %v, want EINVALID", err)
	}
	// Nothing to paste.
	frag, _ = model.ParseFragment([]byte(wrap(`{"name":"x"}`)))
	if _, err := chat(t).Paste(frag, model.Position{}); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("empty fragment: err = %v, want EINVALID", err)
	}
	// A huge offset becomes an invalid position for validation to refuse.
	frag, _ = model.ParseFragment([]byte(wrap(`{"name":"x","tables":[{"id":"t1","name":"T","position":{"x":-1.7e308,"y":0}},{"id":"t2","name":"U","position":{"x":1.7e308,"y":0}}]}`)))
	s = chat(t)
	if _, err := s.Paste(frag, model.Position{X: 10}); err != nil {
		t.Fatal(err)
	}
	if err := s.ValidateDraft(); err == nil || !strings.Contains(err.Error(), "invalid canvas position") {
		t.Errorf("ValidateDraft = %v, want the position refused", err)
	}
}
