package server_test

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// viewOf reads the canvas view (x, y, zoom) from the world's transform.
func viewOf(tb testing.TB, ctx context.Context) (x, y, z float64) {
	tb.Helper()
	var v []float64
	run(tb, ctx, "read the view", chromedp.Evaluate(`(() => {
  const m = new DOMMatrix(getComputedStyle(document.getElementById('world')).transform)
  return [m.e, m.f, m.a]
})()`, &v))
	return v[0], v[1], v[2]
}

// waitFrames lets the page draw a few frames.
func waitFrames() chromedp.Action {
	return chromedp.Evaluate(`new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() => ok(true)))))`, nil, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return p.WithAwaitPromise(true) })
}

// wheel sends one wheel event at (x, y) with the modifiers.
func wheel(x, y, dx, dy float64, modifiers input.Modifier) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		return input.DispatchMouseEvent(input.MouseWheel, x, y).WithDeltaX(dx).WithDeltaY(dy).WithModifiers(modifiers).Do(ctx)
	})
}

// TestBrowserNavigate: a plain wheel (a two-finger swipe) pans, ctrl+wheel
// (a pinch) zooms; Ctrl+K finds a route by name and flies to it; zoom to
// selection frames the selected node; the minimap moves the view; an API's
// routes collapse to a count, which a reload keeps.
func TestBrowserNavigate(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	openChat(t, srv, ctx, "chat", nil)
	cx, cy := center(t, ctx, `#viewport`)

	x0, y0, z0 := viewOf(t, ctx)
	run(t, ctx, "swipe down and right", wheel(cx, cy, 30, 120, 0), waitFrames())
	x1, y1, z1 := viewOf(t, ctx)
	if z1 != z0 || math.Abs(x1-(x0-30)) > 0.01 || math.Abs(y1-(y0-120)) > 0.01 {
		t.Fatalf("a plain wheel must pan by its deltas: view (%v,%v,%v) → (%v,%v,%v)", x0, y0, z0, x1, y1, z1)
	}
	run(t, ctx, "pinch in", wheel(cx, cy, 0, -100, input.ModifierCtrl), waitFrames())
	if _, _, z2 := viewOf(t, ctx); z2 <= z1 {
		t.Fatalf("ctrl+wheel must zoom in: %v → %v", z1, z2)
	}

	// Pan the chat out of sight, then find sendMessage.
	run(t, ctx, "swipe the stack away", wheel(cx, cy, 3000, 0, 0), waitFrames())
	run(t, ctx, "search",
		chromedp.KeyEvent("k", chromedp.KeyModifiers(input.ModifierCtrl)),
		chromedp.WaitVisible(`[data-testid=search-input]`),
		chromedp.SendKeys(`[data-testid=search-input]`, "sendmess"),
		waitJS(`document.querySelectorAll('[data-testid=search-result]').length === 1`),
	)
	if got := evalString(t, ctx, `document.querySelector('[data-testid=search-result]').textContent`); got != "sendMessage Route of ChatApi" {
		t.Fatalf("search for sendmess found %q", got)
	}
	run(t, ctx, "pick it", chromedp.KeyEvent("\r"),
		waitJS(`document.querySelector('#node-api1.selected') !== null`),
		chromedp.WaitVisible(`[data-testid=node-panel]`),
	)
	screenshot(t, ctx, "1-found")
	inView := `(() => {
  const v = document.getElementById('viewport').getBoundingClientRect()
  const r = document.querySelector(%q).getBoundingClientRect()
  return r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom && r.width > 0
})()`
	// Search flies to the route it found and marks it.
	run(t, ctx, "the route is in view", waitJS(fmt.Sprintf(inView, `#node-api1 .route.found`)))
	var ok bool

	// Zoom to the selection: SendHandler, selected, fills the view.
	run(t, ctx, "select SendHandler and zoom to it",
		chromedp.Click(`#node-fn8 .node-name`),
		waitJS(`document.querySelector('#node-fn8.selected') !== null`),
		chromedp.Click(`[data-testid=zoom-selection]`),
		// The view flies there: wait until it has landed, centred on the
		// node and close enough that it is a fifth of the view or more.
		waitJS(`(() => {
  const v = document.getElementById('viewport').getBoundingClientRect()
  const r = document.getElementById('node-fn8').getBoundingClientRect()
  return Math.abs(r.left + r.width / 2 - (v.left + v.width / 2)) < 2 && Math.abs(r.top + r.height / 2 - (v.top + v.height / 2)) < 2 && r.width / v.width > 0.2
})()`),
	)

	// The minimap: pressing its middle centres the view there, at the same
	// zoom. The flight to the selection must have ended first: a view that
	// holds still over a few polls.
	var mini []float64
	run(t, ctx, "locate the minimap",
		chromedp.Poll(`(() => { const t = document.getElementById('world').style.transform; const same = window.__lastView === t; window.__lastView = t; return same })()`, nil, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.WaitVisible(`[data-testid=minimap]`),
		chromedp.Evaluate(`(() => { const r = document.querySelector('[data-testid=minimap]').getBoundingClientRect(); return [r.left, r.top, r.width, r.height] })()`, &mini))
	xB, yB, zB := viewOf(t, ctx)
	run(t, ctx, "press the minimap", chromedp.MouseClickXY(mini[0]+mini[2]/2, mini[1]+mini[3]/2), waitFrames())
	xA, yA, zA := viewOf(t, ctx)
	if (xA == xB && yA == yB) || zA != zB {
		t.Fatalf("a press on the minimap must move the view, not zoom it: (%v,%v,%v) → (%v,%v,%v)", xB, yB, zB, xA, yA, zA)
	}
	if sel := evalString(t, ctx, `String(document.querySelector('#node-fn8.selected') !== null)`); sel != "true" {
		t.Fatal("a press on the minimap must not clear the selection")
	}

	// Collapse ChatApi's routes to a count.
	run(t, ctx, "fit", chromedp.Click(`[data-action=fit]`), waitViewStill(), waitFrames())
	apiHeight, _ := strconv.Atoi(evalString(t, ctx, `String(document.getElementById('node-api1').offsetHeight)`))
	run(t, ctx, "collapse the routes",
		chromedp.Click(`#node-api1 [data-testid=route-toggle]`),
		chromedp.WaitVisible(`#node-api1 [data-testid=route-summary]`),
		waitFrames(),
	)
	if got := evalString(t, ctx, `document.querySelector('#node-api1 [data-testid=route-summary]').textContent`); got != "4 routes" {
		t.Fatalf("collapsed routes read %q, want 4 routes", got)
	}
	if n := evalString(t, ctx, `String([...document.querySelectorAll('#node-api1 .route')].filter((r) => r.offsetHeight > 0).length)`); n != "0" {
		t.Fatalf("%s route rows still shown", n)
	}
	if h, _ := strconv.Atoi(evalString(t, ctx, `String(document.getElementById('node-api1').offsetHeight)`)); h >= apiHeight {
		t.Fatalf("the collapsed API is %dpx tall, was %d", h, apiHeight)
	}
	if sel := evalString(t, ctx, `String(document.querySelector('#node-fn8.selected') !== null)`); sel != "true" {
		t.Fatal("collapsing routes must not select the API")
	}
	// Every route's wire now starts at the summary row's port.
	run(t, ctx, "wires start at the summary", chromedp.Evaluate(`(() => {
  const port = document.querySelector('#node-api1 .route-summary .port').getBoundingClientRect()
  const px = port.left + port.width / 2, py = port.top + port.height / 2
  return ['w10', 'w11', 'w12', 'w13'].every((id) => {
    const path = document.querySelector('#wire-' + id + ' .wire-line')
    const p = path.getPointAtLength(0)
    const m = path.getScreenCTM()
    const s = new DOMPoint(p.x, p.y).matrixTransform(m)
    return Math.abs(s.x - px) < 2 && Math.abs(s.y - py) < 2
  })
})()`, &ok))
	if !ok {
		t.Fatal("a collapsed API's route wires must start at its summary port")
	}
	screenshot(t, ctx, "2-collapsed")
	run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(`.editor.ready #node-api1 [data-testid=route-summary]`))
	// From the keyboard: R on the focused API shows its routes again.
	run(t, ctx, "press R on ChatApi",
		chromedp.Focus(`#node-api1`),
		chromedp.KeyEvent("r"),
		waitJS(`!document.getElementById('node-api1').classList.contains('routes-collapsed')`),
		chromedp.WaitVisible(`#node-api1 .route`),
	)
}
