package localrun

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestGatewayAPIs: the gateway gets each route with the function its
// integration wire leads to, the authorizer with its function, and the
// send wires, all from the stack.
func TestGatewayAPIs(t *testing.T) {
	t.Parallel()
	s, err := model.Example("chat", "my chat")
	if err != nil {
		t.Fatal(err)
	}
	api := s.APIs[0]
	api.Authorizer = &model.Authorizer{Name: "Auth", IdentitySources: []string{"route.request.querystring.token"}}
	api.Routes = append(api.Routes, &model.Route{ID: "loose", Key: "loose"})
	s.Wires = append(s.Wires, &model.Wire{ID: "wauth", Kind: model.WireAuthorizer, From: s.Functions[0].ID, To: api.ID})

	got := GatewayAPIs(s)
	if len(got) != 1 {
		t.Fatalf("%d APIs, want 1", len(got))
	}
	g := got[0]
	if g.ID != api.ID || g.Name != api.Name || g.StageName != api.StageName || g.RouteSelectionExpression != api.RouteSelectionExpression {
		t.Errorf("API = %+v", g)
	}
	x := model.NewIndex(s)
	for i, r := range api.Routes {
		gr := g.Routes[i]
		if gr.ID != r.ID || gr.Key != r.Key || gr.TwoWay != r.TwoWay {
			t.Errorf("route %d = %+v, want %+v", i, gr, r)
		}
		wires := x.WiresFromOfKind(r.ID, model.WireIntegration)
		switch {
		case len(wires) == 0 && gr.Target != nil:
			t.Errorf("route %s has no integration but a target %+v", r.Key, gr.Target)
		case len(wires) > 0 && (gr.Target == nil || gr.Target.WireID != wires[0].ID || gr.Target.Function != x.Function(wires[0].To).Name):
			t.Errorf("route %s target = %+v, want wire %s to %s", r.Key, gr.Target, wires[0].ID, wires[0].To)
		}
	}
	if a := g.Authorizer; a == nil || a.Target == nil || a.Target.Function != s.Functions[0].Name || a.Target.WireID != "wauth" ||
		!slices.Equal(a.IdentitySources, []string{"route.request.querystring.token"}) {
		t.Errorf("authorizer = %+v", g.Authorizer)
	}
	var send []string
	for _, w := range x.WiresToOfKind(api.ID, model.WireSend) {
		send = append(send, w.ID)
	}
	if len(send) == 0 || !slices.Equal(g.SendWireIDs, send) {
		t.Errorf("send wires = %v, want %v", g.SendWireIDs, send)
	}
}

// TestGatewayRefusalsAreTheUsers: what the gateway cannot serve stops the
// run as an invalid stack, as before the gateway had its own configuration.
func TestGatewayRefusalsAreTheUsers(t *testing.T) {
	t.Parallel()
	noAPI := &model.Stack{Name: "empty"}
	if _, err := newGateway(nil, noAPI, nil, apigw.Options{}); model.ErrorCode(err) != model.EINVALID || err.Error() != `stack "empty" has no WebSocket API to run` {
		t.Errorf("no API: %v (code %s)", err, model.ErrorCode(err))
	}
	s, _ := model.Example("chat", "my chat")
	s.APIs[0].StageName = "a/b"
	inv := newGate()
	if _, err := newGateway(nil, s, inv, apigw.Options{}); model.ErrorCode(err) != model.EINVALID || err.Error() != `API ChatApi: stage name "a/b" cannot be a path segment` {
		t.Errorf("bad stage: %v (code %s)", err, model.ErrorCode(err))
	}
	s, _ = model.Example("chat", "my-chat")
	_, err := Start(context.Background(), nil, Config{Stack: s, Gateway: apigw.Options{AllowOrigins: []string{"evil.test"}}})
	if model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), `allowed origin "evil.test"`) {
		t.Errorf("bad origin: %v (code %s)", err, model.ErrorCode(err))
	}
}
