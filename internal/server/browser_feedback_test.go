package server_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// openChat creates the chat example as name and opens its canvas; it
// returns the stack as created.
func openChat(tb testing.TB, srv browserServer, ctx context.Context, name string, edit func(*model.Stack)) *model.Stack {
	tb.Helper()
	s, err := model.Example("chat", name)
	if err != nil {
		tb.Fatal(err)
	}
	if edit != nil {
		edit(s)
	}
	s, err = srv.store.CreateStack(context.Background(), s)
	if err != nil {
		tb.Fatal(err)
	}
	run(tb, ctx, "open "+name,
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(s.ID, 10)),
		chromedp.WaitVisible(`.editor.ready #node-api1`),
		waitFrames(),
	)
	return s
}

// nodeNamed is the ID of the node of s named name.
func nodeNamed(tb testing.TB, s *model.Stack, name string) string {
	tb.Helper()
	for _, n := range s.Nodes() {
		if n.Name == name {
			return n.ID
		}
	}
	tb.Fatalf("no node named %s", name)
	return ""
}

// buttonState is a toolbar button's disabled flag, accessible name and title.
func buttonState(tb testing.TB, ctx context.Context, action string) string {
	tb.Helper()
	return evalString(tb, ctx, fmt.Sprintf(`(() => { const b = document.querySelector('[data-action=%s]'); return b.disabled + ' | ' + (b.getAttribute('aria-label') || b.querySelector('.label').textContent.trim()) + ' | ' + b.title })()`, action))
}

// TestBrowserUndoNamesTheChange: Undo and Redo are disabled when there is
// nothing to do, name the change they would make, and a key press with
// nothing to redo does nothing, with no error (issue 14 item 8).
func TestBrowserUndoNamesTheChange(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s := openChat(t, srv, ctx, "undo", nil)
	fn := nodeNamed(t, s, "ConnectionHandler")

	if got, want := buttonState(t, ctx, "undo"), "true | Undo | Nothing to undo"; got != want {
		t.Fatalf("Undo on a new stack: %q, want %q", got, want)
	}
	if got, want := buttonState(t, ctx, "redo"), "true | Redo | Nothing to redo"; got != want {
		t.Fatalf("Redo on a new stack: %q, want %q", got, want)
	}
	x, y := center(t, ctx, `#node-`+fn+` .node-name`)
	run(t, ctx, "rename ConnectionHandler",
		chromedp.MouseClickXY(x, y),
		chromedp.WaitVisible(`#f-name`),
		chromedp.Click(`#f-name`),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(2)),
		chromedp.SendKeys(`#f-name`, "Connector"),
		chromedp.KeyEvent(kb.Enter),
		waitJS(`!document.querySelector('[data-action=undo]').disabled`),
	)
	if got, want := buttonState(t, ctx, "undo"), "false | Undo rename ConnectionHandler to Connector | Undo rename ConnectionHandler to Connector (Ctrl+Z)"; got != want {
		t.Fatalf("Undo after a rename: %q, want %q", got, want)
	}
	screenshot(t, ctx, "undo-named")

	run(t, ctx, "click Undo",
		chromedp.Click(`[data-testid=undo]`),
		waitJS(fmt.Sprintf(`document.getElementById('node-%s').dataset.name === 'ConnectionHandler' && !document.querySelector('[data-action=redo]').disabled`, fn)),
	)
	if got, want := buttonState(t, ctx, "redo"), "false | Redo rename ConnectionHandler to Connector | Redo rename ConnectionHandler to Connector (Ctrl+Shift+Z)"; got != want {
		t.Fatalf("Redo after the undo: %q, want %q", got, want)
	}
	if got := buttonState(t, ctx, "undo"); got != "true | Undo | Nothing to undo" {
		t.Fatalf("Undo back at the first revision: %q", got)
	}
	screenshot(t, ctx, "redo-named")

	run(t, ctx, "redo from the keyboard, twice",
		chromedp.KeyEvent("z", chromedp.KeyModifiers(2|8)),
		waitJS(fmt.Sprintf(`document.getElementById('node-%s').dataset.name === 'Connector' && document.querySelector('[data-action=redo]').disabled`, fn)),
		chromedp.KeyEvent("z", chromedp.KeyModifiers(2|8)),
	)
	// The second press asks nothing and shows nothing: no red message.
	run(t, ctx, "settle", chromedp.Sleep(300*time.Millisecond))
	if n := evalString(t, ctx, `String(document.querySelectorAll('[data-testid=toast]').length)`); n != "0" {
		t.Fatalf("%s messages after redoing with nothing to redo: %s", n, evalString(t, ctx, `document.getElementById('toasts').textContent`))
	}
	if got := head(t, srv.store, s.ID).Function(fn).Name; got != "Connector" {
		t.Fatalf("the stack has %s, want Connector", got)
	}
}

// pointer moves the mouse to (x, y) in steps from (fx, fy) with the left
// button held, as a hand drawing a wire does.
func pointer(fx, fy, x, y float64) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		const steps = 8
		for i := 1; i <= steps; i++ {
			px, py := fx+(x-fx)*float64(i)/steps, fy+(y-fy)*float64(i)/steps
			if err := chromedp.MouseEvent(input.MouseMoved, px, py, chromedp.ButtonType(input.Left)).Do(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestBrowserWiringLightsValidTargetsOnly draws a wire from a function's
// port: while it is drawn the nodes it may end on (model.WireRules: a
// table, an API) stand out, the others (functions) step back, and only a
// valid node under the pointer is highlighted (issue 14 item 8).
func TestBrowserWiringLightsValidTargetsOnly(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s := openChat(t, srv, ctx, "wiring", nil)
	from := nodeNamed(t, s, "SendHandler")
	other := nodeNamed(t, s, "ConnectionHandler")
	table := nodeNamed(t, s, "Connections")

	px, py := center(t, ctx, `#node-`+from+` [data-port]`)
	ox, oy := center(t, ctx, `#node-`+other+` .node-body`)
	tx, ty := center(t, ctx, `#node-`+table+` .node-body`)
	classes := func(id string) string {
		return evalString(t, ctx, fmt.Sprintf(`[...document.getElementById('node-%s').classList].filter((c) => /wire-|drop-/.test(c)).join(' ')`, id))
	}
	run(t, ctx, "press on the port and move over another function",
		chromedp.MouseEvent(input.MouseMoved, px, py),
		chromedp.MouseEvent(input.MousePressed, px, py, chromedp.ButtonType(input.Left), chromedp.ClickCount(1)),
		pointer(px, py, ox, oy),
	)
	if got := classes(other); got != "wire-excluded" {
		t.Fatalf("a function under a function's wire has %q, want wire-excluded only", got)
	}
	if got := classes(table); got != "wire-target" {
		t.Fatalf("a table while a function's wire is drawn has %q, want wire-target", got)
	}
	if got := classes(from); got != "wire-excluded" {
		t.Fatalf("the wire's own node has %q, want wire-excluded", got)
	}
	run(t, ctx, "move over the table", pointer(ox, oy, tx, ty))
	if got := classes(table); got != "wire-target drop-target" {
		t.Fatalf("the table under the pointer has %q, want it highlighted", got)
	}
	screenshot(t, ctx, "wiring")
	px2, py2 := center(t, ctx, `[data-testid=palette-table]`)
	run(t, ctx, "let go off the canvas",
		pointer(tx, ty, px2, py2+120),
		chromedp.MouseEvent(input.MouseReleased, px2, py2+120, chromedp.ButtonType(input.Left), chromedp.ClickCount(1)),
		waitJS(`document.querySelectorAll('.wire-target, .wire-excluded, .drop-target').length === 0`),
	)
}

// TestBrowserTooltipForTruncatedName: a name cut short on its node shows in
// full when the pointer rests on it; one that fits has no tooltip.
func TestBrowserTooltipForTruncatedName(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s, err := model.Example("chat", "tooltips")
	if err != nil {
		t.Fatal(err)
	}
	long := "ConnectionHandlerForEveryClientThatEverConnectsToTheChat"
	s.Functions[0].Name = long
	s, err = srv.store.CreateStack(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "open",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(s.ID, 10)),
		chromedp.WaitVisible(`.editor.ready`),
	)
	lx, ly := center(t, ctx, `#node-`+s.Functions[0].ID+` .node-name`)
	sx, sy := center(t, ctx, `#node-`+s.Functions[1].ID+` .node-name`)
	run(t, ctx, "rest the pointer on the long name", chromedp.MouseEvent(input.MouseMoved, lx, ly))
	if got := evalString(t, ctx, `document.querySelector('#node-`+s.Functions[0].ID+` .node-name').title`); got != long {
		t.Fatalf("the truncated name's tooltip is %q, want %q", got, long)
	}
	run(t, ctx, "and on a short one", chromedp.MouseEvent(input.MouseMoved, sx, sy))
	if got := evalString(t, ctx, `String(document.querySelector('#node-`+s.Functions[1].ID+` .node-name').hasAttribute('title'))`); got != "false" {
		t.Fatalf("a name that fits has a tooltip")
	}
}

// TestBrowserProblemMarksItsRoute: the problem "route $default has no
// handler" selects its API, marks the route's row on the canvas and focuses
// the route's key in the panel; a problem about a field focuses that field
// (issue 14 item 8).
func TestBrowserProblemMarksItsRoute(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s, err := model.Example("chat", "problems")
	if err != nil {
		t.Fatal(err)
	}
	var route string
	for _, r := range s.APIs[0].Routes {
		if r.Key == model.RouteDefault {
			route = r.ID
		}
	}
	for _, w := range s.Wires {
		if w.From == route {
			s.RemoveWire(w.ID)
			break
		}
	}
	s.APIs[0].Routes[0].APIKeyRequired = true
	s.APIs[0].APIKeySelectionExpression = ""
	s, err = srv.store.CreateStack(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	api := s.APIs[0].ID
	run(t, ctx, "open",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(s.ID, 10)),
		chromedp.WaitVisible(`.editor.ready`),
		chromedp.Click(`[data-testid=tab-problems]`),
		chromedp.WaitVisible(`[data-testid=problem]`),
	)
	problem := func(text string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('[data-testid=problem]')].find((b) => b.textContent.includes(%q))`, text)
	}
	var box []float64
	run(t, ctx, "locate the route's problem", chromedp.Evaluate(`(() => { const r = `+problem("has no handler")+`.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2] })()`, &box))
	run(t, ctx, "click it",
		chromedp.MouseClickXY(box[0], box[1]),
		waitJS(fmt.Sprintf(`document.activeElement?.id === 'f-route-%s'`, route)),
	)
	if got := evalString(t, ctx, fmt.Sprintf(`String(document.querySelector('#node-%s [data-route="%s"]').classList.contains('problem-mark'))`, api, route)); got != "true" {
		t.Fatal("the route's row is not marked on the canvas")
	}
	if got := evalString(t, ctx, `String(document.querySelectorAll('.problem-mark').length)`); got != "1" {
		t.Fatalf("%s rows marked, want the one route", got)
	}
	if got := evalString(t, ctx, `document.querySelector('.selected')?.id || ''`); got != "node-"+api {
		t.Fatalf("selected %q, want the API", got)
	}
	screenshot(t, ctx, "route-problem")

	run(t, ctx, "back to the problems, and the API key one",
		chromedp.Click(`[data-testid=tab-problems]`),
		chromedp.WaitVisible(`[data-testid=problem]`),
		chromedp.Evaluate(`(() => { const r = `+problem("API key selection")+`.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2] })()`, &box),
	)
	run(t, ctx, "click it",
		chromedp.MouseClickXY(box[0], box[1]),
		waitJS(`document.activeElement?.id === 'f-apiKeySelectionExpression' && document.activeElement.classList.contains('problem-field-mark')`),
	)
	if got := evalString(t, ctx, `String(document.querySelectorAll('.problem-mark').length)`); got != "0" {
		t.Fatal("the route stays marked after another problem was picked")
	}
}

// TestBrowserToastsForErrorsOnly: a message the server sends (HX-Trigger
// showMessage) is a toast only when it is an error; any other is announced
// to screen readers and not shown (issue 14 item 8).
func TestBrowserToastsForErrorsOnly(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	openChat(t, srv, ctx, "toasts", nil)
	run(t, ctx, "an info message",
		chromedp.Evaluate(`htmx.trigger(document.body, 'showMessage', { level: 'info', text: 'Saved the stack.' })`, nil),
		waitJS(`document.getElementById('announcer')?.textContent === 'Saved the stack.'`),
	)
	if n := evalString(t, ctx, `String(document.querySelectorAll('[data-testid=toast]').length)`); n != "0" {
		t.Fatalf("an info message made %s toasts", n)
	}
	run(t, ctx, "an error",
		chromedp.Evaluate(`htmx.trigger(document.body, 'showMessage', { level: 'error', text: 'Refused.' })`, nil),
		waitJS(`[...document.querySelectorAll('[data-testid=toast][role=alert]')].some((e) => e.textContent.includes('Refused.'))`),
	)
}
