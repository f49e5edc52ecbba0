package server_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// portAt is the JS that returns whether the wire's drawn line starts (end
// false) or its arrowhead ends (end true) within 3 px of the port's centre.
const wireMeetsPort = `((wire, port, end) => {
  const el = document.querySelector(port).getBoundingClientRect()
  const px = el.left + el.width / 2, py = el.top + el.height / 2
  const path = document.querySelector(wire + (end ? ' .wire-arrow' : ' .wire-line'))
  const m = path.getScreenCTM()
  const p = end ? (() => { const d = path.getAttribute('d').split(' '); return new DOMPoint(+d[1], +d[2]) })() : path.getPointAtLength(0)
  const s = new DOMPoint(p.x, p.y).matrixTransform(m)
  return Math.hypot(s.x - px, s.y - py) <= 3
})(%q, %q, %v)`

// TestBrowserWires: every wire is directed (an arrowhead at its target),
// named by its ends for screen readers and on hover, a function's send wire
// leaves its own call port and enters the API's connections port, and a
// wire runs around a node standing between its ends. A wire dragged from
// the call port to an API is a send wire.
func TestBrowserWires(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	// DefaultHandler's send wire is left out, to be drawn below.
	openChat(t, srv, ctx, "chat", func(s *model.Stack) { s.RemoveWire("w17") })

	for id, want := range map[string]string{
		"w13": "route sendMessage → SendHandler",
		"w16": "SendHandler → ChatApi (send)",
		"w15": "SendHandler → Connections (read)",
	} {
		if got := evalString(t, ctx, `document.getElementById('wire-`+id+`').getAttribute('aria-label')`); got != want {
			t.Errorf("wire %s is announced as %q, want %q", id, got, want)
		}
		if got := evalString(t, ctx, `document.querySelector('#wire-`+id+` > title').textContent`); got != want {
			t.Errorf("wire %s's tooltip is %q, want %q", id, got, want)
		}
	}
	var ok bool
	for _, c := range []struct {
		wire, port string
		end        bool
	}{
		{"#wire-w16", "#node-fn8 .port-call", false},
		{"#wire-w16", "#node-api1 .port-conn", true},
		{"#wire-w15", "#node-fn8 .port-out", false},
		{"#wire-w15", "#node-tbl9 .port-in", true},
		{"#wire-w13", "#node-api1 [data-route=rt5] .port", false},
		{"#wire-w13", "#node-fn8 .port-in", true},
	} {
		run(t, ctx, "check "+c.wire, chromedp.Evaluate(fmt.Sprintf(wireMeetsPort, c.wire, c.port, c.end), &ok))
		if !ok {
			t.Errorf("%s must %s at %s", c.wire, map[bool]string{false: "start", true: "end with its arrowhead"}[c.end], c.port)
		}
	}
	// Hovering a wire shows its own line over the painted one.
	visibility := `getComputedStyle(document.querySelector('#wire-w15 .wire-line')).visibility`
	if got := evalString(t, ctx, visibility); got != "hidden" {
		t.Fatalf("a wire's own line shows only on hover or selection; it is %s", got)
	}
	var mid []float64
	run(t, ctx, "find the middle of w15", chromedp.Evaluate(`(() => {
  const path = document.querySelector('#wire-w15 .wire-hit')
  const p = path.getPointAtLength(path.getTotalLength() / 2)
  const s = new DOMPoint(p.x, p.y).matrixTransform(path.getScreenCTM())
  return [s.x, s.y]
})()`, &mid))
	run(t, ctx, "hover w15", chromedp.MouseEvent("mouseMoved", mid[0], mid[1]), waitFrames())
	if got := evalString(t, ctx, visibility); got != "visible" {
		t.Fatalf("hovering a wire must show it; its line is %s", got)
	}
	screenshot(t, ctx, "1-chat")

	// A wire dragged from DefaultHandler's call port to ChatApi sends.
	x, y := center(t, ctx, `#node-fn7 .port-call`)
	ax, ay := center(t, ctx, `#node-api1 .node-name`)
	run(t, ctx, "drag from the call port to ChatApi", drag(x, y, ax, ay),
		waitJS(`document.querySelectorAll('#wires svg.wire[data-kind=send][data-from-node=fn7][data-to-node=api1]').length === 1`),
		waitFrames(),
	)
	id := evalString(t, ctx, `document.querySelector('#wires svg.wire[data-kind=send][data-from-node=fn7]').id`)
	run(t, ctx, "check the new wire", chromedp.Evaluate(fmt.Sprintf(wireMeetsPort, "#"+id, "#node-fn7 .port-call", false), &ok))
	if !ok {
		t.Fatal("the new send wire must start at the call port it was dragged from")
	}
	if got := evalString(t, ctx, `document.getElementById('`+id+`').getAttribute('aria-label')`); got != "DefaultHandler → ChatApi (send)" {
		t.Fatalf("the new wire is announced as %q", got)
	}
}

// TestBrowserWireAroundNode: a table standing between a route and its
// handler is not crossed: the wire goes around it.
func TestBrowserWireAroundNode(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s := &model.Stack{Name: "around"}
	api := model.NewAPI(s.NewID("api"), "Api")
	api.Position = model.Position{X: 0, Y: 0}
	api.Routes = []*model.Route{{ID: s.NewID("rt"), Key: "$default"}}
	fn := model.NewFunction(s.NewID("fn"), "Handler")
	// The route's port is at y 63; the handler's in-port at 24 below its
	// origin: a straight run from one to the other is at about y 63.
	fn.Position = model.Position{X: 900, Y: 39}
	tbl := model.NewTable(s.NewID("tbl"), "InTheWay")
	tbl.Position = model.Position{X: 420, Y: 10}
	s.APIs, s.Functions, s.Tables = []*model.API{api}, []*model.Function{fn}, []*model.Table{tbl}
	s.Wires = []*model.Wire{{ID: s.NewID("w"), Kind: model.WireIntegration, From: api.Routes[0].ID, To: fn.ID}}
	stored, err := srv.store.CreateStack(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "open the stack",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(stored.ID, 10)),
		chromedp.WaitVisible(`.editor.ready #node-`+tbl.ID),
		chromedp.Click(`[data-action=fit]`), waitViewStill(),
		waitFrames(),
	)
	screenshot(t, ctx, "around")
	crossing := samplesInside(t, ctx, `#wire-`+s.Wires[0].ID, `#node-`+tbl.ID)
	if crossing > 0 {
		t.Fatalf("the wire passes through the table (%d samples inside it)", crossing)
	}

}

// TestBrowserWireAroundAddedNode: a node added from the palette where a
// wire runs routes that wire again around it (the canvas keeps the routes
// of wires a new node does not cross, so this one must not be kept).
func TestBrowserWireAroundAddedNode(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s := &model.Stack{Name: "added"}
	api := model.NewAPI(s.NewID("api"), "Api")
	api.Routes = []*model.Route{{ID: s.NewID("rt"), Key: "$default"}}
	fn := model.NewFunction(s.NewID("fn"), "Handler")
	fn.Position = model.Position{X: 1100, Y: 39} // a straight run at about y 63
	s.APIs, s.Functions = []*model.API{api}, []*model.Function{fn}
	s.Wires = []*model.Wire{{ID: s.NewID("w"), Kind: model.WireIntegration, From: api.Routes[0].ID, To: fn.ID}}
	stored, err := srv.store.CreateStack(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	wire := `#wire-` + s.Wires[0].ID
	run(t, ctx, "open the stack",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(stored.ID, 10)),
		chromedp.WaitVisible(`.editor.ready #node-`+fn.ID),
		chromedp.Click(`[data-action=fit]`), waitViewStill(), waitFrames(),
	)
	before := evalString(t, ctx, `document.querySelector('`+wire+` .wire-line').getAttribute('d')`)
	var mid []float64
	run(t, ctx, "find the wire's middle", chromedp.Evaluate(wireMiddleJS(wire), &mid))
	px, py := center(t, ctx, `[data-testid=palette-queue]`)
	run(t, ctx, "drop a queue on the wire", drag(px, py, mid[0], mid[1]),
		chromedp.WaitVisible(`#nodes .node-queue`), waitViewStill(), waitFrames())
	screenshot(t, ctx, "added")
	crossing := samplesInside(t, ctx, wire, `#nodes .node-queue`)
	if after := evalString(t, ctx, `document.querySelector('`+wire+` .wire-line').getAttribute('d')`); after == before {
		t.Fatalf("the wire kept its route %q with a queue dropped on it", before)
	}
	if crossing > 0 {
		t.Fatalf("the wire passes through the queue added on its way (%d samples inside it)", crossing)
	}
}

// samplesInside counts the points, 4 px apart along the wire sel, that lie
// inside the node sel's box: a wire routed around the node has none.
func samplesInside(t *testing.T, ctx context.Context, wire, node string) int {
	t.Helper()
	var inside int
	run(t, ctx, "sample the wire "+wire, chromedp.Evaluate(`(() => {
  const path = document.querySelector('`+wire+` .wire-line')
  const t = document.querySelector('`+node+`')
  const x0 = +t.dataset.x, y0 = +t.dataset.y, x1 = x0 + t.offsetWidth, y1 = y0 + t.offsetHeight
  let inside = 0
  for (let l = 0; l <= path.getTotalLength(); l += 4) {
    const p = path.getPointAtLength(l)
    if (p.x > x0 && p.x < x1 && p.y > y0 && p.y < y1) inside++
  }
  return inside
})()`, &inside))
	return inside
}
