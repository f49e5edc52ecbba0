package apigw

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// TestMessagesOfOneConnectionRunConcurrently: API Gateway invokes for each
// message as it arrives. Twenty messages whose handlers all wait until
// every one of them has started can only finish if none waits for
// another: no per-connection cap, no head-of-line blocking.
func TestMessagesOfOneConnectionRunConcurrently(t *testing.T) {
	t.Parallel()
	const n = 20
	started := make(chan struct{}, n)
	all := make(chan struct{})
	inv := newFakeInvoker(map[string]handlerFunc{
		"Slow": func(ctx context.Context, ev map[string]any) (any, error) {
			started <- struct{}{}
			select {
			case <-all:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return proxy(200, "done"), nil
		},
	})
	g := MustStart(t, testAPIs("$default!", "Slow"), inv, Options{})
	c := MustDial(t, g.Endpoints()[0].URL)
	for i := range n {
		c.send(fmt.Sprintf(`{"n":%d}`, i))
	}
	for i := range n {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d messages are being handled: they wait for each other", i, n)
		}
	}
	close(all)
	for range n {
		if m := c.MustRead(); m.Data != "done" {
			t.Fatalf("reply %q", m.Data)
		}
	}
}

// TestDisconnectIsNotHeldByCallsInFlight: the client closes while a call
// for its message still runs; $disconnect is invoked at once, not after
// that call, as on API Gateway.
func TestDisconnectIsNotHeldByCallsInFlight(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	inv := newFakeInvoker(map[string]handlerFunc{
		"Slow": func(ctx context.Context, ev map[string]any) (any, error) {
			<-release
			return proxy(200, "late"), nil
		},
	})
	g := MustStart(t, testAPIs("$default", "Slow", "$disconnect", "Disc"), inv, Options{})
	c := MustDial(t, g.Endpoints()[0].URL)
	c.send("work")
	inv.next(t, "Slow")
	c.writeFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "bye")))
	// Before the change, $disconnect waited for Slow, which waits for
	// release: next would time out.
	ev := inv.next(t, "Disc").Event
	if rc(ev)["disconnectStatusCode"] != float64(1000) {
		t.Fatalf("$disconnect = %v", rc(ev))
	}
	close(release)
}
