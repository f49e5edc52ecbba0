package server_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

func width(t *testing.T, ctx context.Context, sel string) float64 {
	t.Helper()
	var w float64
	run(t, ctx, "width of "+sel, chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).getBoundingClientRect().width`, sel), &w))
	return w
}

// reachable is true when the element is inside the window and is what a
// click at its centre would hit.
func reachable(sel string) string {
	return fmt.Sprintf(`(() => { const el = document.querySelector(%q); const r = el.getBoundingClientRect(); if (r.width === 0 || r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight) return false; const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return el === hit || el.contains(hit) })()`, sel)
}

// TestBrowserRoomToWork: the palette and the panel are resized by their
// edges (pointer and keys) and hidden with their buttons, remembered after
// a reload; the toolbar stays one line and, at 1024 px, Fit, Run locally
// and Commit are still there to click; the template tab is coloured,
// wraps, widens and copies; and the page follows a dark colour scheme,
// with nothing axe objects to.
func TestBrowserRoomToWork(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	axe := axeSource(t)
	run(t, ctx, "let the page use the clipboard", testtool.GrantPermissions(ctx, browser.PermissionTypeClipboardReadWrite, browser.PermissionTypeClipboardSanitizedWrite))
	chat, _ := model.Example("chat", "chat")
	s, err := srv.store.CreateStack(context.Background(), chat)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "1440 px", chromedp.EmulateViewport(1440, 900))
	openStack(t, ctx, srv, s.ID)

	oneLine := `(() => { const tb = document.querySelector('.toolbar'); return [...tb.querySelectorAll('button, a')].every((b) => b.getClientRects().length === 1 && b.getBoundingClientRect().height < 40) && tb.scrollWidth <= tb.clientWidth + 1 })()`
	run(t, ctx, "the toolbar is one line", waitJS(oneLine))
	// Labels show as space allows: at 1440 px the toolbar's buttons (Fit,
	// Find, Arrange, Run, Commit…) fit as icons; on a wider screen, with
	// labels.
	run(t, ctx, "1920 px: labels shown", chromedp.EmulateViewport(1920, 1000),
		waitJS(oneLine), waitJS(`document.querySelector('[data-testid=fit] .label').getBoundingClientRect().width > 10`))
	run(t, ctx, "back to 1440 px", chromedp.EmulateViewport(1440, 900), waitJS(oneLine))

	palette, sidebar := width(t, ctx, "#palette"), width(t, ctx, "#sidebar")
	px, py := center(t, ctx, `[data-testid=palette-resizer]`)
	sx, sy := center(t, ctx, `[data-testid=sidebar-resizer]`)
	run(t, ctx, "drag the edges", drag(px, py, px+100, py), drag(sx, sy, sx-200, sy))
	if w := width(t, ctx, "#palette"); math.Abs(w-(palette+100)) > 2 {
		t.Fatalf("palette is %v px after dragging its edge 100 px from %v", w, palette)
	}
	if w := width(t, ctx, "#sidebar"); math.Abs(w-(sidebar+200)) > 2 {
		t.Fatalf("panel is %v px after dragging its edge 200 px from %v", w, sidebar)
	}
	run(t, ctx, "the arrow keys on the edge resize too",
		chromedp.Focus(`[data-testid=palette-resizer]`),
		chromedp.KeyEvent(kb.ArrowLeft),
	)
	palette = width(t, ctx, "#palette")
	run(t, ctx, "hide the palette", chromedp.Click(`[data-testid=palette-toggle]`), waitJS(`document.getElementById('palette').getBoundingClientRect().width < 48`))
	run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(`.editor.ready`))
	if w := width(t, ctx, "#palette"); w > 48 {
		t.Fatalf("after a reload the hidden palette is %v px wide", w)
	}
	if w := width(t, ctx, "#sidebar"); math.Abs(w-(sidebar+200)) > 2 {
		t.Fatalf("after a reload the panel is %v px, want the %v it was given", w, sidebar+200)
	}
	run(t, ctx, "show the palette again", chromedp.Click(`[data-testid=palette-toggle]`), waitJS(`document.querySelector('[data-testid=palette-toggle]').getAttribute('aria-expanded') === 'true'`))
	if w := width(t, ctx, "#palette"); math.Abs(w-palette) > 2 {
		t.Fatalf("the palette came back %v px wide, want %v", w, palette)
	}

	run(t, ctx, "hide and show the panel",
		chromedp.Click(`[data-testid=sidebar-toggle]`),
		waitJS(`document.getElementById('sidebar').getBoundingClientRect().width < 48 && document.querySelector('[data-testid=sidebar-toggle]').getAttribute('aria-label') === 'Show the side panel'`),
		chromedp.Click(`[data-testid=sidebar-toggle]`),
		waitJS(`Math.abs(document.getElementById('sidebar').getBoundingClientRect().width - `+fmt.Sprint(sidebar+200)+`) < 2`),
	)

	// The template: coloured, wrapped, widened, copied.
	run(t, ctx, "the template tab is coloured",
		chromedp.Click(`[data-testid=tab-template]`),
		chromedp.WaitVisible(`.template-code .tok-propertyName`),
		waitJS(`document.querySelector('.template-code .cm-scroller').scrollWidth > document.querySelector('.template-code .cm-scroller').clientWidth`),
		chromedp.Click(`[data-testid=template-wrap]`),
		waitJS(`document.querySelector('.template-code .cm-scroller').scrollWidth <= document.querySelector('.template-code .cm-scroller').clientWidth`),
		chromedp.Click(`[data-testid=template-copy]`),
		waitJS(`document.querySelector('[data-testid=template-copy]').textContent === 'Copied'`),
	)
	var clip string
	run(t, ctx, "read the clipboard", chromedp.Evaluate(`navigator.clipboard.readText()`, &clip, awaitPromise))
	if !strings.HasPrefix(clip, "AWSTemplateFormatVersion") || !strings.Contains(clip, "ChatApi:") {
		t.Fatalf("the copied template starts %q", clip[:min(len(clip), 80)])
	}
	before := width(t, ctx, ".template-code .cm-editor")
	sx, sy = center(t, ctx, `[data-testid=sidebar-resizer]`)
	run(t, ctx, "widen the panel", drag(sx, sy, sx-150, sy))
	if w := width(t, ctx, ".template-code .cm-editor"); w < before+140 {
		t.Fatalf("the template is %v px after widening the panel 150 px from %v", w, before)
	}
	screenshot(t, ctx, "template-wide")

	// 1024 px, the panel back to its default width.
	run(t, ctx, "1024 px",
		chromedp.Evaluate(`localStorage.removeItem('switchboard:room')`, nil),
		chromedp.EmulateViewport(1024, 768),
		chromedp.Reload(), chromedp.WaitVisible(`.editor.ready`),
		waitJS(oneLine),
	)
	for _, sel := range []string{`[data-testid=fit]`, `[data-testid=run-locally]`, `[data-testid=commit-to-repo]`, `[data-testid=undo]`, `[data-testid=palette-function]`, `[data-testid=tab-problems]`} {
		run(t, ctx, sel+" is reachable at 1024 px", waitJS(reachable(sel)))
	}
	var zoom string
	run(t, ctx, "Fit works at 1024 px", chromedp.Click(`[data-action=zoom-in]`, chromedp.NodeVisible), chromedp.Text(`[data-zoom]`, &zoom))
	run(t, ctx, "fit", chromedp.Click(`[data-testid=fit]`), waitJS(`document.querySelector('[data-zoom]').textContent !== `+fmt.Sprintf("%q", zoom)))
	screenshot(t, ctx, "1024")

	// Dark, with a node's panel open: the page follows the scheme and
	// axe finds nothing (contrast included).
	x, y := center(t, ctx, `#node-fn8 .node-name`)
	run(t, ctx, "dark",
		darkMode(true),
		chromedp.MouseClickXY(x, y),
		chromedp.WaitVisible(`[data-testid=node-panel]`),
		waitJS(`getComputedStyle(document.body).backgroundColor === 'rgb(18, 21, 28)'`),
		waitJS(`getComputedStyle(document.querySelector('.node')).backgroundColor === 'rgb(26, 31, 41)'`),
	)
	screenshot(t, ctx, "dark-1024")
	if v := axeViolations(t, ctx, axe); len(v) > 0 {
		t.Errorf("axe in dark mode with a panel open: %d violations:\n%s", len(v), strings.Join(v, "\n"))
	}
	run(t, ctx, "template tab, dark", chromedp.Click(`[data-testid=tab-template]`), chromedp.WaitVisible(`.template-code .tok-propertyName`))
	if v := axeViolations(t, ctx, axe); len(v) > 0 {
		t.Errorf("axe in dark mode on the template tab: %d violations:\n%s", len(v), strings.Join(v, "\n"))
	}
	screenshot(t, ctx, "dark-template")
}
