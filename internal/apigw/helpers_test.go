package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// handlerFunc is a Go stand-in for a Lambda handler in the gateway's own
// unit tests: it gets the decoded event and returns a result to marshal,
// raw JSON bytes, or an error (a failed invocation).
type handlerFunc func(ctx context.Context, event map[string]any) (any, error)

// call is one invocation the fake invoker saw.
type call struct {
	Function string
	Event    map[string]any
}

// fakeInvoker runs handlerFuncs by function name and reports every call.
type fakeInvoker struct {
	handlers map[string]handlerFunc
	calls    chan call
}

func newFakeInvoker(handlers map[string]handlerFunc) *fakeInvoker {
	return &fakeInvoker{handlers: handlers, calls: make(chan call, 256)}
}

func (f *fakeInvoker) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	f.calls <- call{function, ev}
	h := f.handlers[function]
	if h == nil {
		return []byte(`{"statusCode":200}`), nil
	}
	out, err := h(ctx, ev)
	if err != nil {
		return nil, err
	}
	if b, ok := out.([]byte); ok {
		return b, nil
	}
	return json.Marshal(out)
}

// next returns the next call to the function, skipping calls to others.
func (f *fakeInvoker) next(t testing.TB, function string) call {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case c := <-f.calls:
			if c.Function == function {
				return c
			}
		case <-timeout:
			t.Fatalf("no call to %s within 5s", function)
		}
	}
}

// nextFor returns the next call to the function for the connection.
func (f *fakeInvoker) nextFor(t testing.TB, function, connectionID string) call {
	t.Helper()
	for {
		c := f.next(t, function)
		if rc(c.Event)["connectionId"] == connectionID {
			return c
		}
	}
}

// testAPIs is one API, "Api", stage "dev", selecting routes by
// $request.body.action, with the routes given as key → function name; a
// key ending in "!" is two-way.
func testAPIs(routes ...string) []API {
	api := API{ID: "api1", Name: "Api", StageName: "dev", RouteSelectionExpression: "$request.body.action"}
	for i := 0; i+1 < len(routes); i += 2 {
		key, fn := routes[i], routes[i+1]
		twoWay := false
		if len(key) > 1 && key[len(key)-1] == '!' {
			key, twoWay = key[:len(key)-1], true
		}
		api.Routes = append(api.Routes, Route{ID: "rt" + idSafe(key), Key: key, TwoWay: twoWay,
			Target: &Target{Function: fn, FunctionID: "fn" + fn, WireID: "w" + idSafe(key)}})
	}
	return []API{api}
}

// idSafe turns a route key into ID characters: "$connect" → "_connect".
func idSafe(key string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, key)
}

// MustStart starts a gateway on a free port and closes it when the test
// ends.
func MustStart(tb testing.TB, apis []API, inv Invoker, opts Options) *Gateway {
	tb.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("APIGW_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	g, err := New(logger, apis, inv, opts)
	if err != nil {
		tb.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = g.Close() })
	return g
}

// wsClient is a minimal WebSocket client that lets a test send any frame.
type wsClient struct {
	tb  testing.TB
	nc  net.Conn
	src io.Reader
	hs  ws.Handshake
}

// dial connects to url; a refused upgrade returns ws.StatusError.
func dial(tb testing.TB, url string, header http.Header, protocols ...string) (*wsClient, error) {
	tb.Helper()
	d := ws.Dialer{Timeout: 5 * time.Second, Protocols: protocols}
	if header != nil {
		d.Header = ws.HandshakeHeaderHTTP(header)
	}
	nc, br, hs, err := d.Dial(context.Background(), url)
	if err != nil {
		return nil, err
	}
	c := &wsClient{tb: tb, nc: nc, src: nc, hs: hs}
	if br != nil {
		c.src = io.MultiReader(br, nc)
	}
	tb.Cleanup(func() { _ = nc.Close() })
	return c, nil
}

// MustDial connects or fails the test.
func MustDial(tb testing.TB, url string) *wsClient {
	tb.Helper()
	c, err := dial(tb, url, nil)
	if err != nil {
		tb.Fatalf("dial %s: %v", url, err)
	}
	return c
}

func (c *wsClient) writeFrame(f ws.Frame) {
	c.tb.Helper()
	if err := ws.WriteFrame(c.nc, ws.MaskFrameInPlace(f)); err != nil {
		c.tb.Fatalf("write frame: %v", err)
	}
}

func (c *wsClient) send(s string) {
	c.tb.Helper()
	c.writeFrame(ws.NewTextFrame([]byte(s)))
}

// message is what the client read: a data message or a close frame.
type message struct {
	Op     ws.OpCode
	Data   string
	Closed bool
	Code   ws.StatusCode
	Reason string
}

// read returns the next message or close frame, answering pings.
func (c *wsClient) read() (message, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	rd := &wsutil.Reader{Source: c.src, State: ws.StateClientSide}
	for {
		hdr, err := rd.NextFrame()
		if err != nil {
			return message{}, err
		}
		if hdr.OpCode.IsControl() {
			payload := make([]byte, hdr.Length)
			if _, err := io.ReadFull(rd, payload); err != nil {
				return message{}, err
			}
			switch hdr.OpCode {
			case ws.OpPing:
				c.writeFrame(ws.NewPongFrame(payload))
			case ws.OpClose:
				code, reason := ws.ParseCloseFrameData(payload)
				// Answer as a browser does, completing the close handshake.
				_ = ws.WriteFrame(c.nc, ws.MaskFrameInPlace(ws.NewCloseFrame(ws.NewCloseFrameBody(code, ""))))
				return message{Op: ws.OpClose, Closed: true, Code: code, Reason: reason}, nil
			}
			continue
		}
		data, err := io.ReadAll(rd)
		if err != nil {
			return message{}, err
		}
		return message{Op: hdr.OpCode, Data: string(data)}, nil
	}
}

// MustRead returns the next message or fails the test.
func (c *wsClient) MustRead() message {
	c.tb.Helper()
	m, err := c.read()
	if err != nil {
		c.tb.Fatalf("read: %v", err)
	}
	return m
}

// MustReadClose reads until a close frame and returns it.
func (c *wsClient) MustReadClose() message {
	c.tb.Helper()
	for {
		m := c.MustRead()
		if m.Closed {
			return m
		}
	}
}

// waitEvent returns the first event of the kind on the channel.
func waitEvent(tb testing.TB, events <-chan Event, kind EventKind) Event {
	tb.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				tb.Fatalf("events closed before a %s event", kind)
			}
			if e.Kind == kind {
				return e
			}
		case <-timeout:
			tb.Fatalf("no %s event within 5s", kind)
		}
	}
}

// statusOf returns the HTTP status of a refused upgrade, or 0.
func statusOf(err error) int {
	var s ws.StatusError
	if errors.As(err, &s) {
		return int(s)
	}
	return 0
}

// rc returns an event's requestContext.
func rc(ev map[string]any) map[string]any {
	m, _ := ev["requestContext"].(map[string]any)
	return m
}

func proxy(status int, body string) map[string]any {
	return map[string]any{"statusCode": status, "body": body}
}
