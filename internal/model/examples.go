package model

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
