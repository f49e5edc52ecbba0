package apigw

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9]{15}=$`)

func TestConnectEventHasAPIGatewayShape(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(nil)
	g := MustStart(t, testAPIs("$connect", "Conn", "$default", "Def"), inv, Options{})
	url := g.Endpoints()[0].URL
	if !strings.HasPrefix(url, "ws://127.0.0.1:") || !strings.HasSuffix(url, "/dev") {
		t.Fatalf("URL = %s, want ws://127.0.0.1:P/dev", url)
	}
	h := http.Header{"X-Custom": {"one"}, "User-Agent": {"switchboard-test"}}
	c, err := dial(t, url+"?room=a&room=b&token=x", h)
	if err != nil {
		t.Fatal(err)
	}
	ev := inv.next(t, "Conn").Event
	if qs := ev["queryStringParameters"].(map[string]any); qs["room"] != "b" || qs["token"] != "x" {
		t.Errorf("queryStringParameters = %v", qs)
	}
	if mv := ev["multiValueQueryStringParameters"].(map[string]any); len(mv["room"].([]any)) != 2 {
		t.Errorf("multiValueQueryStringParameters = %v", mv)
	}
	if hd := ev["headers"].(map[string]any); hd["X-Custom"] != "one" || hd["Host"] == nil || hd["Sec-Websocket-Key"] == nil {
		t.Errorf("headers = %v", hd)
	}
	if _, ok := ev["multiValueHeaders"].(map[string]any)["X-Custom"]; !ok {
		t.Errorf("multiValueHeaders lacks X-Custom")
	}
	if ev["isBase64Encoded"] != false || ev["body"] != nil {
		t.Errorf("isBase64Encoded = %v, body = %v", ev["isBase64Encoded"], ev["body"])
	}
	ctx := rc(ev)
	for k, want := range map[string]any{"routeKey": "$connect", "eventType": "CONNECT", "messageDirection": "IN", "stage": "dev", "apiId": g.Endpoints()[0].GatewayID} {
		if ctx[k] != want {
			t.Errorf("requestContext.%s = %v, want %v", k, ctx[k], want)
		}
	}
	connID, _ := ctx["connectionId"].(string)
	for _, k := range []string{"connectionId", "requestId", "extendedRequestId"} {
		if s, _ := ctx[k].(string); !idPattern.MatchString(s) {
			t.Errorf("requestContext.%s = %q, want an API Gateway style ID", k, s)
		}
	}
	if id := ctx["identity"].(map[string]any); id["sourceIp"] != "127.0.0.1" || id["userAgent"] != "switchboard-test" {
		t.Errorf("identity = %v", id)
	}
	if _, err := time.Parse(requestTimeLayout, ctx["requestTime"].(string)); err != nil {
		t.Errorf("requestTime: %v", err)
	}
	if ctx["connectedAt"].(float64) < 1e12 || ctx["requestTimeEpoch"].(float64) < ctx["connectedAt"].(float64) {
		t.Errorf("connectedAt = %v, requestTimeEpoch = %v: want epoch milliseconds", ctx["connectedAt"], ctx["requestTimeEpoch"])
	}
	if !strings.HasPrefix(ctx["domainName"].(string), "127.0.0.1:") {
		t.Errorf("domainName = %v", ctx["domainName"])
	}

	c.send(`{"action":"x","n":1}`)
	msg := inv.next(t, "Def").Event
	mctx := rc(msg)
	if msg["body"] != `{"action":"x","n":1}` || msg["isBase64Encoded"] != false {
		t.Errorf("message body = %v, isBase64Encoded = %v", msg["body"], msg["isBase64Encoded"])
	}
	if mctx["eventType"] != "MESSAGE" || mctx["routeKey"] != "$default" || mctx["connectionId"] != connID {
		t.Errorf("message requestContext = %v", mctx)
	}
	if s, _ := mctx["messageId"].(string); !idPattern.MatchString(s) {
		t.Errorf("messageId = %q", s)
	}
	if mctx["connectedAt"] != ctx["connectedAt"] {
		t.Errorf("connectedAt changed between events: %v, %v", ctx["connectedAt"], mctx["connectedAt"])
	}
}

func TestConnectRefusal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler handlerFunc
		want    int
	}{
		{"status passed through", func(context.Context, map[string]any) (any, error) { return proxy(403, ""), nil }, 403},
		{"client error status", func(context.Context, map[string]any) (any, error) { return proxy(400, "no"), nil }, 400},
		{"handler error", func(context.Context, map[string]any) (any, error) { return nil, errors.New("boom") }, 502},
		{"integration timeout", func(ctx context.Context, _ map[string]any) (any, error) { <-ctx.Done(); return nil, ctx.Err() }, 504},
		{"out of range status", func(context.Context, map[string]any) (any, error) { return proxy(999, ""), nil }, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := newFakeInvoker(map[string]handlerFunc{"Conn": tt.handler})
			g := MustStart(t, testAPIs("$connect", "Conn", "$disconnect", "Disc"), inv, Options{IntegrationTimeout: 100 * time.Millisecond})
			events, _ := g.Subscribe(16)
			_, err := dial(t, g.Endpoints()[0].URL, nil)
			if got := statusOf(err); got != tt.want {
				t.Fatalf("upgrade status = %d (%v), want %d", got, err, tt.want)
			}
			if e := waitEvent(t, events, EventReject); e.Status != tt.want {
				t.Errorf("reject event status = %d", e.Status)
			}
			if g.Connections() != 0 {
				t.Errorf("a refused client counts as connected")
			}
		})
	}
	t.Run("no $connect route accepts", func(t *testing.T) {
		g := MustStart(t, testAPIs("$default", "Def"), newFakeInvoker(nil), Options{})
		MustDial(t, g.Endpoints()[0].URL)
	})
	t.Run("wrong stage is forbidden", func(t *testing.T) {
		g := MustStart(t, testAPIs("$default", "Def"), newFakeInvoker(nil), Options{})
		_, err := dial(t, strings.TrimSuffix(g.Endpoints()[0].URL, "/dev")+"/prod", nil)
		if statusOf(err) != 403 {
			t.Fatalf("status = %v, want 403", err)
		}
	})
}

func TestSubprotocolOnlyWhenConnectReturnsOne(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(map[string]handlerFunc{"Conn": func(_ context.Context, ev map[string]any) (any, error) {
		h := ev["headers"].(map[string]any)
		if p, _ := h["Sec-Websocket-Protocol"].(string); strings.Contains(p, "chat.v2") {
			return map[string]any{"statusCode": 200, "headers": map[string]string{"Sec-WebSocket-Protocol": "chat.v2"}}, nil
		}
		return proxy(200, ""), nil
	}})
	g := MustStart(t, testAPIs("$connect", "Conn"), inv, Options{})
	url := g.Endpoints()[0].URL
	c, err := dial(t, url, nil, "chat.v1", "chat.v2")
	if err != nil {
		t.Fatal(err)
	}
	if c.hs.Protocol != "chat.v2" {
		t.Errorf("protocol = %q, want chat.v2", c.hs.Protocol)
	}
	c, err = dial(t, url, nil, "chat.v1")
	if err != nil {
		t.Fatal(err)
	}
	if c.hs.Protocol != "" {
		t.Errorf("protocol = %q, want none when $connect returns none", c.hs.Protocol)
	}
}

func authorizerAPIs() []API {
	apis := testAPIs("$connect", "Conn", "$default", "Def")
	apis[0].Routes[0].Authorized = true
	apis[0].Authorizer = &Authorizer{Name: "Auth", IdentitySources: []string{"route.request.querystring.token", "route.request.header.Auth"},
		Target: &Target{Function: "Authorizer", FunctionID: "fnAuthorizer", WireID: "wauth"}}
	return apis
}

func policy(effect, resource string, ctx map[string]any) map[string]any {
	return map[string]any{
		"principalId": "user-7",
		"policyDocument": map[string]any{
			"Version":   "2012-10-17",
			"Statement": []any{map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}},
		},
		"context": ctx,
	}
}

func TestAuthorizer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		query   string
		header  string
		auth    handlerFunc
		want    int
		invoked bool
	}{
		{"identity source missing", "?token=t", "", nil, 401, false},
		{"deny", "?token=t", "secret", func(_ context.Context, ev map[string]any) (any, error) {
			return policy("Deny", ev["methodArn"].(string), nil), nil
		}, 403, true},
		{"allow another resource only", "?token=t", "secret", func(context.Context, map[string]any) (any, error) {
			return policy("Allow", "arn:aws:execute-api:*:*:other/*", nil), nil
		}, 403, true},
		{"unauthorized", "?token=t", "secret", func(context.Context, map[string]any) (any, error) {
			return nil, errors.New("Unauthorized")
		}, 401, true},
		{"authorizer crash", "?token=t", "secret", func(context.Context, map[string]any) (any, error) {
			return nil, errors.New("TypeError: x is undefined")
		}, 500, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := newFakeInvoker(map[string]handlerFunc{"Authorizer": tt.auth})
			g := MustStart(t, authorizerAPIs(), inv, Options{})
			_, err := dial(t, g.Endpoints()[0].URL+tt.query, http.Header{"Auth": {tt.header}})
			if got := statusOf(err); got != tt.want {
				t.Fatalf("status = %d (%v), want %d", got, err, tt.want)
			}
			select {
			case c := <-inv.calls:
				if !tt.invoked || c.Function != "Authorizer" {
					t.Errorf("unexpected call to %s", c.Function)
				}
			default:
				if tt.invoked {
					t.Errorf("authorizer not invoked")
				}
			}
		})
	}

	t.Run("allow passes context on", func(t *testing.T) {
		inv := newFakeInvoker(map[string]handlerFunc{"Authorizer": func(_ context.Context, ev map[string]any) (any, error) {
			if ev["type"] != "REQUEST" || !strings.HasSuffix(ev["methodArn"].(string), "/dev/$connect") {
				return nil, errors.New("bad event")
			}
			if ev["queryStringParameters"].(map[string]any)["token"] != "t" {
				return nil, errors.New("no token")
			}
			return policy("Allow", "arn:aws:execute-api:us-east-1:*:*/dev/*", map[string]any{"userId": "u1", "admin": true}), nil
		}})
		g := MustStart(t, authorizerAPIs(), inv, Options{})
		c, err := dial(t, g.Endpoints()[0].URL+"?token=t", http.Header{"Auth": {"secret"}})
		if err != nil {
			t.Fatal(err)
		}
		conn := rc(inv.next(t, "Conn").Event)["authorizer"].(map[string]any)
		if conn["principalId"] != "user-7" || conn["userId"] != "u1" {
			t.Errorf("$connect authorizer = %v", conn)
		}
		c.send("hi")
		msg := rc(inv.next(t, "Def").Event)["authorizer"].(map[string]any)
		if msg["userId"] != "u1" || msg["admin"] != true {
			t.Errorf("message authorizer = %v", msg)
		}
	})
}

func TestRouteSelection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expr, body string
		withDefault      bool
		wantFn, wantKey  string
	}{
		{"matching route", "$request.body.action", `{"action":"sendMessage"}`, true, "Send", "sendMessage"},
		{"nested path", "$request.body.meta.action", `{"meta":{"action":"sendMessage"}}`, true, "Send", "sendMessage"},
		{"braced expression", "${request.body.action}", `{"action":"sendMessage"}`, true, "Send", "sendMessage"},
		{"unmatched value goes to $default", "$request.body.action", `{"action":"nope"}`, true, "Def", "$default"},
		{"non-JSON goes to $default", "$request.body.action", `hello`, true, "Def", "$default"},
		{"number value", "$request.body.action", `{"action":7}`, true, "Def", "$default"},
		{"no match without $default", "$request.body.action", `{"action":"nope"}`, false, "", ""},
		{"non-JSON without $default", "$request.body.action", `hello`, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			routes := []string{"sendMessage", "Send"}
			if tt.withDefault {
				routes = append(routes, "$default", "Def")
			}
			s := testAPIs(routes...)
			s[0].RouteSelectionExpression = tt.expr
			inv := newFakeInvoker(nil)
			g := MustStart(t, s, inv, Options{})
			c := MustDial(t, g.Endpoints()[0].URL)
			c.send(tt.body)
			if tt.wantFn == "" {
				m := c.MustRead()
				if !regexp.MustCompile(`^\{"message": "Forbidden", "connectionId":"[A-Za-z0-9]{15}=", "requestId":"[A-Za-z0-9]{15}="\}$`).MatchString(m.Data) {
					t.Fatalf("frame = %s, want API Gateway's Forbidden frame", m.Data)
				}
				return
			}
			ev := inv.next(t, tt.wantFn).Event
			if got := rc(ev)["routeKey"]; got != tt.wantKey {
				t.Errorf("routeKey = %v, want %s", got, tt.wantKey)
			}
		})
	}
}

func TestTwoWayReplies(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(map[string]handlerFunc{
		"Proxy": func(_ context.Context, ev map[string]any) (any, error) {
			return proxy(200, "echo:"+ev["body"].(string)), nil
		},
		"Raw":     func(context.Context, map[string]any) (any, error) { return map[string]any{"hello": "world"}, nil },
		"OneWay":  func(context.Context, map[string]any) (any, error) { return proxy(200, "must not arrive"), nil },
		"Nothing": func(context.Context, map[string]any) (any, error) { return []byte("null"), nil },
	})
	g := MustStart(t, testAPIs("proxy!", "Proxy", "raw!", "Raw", "oneway", "OneWay", "nothing!", "Nothing"), inv, Options{MaxInflight: 1})
	c := MustDial(t, g.Endpoints()[0].URL)
	// One-way and empty replies first: if either sent a frame, it would be
	// read instead of the proxy reply.
	c.send(`{"action":"oneway"}`)
	c.send(`{"action":"nothing"}`)
	c.send(`{"action":"proxy"}`)
	if m := c.MustRead(); m.Data != `echo:{"action":"proxy"}` || m.Op != ws.OpText {
		t.Fatalf("proxy reply = %+v", m)
	}
	c.send(`{"action":"raw"}`)
	if m := c.MustRead(); m.Data != `{"hello":"world"}` {
		t.Fatalf("raw reply = %q, want the whole result", m.Data)
	}
}

func TestHandlerFailureFrames(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(map[string]handlerFunc{
		"Crash": func(context.Context, map[string]any) (any, error) {
			return nil, errors.New(`{"errorType":"Error","errorMessage":"secret detail"}`)
		},
		"Slow": func(ctx context.Context, _ map[string]any) (any, error) { <-ctx.Done(); return nil, ctx.Err() },
	})
	g := MustStart(t, testAPIs("crash", "Crash", "slow!", "Slow"), inv, Options{IntegrationTimeout: 100 * time.Millisecond})
	events, _ := g.Subscribe(64)
	c := MustDial(t, g.Endpoints()[0].URL)
	c.send(`{"action":"crash"}`)
	m := c.MustRead()
	if !strings.HasPrefix(m.Data, `{"message": "Internal server error", "connectionId":"`) || strings.Contains(m.Data, "secret") {
		t.Fatalf("crash frame = %s", m.Data)
	}
	if e := waitEvent(t, events, EventError); e.Function != "Crash" || e.WireIDs[0] != "wcrash" {
		t.Errorf("error event = %+v", e)
	}
	c.send(`{"action":"slow"}`)
	if m := c.MustRead(); !strings.HasPrefix(m.Data, `{"message": "Endpoint request timed out", "connectionId":"`) {
		t.Fatalf("timeout frame = %s", m.Data)
	}
	// The connection survives failed integrations.
	c.send(`{"action":"crash"}`)
	c.MustRead()
}

func TestDisconnect(t *testing.T) {
	t.Parallel()
	type result struct {
		code   float64
		reason string
	}
	run := func(t *testing.T, opts Options, act func(t *testing.T, g *Gateway, c *wsClient, id string), want result) {
		t.Helper()
		inv := newFakeInvoker(nil)
		g := MustStart(t, testAPIs("$connect", "Conn", "$disconnect", "Disc", "$default", "Def"), inv, opts)
		events, _ := g.Subscribe(16)
		c := MustDial(t, g.Endpoints()[0].URL)
		id := waitEvent(t, events, EventConnect).ConnectionID
		act(t, g, c, id)
		ev := inv.next(t, "Disc").Event
		ctx := rc(ev)
		if ctx["eventType"] != "DISCONNECT" || ctx["routeKey"] != "$disconnect" || ctx["connectionId"] != id {
			t.Errorf("requestContext = %v", ctx)
		}
		if ctx["disconnectStatusCode"] != want.code || ctx["disconnectReason"] != want.reason {
			t.Errorf("disconnectStatusCode, disconnectReason = %v, %q; want %v, %q", ctx["disconnectStatusCode"], ctx["disconnectReason"], want.code, want.reason)
		}
	}
	t.Run("client close with status", func(t *testing.T) {
		run(t, Options{}, func(t *testing.T, _ *Gateway, c *wsClient, _ string) {
			c.writeFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "bye")))
			if m := c.MustReadClose(); m.Code != ws.StatusNormalClosure {
				t.Errorf("close echo code = %d", m.Code)
			}
		}, result{1000, "bye"})
	})
	t.Run("client close without status", func(t *testing.T) {
		run(t, Options{}, func(t *testing.T, _ *Gateway, c *wsClient, _ string) {
			c.writeFrame(ws.NewCloseFrame(nil))
		}, result{1005, reasonNoStatus})
	})
	t.Run("TCP connection dropped", func(t *testing.T) {
		run(t, Options{}, func(t *testing.T, _ *Gateway, c *wsClient, _ string) { _ = c.nc.Close() }, result{1006, reasonConnLost})
	})
	t.Run("client vanishes and answers no pings", func(t *testing.T) {
		// The client never reads, so it never answers a ping; its socket
		// stays open, as when a laptop lid closes.
		run(t, Options{PingInterval: 50 * time.Millisecond}, func(*testing.T, *Gateway, *wsClient, string) {}, result{1006, reasonConnLost})
	})
	t.Run("idle timeout", func(t *testing.T) {
		run(t, Options{IdleTimeout: 150 * time.Millisecond}, func(t *testing.T, _ *Gateway, c *wsClient, _ string) {
			if m := c.MustReadClose(); m.Code != ws.StatusGoingAway || m.Reason != "Going away" {
				t.Errorf("close = %d %q, want 1001 Going away", m.Code, m.Reason)
			}
			// The reply completes the closing handshake; on a busy machine the
			// gateway may have stopped waiting for it and hung up, which is
			// fine: the $disconnect below is what is checked.
			_ = ws.WriteFrame(c.nc, ws.MaskFrameInPlace(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusGoingAway, ""))))
		}, result{1001, "Going away"})
	})
	t.Run("maximum lifetime despite activity", func(t *testing.T) {
		run(t, Options{MaxLifetime: 300 * time.Millisecond, IdleTimeout: 200 * time.Millisecond}, func(t *testing.T, _ *Gateway, c *wsClient, _ string) {
			done := make(chan message, 1)
			go func() {
				for {
					m, err := c.read()
					if err != nil || m.Closed {
						done <- m
						return
					}
				}
			}()
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case m := <-done:
					if m.Code != ws.StatusGoingAway {
						t.Errorf("close code = %d, want 1001", m.Code)
					}
					return
				case <-tick.C:
					_ = ws.WriteFrame(c.nc, ws.MaskFrameInPlace(ws.NewTextFrame([]byte("keepalive"))))
				}
			}
		}, result{1001, "Going away"})
	})
	t.Run("DELETE @connections", func(t *testing.T) {
		run(t, Options{}, func(t *testing.T, g *Gateway, c *wsClient, id string) {
			resp := mustManage(t, http.MethodDelete, g.Endpoints()[0].ConnectionsURL+"/"+id, "")
			if resp.StatusCode != http.StatusNoContent {
				t.Errorf("DELETE status = %d, want 204", resp.StatusCode)
			}
			if m := c.MustReadClose(); m.Code != ws.StatusNormalClosure {
				t.Errorf("close code = %d, want 1000", m.Code)
			}
		}, result{1000, ""})
	})
	t.Run("gateway shutdown", func(t *testing.T) {
		run(t, Options{}, func(t *testing.T, g *Gateway, c *wsClient, _ string) {
			go g.Close()
			if m := c.MustReadClose(); m.Code != ws.StatusGoingAway {
				t.Errorf("close code = %d, want 1001", m.Code)
			}
		}, result{1001, "Going away"})
	})
}

func TestLimitsAndBadFrames(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(map[string]handlerFunc{
		"Echo": func(_ context.Context, ev map[string]any) (any, error) { return proxy(200, ev["body"].(string)), nil },
	})
	g := MustStart(t, testAPIs("$connect", "Conn", "$default!", "Echo", "$disconnect", "Disc"), inv, Options{})
	url := g.Endpoints()[0].URL

	t.Run("128 KB in 32 KB frames is accepted", func(t *testing.T) {
		c := MustDial(t, url)
		inv.next(t, "Conn")
		chunk := strings.Repeat("a", MaxFrameSize)
		for i := range 4 {
			op := ws.OpText
			if i > 0 {
				op = ws.OpContinuation
			}
			// A ping between fragments is allowed and answered.
			if i == 2 {
				c.writeFrame(ws.NewPingFrame([]byte("p")))
			}
			c.writeFrame(ws.NewFrame(op, i == 3, []byte(chunk)))
		}
		m := c.MustRead()
		for m.Op == ws.OpPong {
			m = c.MustRead()
		}
		if len(m.Data) != MaxMessageSize {
			t.Fatalf("reply length = %d, want %d", len(m.Data), MaxMessageSize)
		}
	})
	tests := []struct {
		name   string
		frames []ws.Frame
		code   ws.StatusCode
	}{
		{"message over 128 KB", func() []ws.Frame {
			var fs []ws.Frame
			for i := range 5 {
				op := ws.OpText
				if i > 0 {
					op = ws.OpContinuation
				}
				fs = append(fs, ws.NewFrame(op, i == 4, []byte(strings.Repeat("b", MaxFrameSize))))
			}
			return fs
		}(), ws.StatusMessageTooBig},
		{"frame over 32 KB", []ws.Frame{ws.NewTextFrame([]byte(strings.Repeat("c", MaxFrameSize+1)))}, ws.StatusMessageTooBig},
		{"binary frame", []ws.Frame{ws.NewBinaryFrame([]byte{0, 1, 2})}, ws.StatusUnsupportedData},
		{"invalid UTF-8", []ws.Frame{ws.NewTextFrame([]byte{0xff, 0xfe})}, ws.StatusInvalidFramePayloadData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := MustDial(t, url)
			id := rc(inv.next(t, "Conn").Event)["connectionId"].(string)
			for _, f := range tt.frames {
				if err := ws.WriteFrame(c.nc, ws.MaskFrameInPlace(f)); err != nil {
					break // the server may close before the last frame
				}
			}
			if m := c.MustReadClose(); m.Code != tt.code {
				t.Fatalf("close = %d %q, want %d", m.Code, m.Reason, tt.code)
			}
			ev := rc(inv.nextFor(t, "Disc", id).Event)
			if ev["disconnectStatusCode"] != float64(tt.code) {
				t.Errorf("disconnectStatusCode = %v, want %d", ev["disconnectStatusCode"], tt.code)
			}
		})
	}
	t.Run("message too big says so", func(t *testing.T) {
		c := MustDial(t, url)
		c.writeFrame(ws.NewTextFrame([]byte(strings.Repeat("c", MaxFrameSize+1))))
		if m := c.MustReadClose(); m.Reason != "Message too big" {
			t.Errorf("reason = %q", m.Reason)
		}
	})
}

func TestEventsNameRoutesAndWires(t *testing.T) {
	t.Parallel()
	g := MustStart(t, testAPIs("$connect", "Conn", "test!", "Echo"), newFakeInvoker(map[string]handlerFunc{
		"Echo": func(context.Context, map[string]any) (any, error) { return proxy(200, "pong"), nil },
	}), Options{})
	events, stop := g.Subscribe(64)
	defer stop()
	c := MustDial(t, g.Endpoints()[0].URL)
	if e := waitEvent(t, events, EventConnect); e.RouteID != "rt_connect" || e.WireIDs[0] != "w_connect" || e.API != "Api" {
		t.Errorf("connect event = %+v", e)
	}
	c.send(`{"action":"test"}`)
	if e := waitEvent(t, events, EventMessage); e.RouteID != "rttest" || e.RouteKey != "test" {
		t.Errorf("message event = %+v", e)
	}
	if e := waitEvent(t, events, EventInvoke); e.FunctionID != "fnEcho" || e.WireIDs[0] != "wtest" {
		t.Errorf("invoke event = %+v", e)
	}
	if e := waitEvent(t, events, EventReply); e.Data != "pong" || e.RouteID != "rttest" {
		t.Errorf("reply event = %+v", e)
	}
	c.MustRead()
}

func TestOnePortPerAPI(t *testing.T) {
	t.Parallel()
	s := testAPIs("$default", "Def")
	s = append(s, API{ID: "api2", Name: "Other", StageName: "prod", RouteSelectionExpression: "$request.body.action",
		Routes: []Route{{ID: "o1", Key: "$default", Target: &Target{Function: "Def", FunctionID: "fnDef", WireID: "wo"}}}})
	inv := newFakeInvoker(nil)
	g := MustStart(t, s, inv, Options{})
	eps := g.Endpoints()
	if len(eps) != 2 || eps[0].URL == eps[1].URL || !strings.HasSuffix(eps[1].URL, "/prod") {
		t.Fatalf("endpoints = %+v", eps)
	}
	MustDial(t, eps[1].URL).send("x")
	if got := rc(inv.next(t, "Def").Event)["stage"]; got != "prod" {
		t.Errorf("stage = %v", got)
	}
}

func TestWildcardMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "arn:aws:execute-api:us-east-1:1:a/dev/$connect", true},
		{"arn:aws:execute-api:*:*:*/dev/*", "arn:aws:execute-api:us-east-1:1:a/dev/$connect", true},
		{"arn:aws:execute-api:*:*:*/prod/*", "arn:aws:execute-api:us-east-1:1:a/dev/$connect", false},
		{"a?c", "abc", true},
		{"a*b*c*d*e*f*g", strings.Repeat("a", 200), false},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}
