package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// wireBytes counts the bytes a tab receives over the network (encoded, as
// they travel), from the last reset on.
type wireBytes struct{ n atomic.Int64 }

func watchWire(ctx context.Context) *wireBytes {
	w := &wireBytes{}
	chromedp.ListenTarget(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventLoadingFinished); ok {
			w.n.Add(int64(ev.EncodedDataLength))
		}
	})
	return w
}

// markReady records, in window.__readyAt, the first frame after the canvas
// became interactive (#editor.ready), in ms since navigation start.
const markReady = `(function wait () {
  if (document.querySelector('.editor.ready')) { window.__readyAt = performance.now(); return }
  requestAnimationFrame(wait)
})()`

// watchEdit times an edit in the page: from the keydown that makes it to
// the first frame after the last request it caused has been swapped and
// settled. window.__edit.end keeps moving while answers arrive; the edit is
// over when nothing is in flight and end has not moved for a while.
const watchEdit = `(() => {
  const e = window.__edit = { start: 0, end: 0, inflight: 0 }
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' && !e.start) e.start = performance.now() }, true)
  const body = document.body
  body.addEventListener('htmx:beforeRequest', () => { e.inflight++ })
  const done = () => requestAnimationFrame(() => requestAnimationFrame(() => { if (e.start) e.end = performance.now() }))
  body.addEventListener('htmx:afterRequest', () => { e.inflight = Math.max(0, e.inflight - 1); done() })
  body.addEventListener('htmx:afterSettle', done)
})()`

// BenchmarkBrowserBigStack measures the screen on the 3,013-resource stack
// in Chromium: page load to interactive, and an edit (a function renamed in
// its panel; a function added from the palette with Enter) from the key
// press to the settled screen, with the bytes each takes on the wire. It
// asserts no timings; the figures are its metrics (issue 14's goals: load
// under 1 s, an edit under 100 ms and 20 KB).
func BenchmarkBrowserBigStack(b *testing.B) {
	srv, stack := mustServeBig(b)
	ctx, _ := newBrowser(b)
	canvas := fmt.Sprintf("%s/stacks/%d", srv.url, stack.ID)
	wire := watchWire(ctx)
	run(b, ctx, "time the page loads", network.Enable(), chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(markReady).Do(ctx)
		return err
	}))

	var loads, loadBytes, renameMs, renameBytes, addMs, addBytes []float64
	for b.Loop() {
		wire.n.Store(0)
		var ready float64
		stopTrace := startTrace(b, ctx, "load")
		run(b, ctx, "open the big stack",
			chromedp.EmulateViewport(1440, 900),
			chromedp.Navigate(canvas),
			waitJS(`window.__readyAt !== undefined`),
			chromedp.Evaluate(`window.__readyAt`, &ready),
		)
		stopTrace()
		loads = append(loads, ready)
		time.Sleep(300 * time.Millisecond) // the tabs' own loads
		loadBytes = append(loadBytes, float64(wire.n.Load()))

		run(b, ctx, "select a function", findAndOpen(stack.Functions[0].Name))
		ms, bytes := timeEdit(b, ctx, wire, fmt.Sprintf("rename %d", len(renameMs)),
			chromedp.Click(`#f-name`),
			chromedp.Evaluate(`document.getElementById('f-name').select()`, nil),
			chromedp.SendKeys(`#f-name`, fmt.Sprintf("Renamed%d", len(renameMs))),
			chromedp.KeyEvent("\r"),
		)
		renameMs, renameBytes = append(renameMs, ms), append(renameBytes, bytes)

		ms, bytes = timeEdit(b, ctx, wire, "add a function",
			chromedp.Focus(`[data-testid=palette-function]`),
			chromedp.KeyEvent("\r"),
		)
		addMs, addBytes = append(addMs, ms), append(addBytes, bytes)
	}
	screenshot(b, ctx, "big-stack")
	mean := func(xs []float64) float64 {
		t := 0.0
		for _, x := range xs {
			t += x
		}
		return t / float64(len(xs))
	}
	b.ReportMetric(mean(loads), "load-ms")
	b.ReportMetric(mean(loadBytes)/1024, "load-KB")
	b.ReportMetric(mean(renameMs), "rename-ms")
	b.ReportMetric(mean(renameBytes)/1024, "rename-KB")
	b.ReportMetric(mean(addMs), "add-ms")
	b.ReportMetric(mean(addBytes)/1024, "add-KB")
}

// timeEdit runs the actions, which end with the Enter that makes an edit,
// and returns the time from that key press to the settled screen, in ms,
// and the bytes received meanwhile.
func timeEdit(tb testing.TB, ctx context.Context, wire *wireBytes, what string, actions ...chromedp.Action) (float64, float64) {
	tb.Helper()
	run(tb, ctx, "watch "+what, chromedp.Evaluate(watchEdit, nil))
	wire.n.Store(0)
	defer startTrace(tb, ctx, strings.ReplaceAll(what, " ", "-"))()
	run(tb, ctx, what, actions...)
	// Quiet: nothing in flight and no new frame for 300 ms.
	var end float64
	for range 200 {
		var now []float64
		run(tb, ctx, "wait for "+what, chromedp.Evaluate(`[window.__edit.inflight, window.__edit.end]`, &now))
		if now[0] == 0 && now[1] > 0 && now[1] == end {
			break
		}
		end = now[1]
		time.Sleep(300 * time.Millisecond)
	}
	var ms float64
	run(tb, ctx, "time "+what, chromedp.Evaluate(`window.__edit.end - window.__edit.start`, &ms))
	return ms, float64(wire.n.Load())
}

// TestBrowserBigStackEdit renames a function of the 3,013-resource stack
// from the keyboard and checks what travelled: under 20 KB for the edit
// and what it caused (issue 14 item 1). The time it took is logged, not
// asserted; BenchmarkBrowserBigStack measures it.
func TestBrowserBigStackEdit(t *testing.T) {
	t.Parallel()
	srv, stack := mustServeBig(t)
	ctx, _ := newBrowser(t)
	wire := watchWire(ctx)
	fn := stack.Functions[0].ID
	run(t, ctx, "open the big stack",
		network.Enable(),
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(fmt.Sprintf("%s/stacks/%d", srv.url, stack.ID)),
		chromedp.WaitVisible(`.editor.ready`),
	)
	run(t, ctx, "find the function", findAndOpen(stack.Functions[0].Name))
	ms, bytes := timeEdit(t, ctx, wire, "rename",
		chromedp.Click(`#f-name`),
		chromedp.Evaluate(`document.getElementById('f-name').select()`, nil),
		chromedp.SendKeys(`#f-name`, "Renamed"),
		chromedp.KeyEvent("\r"),
	)
	t.Logf("rename on the big stack: %.0f ms to a settled screen, %.1f KB on the wire", ms, bytes/1024)
	if got := evalString(t, ctx, fmt.Sprintf(`document.getElementById('node-%s').dataset.name`, fn)); got != "Renamed" {
		t.Fatalf("the node is named %q after the rename", got)
	}
	if bytes > 20<<10 {
		t.Fatalf("the rename took %.1f KB on the wire, want under 20 KB", bytes/1024)
	}
	screenshot(t, ctx, "renamed")
}

// findAndOpen finds a node by name as a user does on a stack too big to
// show its nodes (Ctrl+K, then Enter, which selects it and flies there),
// and waits for its panel.
func findAndOpen(name string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.KeyEvent("k", chromedp.KeyModifiers(input.ModifierCtrl)),
		chromedp.WaitVisible(`[data-testid=search-input]`),
		chromedp.SendKeys(`[data-testid=search-input]`, name),
		waitJS(fmt.Sprintf(`document.querySelector('[data-testid=search-result]')?.textContent.startsWith(%q)`, name)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(`#f-name`),
	}
}
