package server_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// axeSource is axe-core from the repository's node_modules, injected into
// the page by the test (the app never serves it).
func axeSource(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
			t.Fatalf("axe-core: %v (run npm ci)", err)
		}
		t.Skipf("axe-core is not installed (npm ci): %v", err)
	}
	return string(data)
}

// axeViolations runs axe on the page and lists each violation with the
// elements it names.
func axeViolations(t *testing.T, ctx context.Context, axe string) []string {
	t.Helper()
	var out []string
	run(t, ctx, "run axe",
		chromedp.Evaluate(axe, nil),
		chromedp.Evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => v.id + ': ' + v.help + ' — ' + v.nodes.map((n) => n.target.join(' ') + ' (' + (n.failureSummary || '').replace(/\s+/g, ' ') + ')').join('; ')))`, &out, awaitPromise),
	)
	return out
}

func darkMode(dark bool) chromedp.Action {
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	return emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}})
}

// TestBrowserKeyboardAndScreenReaders: the tab order reaches every node
// before any wire; a wire is made from the keyboard, choosing among the
// targets model.WireRules allows; a node added from the palette lands in
// view and is announced; axe finds nothing on the canvas, light or dark.
func TestBrowserKeyboardAndScreenReaders(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	axe := axeSource(t)
	chat, _ := model.Example("chat", "chat")
	// Unwire sendMessage and SendHandler's table, to wire them by keyboard.
	chat.Wires = slices.DeleteFunc(chat.Wires, func(w *model.Wire) bool { return w.ID == "w13" || w.ID == "w15" })
	s, err := srv.store.CreateStack(context.Background(), chat)
	if err != nil {
		t.Fatal(err)
	}
	openStack(t, ctx, srv, s.ID)

	// From the toolbar's last button, Tab reaches the five nodes, then wires.
	var order []string
	run(t, ctx, "focus the last toolbar button", chromedp.Focus(`[data-testid=commit-to-repo]`))
	for range 6 {
		var what string
		run(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab), chromedp.Evaluate(`document.activeElement.classList.contains('node') ? 'node' : document.activeElement.matches('svg.wire') ? 'wire' : document.activeElement.outerHTML.slice(0, 60)`, &what))
		order = append(order, what)
	}
	if want := []string{"node", "node", "node", "node", "node", "wire"}; !slices.Equal(order, want) {
		t.Fatalf("Tab after the toolbar reached %v, want %v", order, want)
	}

	run(t, ctx, "W on the API opens the connect dialog with its routes",
		chromedp.Focus(`#node-api1`),
		chromedp.KeyEvent("w"),
		chromedp.WaitVisible(`[data-testid=connect-dialog]`),
		waitJS(`document.activeElement.id === 'connect-from' && document.getElementById('connect-from').options.length === 4`),
		chromedp.KeyEvent(kb.End),
		waitJS(`document.getElementById('connect-from').selectedOptions[0].textContent === 'route sendMessage'`),
	)
	var targets []string
	run(t, ctx, "the targets", chromedp.Evaluate(`[...document.getElementById('connect-to').options].map((o) => o.textContent)`, &targets))
	// A route goes to a function, or straight to the table (PutItem).
	if len(targets) != 4 || targets[3] != "Table Connections (put-item)" {
		t.Fatalf("a route may go to the three functions and the table, the dialog offers %v", targets)
	}
	for _, o := range targets[:3] {
		if !strings.HasPrefix(o, "Function ") {
			t.Errorf("a route's targets include %q", o)
		}
	}
	run(t, ctx, "pick SendHandler and connect",
		chromedp.KeyEvent(kb.Tab),
		waitJS(`document.activeElement.id === 'connect-to'`),
		chromedp.KeyEvent(kb.End),
		chromedp.KeyEvent(kb.ArrowUp), // past the table, to the last function
		waitJS(`document.getElementById('connect-to').value === 'fn8'`),
		chromedp.KeyEvent(kb.Enter),
		waitJS(`!document.getElementById('connect-dialog').open`),
		waitJS(`document.getElementById('announcer').textContent === 'Wire added: ChatApi sendMessage → SendHandler (handler).'`),
		waitJS(`document.activeElement.id === 'node-api1'`),
	)
	if h := head(t, srv.store, s.ID).RouteHandler("rt5"); h == nil || h.ID != "fn8" {
		t.Fatalf("sendMessage's handler = %+v, want SendHandler", h)
	}
	run(t, ctx, "W on SendHandler offers the nodes it may be wired to and is not",
		chromedp.Focus(`#node-fn8`),
		chromedp.KeyEvent("w"),
		chromedp.WaitVisible(`[data-testid=connect-dialog]`),
		waitJS(`document.activeElement.id === 'connect-to'`),
		chromedp.Evaluate(`[...document.getElementById('connect-to').options].map((o) => o.textContent)`, &targets),
	)
	// It already sends to ChatApi: only the table is left.
	if want := []string{"Table Connections (read)"}; !slices.Equal(targets, want) {
		t.Fatalf("a function's targets = %v, want %v", targets, want)
	}
	screenshot(t, ctx, "connect-dialog")
	run(t, ctx, "connect it to the table",
		waitJS(`document.getElementById('connect-to').value === 'tbl9'`),
		chromedp.KeyEvent(kb.Enter),
		waitJS(`document.getElementById('announcer').textContent === 'Wire added: SendHandler reads Connections.'`),
	)

	// Pan far away, then add a function from the palette: it lands in
	// view and is announced.
	var vp []float64
	run(t, ctx, "viewport", chromedp.Evaluate(`(() => { const r = document.getElementById('viewport').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom] })()`, &vp))
	run(t, ctx, "pan away", drag(vp[0]+10, vp[1]+10, vp[2]-10, vp[3]-10), drag(vp[0]+10, vp[1]+10, vp[2]-10, vp[3]-10))
	run(t, ctx, "Enter on the palette adds a function in view",
		chromedp.Focus(`[data-testid=palette-function]`),
		chromedp.KeyEvent(kb.Enter),
		waitJS(`[...document.querySelectorAll('#nodes .node-function')].some((n) => n.dataset.name === 'Function')`),
	)
	run(t, ctx, "it is announced and in view",
		waitJS(`document.getElementById('announcer').textContent.startsWith('Added function Function')`),
		waitJS(`(() => { const n = [...document.querySelectorAll('#nodes .node-function')].find((n) => n.dataset.name === 'Function'); const r = n.getBoundingClientRect(); const v = document.getElementById('viewport').getBoundingClientRect(); return r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom })()`),
	)
	screenshot(t, ctx, "added-in-view")

	for _, dark := range []bool{false, true} {
		run(t, ctx, "colour scheme", darkMode(dark), chromedp.Click(`[data-testid=fit]`))
		if v := axeViolations(t, ctx, axe); len(v) > 0 {
			t.Errorf("axe (dark %v): %d violations:\n%s", dark, len(v), strings.Join(v, "\n"))
		}
	}
	screenshot(t, ctx, "dark")
}
