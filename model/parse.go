package model

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Examples lists the names Example accepts.
var Examples = []string{"chat", "echo"}

// Example returns a new copy of a built-in example stack, named name.
//
//   - chat: the classic WebSocket chat. $connect and $disconnect go to a
//     connection handler that keeps connection ids in a Connections table;
//     sendMessage goes to a sender that reads the table and posts to every
//     connection; $default answers the caller through @connections.
//   - echo: one two-way route, test, whose function's reply goes straight back.
func Example(example, name string) (*Stack, error) {
	switch example {
	case "chat":
		return chatExample(name), nil
	case "echo":
		return echoExample(name), nil
	}
	return nil, Errorf(EINVALID, "unknown example %q; choose one of %v", example, Examples)
}

func chatExample(name string) *Stack {
	api := NewAPI("api1", "ChatApi")
	api.Description = "Chat rooms over WebSocket"
	api.Position = Position{X: 80, Y: 120}
	api.Routes = []*Route{
		{ID: "rt2", Key: RouteConnect},
		{ID: "rt3", Key: RouteDisconnect},
		{ID: "rt4", Key: RouteDefault},
		{ID: "rt5", Key: "sendMessage"},
	}
	conn := NewFunction("fn6", "ConnectionHandler")
	conn.Description = "Stores and forgets connection ids"
	conn.Position = Position{X: 460, Y: 40}
	def := NewFunction("fn7", "DefaultHandler")
	def.Description = "Tells a client which actions exist"
	def.Position = Position{X: 460, Y: 220}
	send := NewFunction("fn8", "SendHandler")
	send.Description = "Sends a message to every connection"
	send.Position = Position{X: 460, Y: 400}
	table := NewTable("tbl9", "Connections")
	table.PartitionKey = Key{Name: "connectionId", Type: AttributeString}
	table.Position = Position{X: 840, Y: 220}
	return &Stack{
		Name:        name,
		Description: "WebSocket chat: connections kept in DynamoDB, messages broadcast through @connections",
		APIs:        []*API{api},
		Functions:   []*Function{conn, def, send},
		Tables:      []*Table{table},
		Wires: []*Wire{
			{ID: "w10", Kind: WireIntegration, From: "rt2", To: "fn6"},
			{ID: "w11", Kind: WireIntegration, From: "rt3", To: "fn6"},
			{ID: "w12", Kind: WireIntegration, From: "rt4", To: "fn7"},
			{ID: "w13", Kind: WireIntegration, From: "rt5", To: "fn8"},
			{ID: "w14", Kind: WireReadWrite, From: "fn6", To: "tbl9"},
			{ID: "w15", Kind: WireRead, From: "fn8", To: "tbl9"},
			{ID: "w16", Kind: WireSend, From: "fn8", To: "api1"},
			{ID: "w17", Kind: WireSend, From: "fn7", To: "api1"},
		},
	}
}

func echoExample(name string) *Stack {
	api := NewAPI("api1", "EchoApi")
	api.Description = "Replies with what it receives"
	api.Position = Position{X: 80, Y: 120}
	api.Routes = []*Route{{ID: "rt2", Key: "test", TwoWay: true}}
	echo := NewFunction("fn3", "EchoFunction")
	echo.Description = "Returns the message body"
	echo.Position = Position{X: 460, Y: 120}
	return &Stack{
		Name:        name,
		Description: "WebSocket echo: a two-way route whose reply goes straight back to the client",
		APIs:        []*API{api},
		Functions:   []*Function{echo},
		Wires:       []*Wire{{ID: "w4", Kind: WireIntegration, From: "rt2", To: "fn3"}},
	}
}

// ParseStack decodes a stack document, refusing unknown fields so a typo is
// reported rather than silently dropped, and applies the defaults.
func ParseStack(data []byte) (*Stack, error) {
	var s Stack
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, Errorf(EINVALID, "stack document: %v", err)
	}
	if dec.More() {
		return nil, Errorf(EINVALID, "stack document: unexpected data after the stack")
	}
	if err := s.CheckShape(); err != nil {
		return nil, err
	}
	s.ApplyDefaults()
	return &s, nil
}

// CheckShape refuses null entries in a stack's lists ("apis": [null]),
// which would otherwise reach Validate and the exporter as nil pointers.
// ParseStack calls it; code handed a stack from elsewhere calls it first.
func (s *Stack) CheckShape() error {
	null := func(list string, i int) error {
		return Errorf(EINVALID, "stack document: %s[%d] is null", list, i)
	}
	// An ID that could steer a URL is refused here, before any of it is
	// stored or rendered, not merely reported as a problem.
	badID := func(list string, i int, id string) error {
		return Errorf(EINVALID, "stack document: %s[%d] has id %q; an id is a letter then up to 63 letters, digits, _ or -", list, i, id)
	}
	for i, a := range s.APIs {
		if a == nil {
			return null("apis", i)
		}
		if !ValidID(a.ID) {
			return badID("apis", i, a.ID)
		}
		for j, r := range a.Routes {
			if r == nil {
				return null(fmt.Sprintf("apis[%d].routes", i), j)
			}
			if !ValidID(r.ID) {
				return badID(fmt.Sprintf("apis[%d].routes", i), j, r.ID)
			}
		}
	}
	for i, f := range s.Functions {
		if f == nil {
			return null("functions", i)
		}
		if !ValidID(f.ID) {
			return badID("functions", i, f.ID)
		}
	}
	for i, t := range s.Tables {
		if t == nil {
			return null("tables", i)
		}
		if !ValidID(t.ID) {
			return badID("tables", i, t.ID)
		}
	}
	for i, w := range s.Wires {
		if w == nil {
			return null("wires", i)
		}
		if !ValidID(w.ID) {
			return badID("wires", i, w.ID)
		}
	}
	for i, o := range s.Others {
		if o == nil {
			return null("others", i)
		}
	}
	return nil
}

// Sorted returns the keys of m in order; exported templates and problem
// lists depend on it to be deterministic.
func Sorted[V any](m map[string]V) []string { return sortedKeys(m) }
