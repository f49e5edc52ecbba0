package server_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestBrowserEditChangesOnlyWhatItChanged renames a function with the
// keyboard on the chat stack: the renamed node changes in place, every
// other node and wire is the very element it was, the field typed in keeps
// focus, and the hidden Template tab is not fetched until it is shown
// (issue 14 item 1).
func TestBrowserEditChangesOnlyWhatItChanged(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s, err := model.Example("chat", "lean")
	if err != nil {
		t.Fatal(err)
	}
	s, err = srv.store.CreateStack(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	var fn string
	for _, f := range s.Functions {
		if f.Name == "ConnectionHandler" {
			fn = f.ID
		}
	}
	run(t, ctx, "open the chat stack",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(s.ID, 10)),
		chromedp.WaitVisible(`.editor.ready`),
	)
	x, y := center(t, ctx, `#node-`+fn+` .node-name`)
	run(t, ctx, "select ConnectionHandler",
		chromedp.MouseClickXY(x, y),
		chromedp.WaitVisible(`#f-name`),
		// Mark what is on the page now, to tell kept elements from new ones.
		chromedp.Evaluate(`document.querySelectorAll('#nodes .node, #wires svg.wire, #f-name').forEach((el) => { el.__kept = true })`, nil),
	)
	run(t, ctx, "rename it with the keyboard",
		chromedp.Click(`#f-name`),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(2)), // Ctrl+A
		chromedp.SendKeys(`#f-name`, "Connector"),
		chromedp.KeyEvent(kb.Enter),
		waitJS(fmt.Sprintf(`document.getElementById('node-%s').dataset.name === 'Connector' && document.querySelector('[data-testid=saved]') !== null`, fn)),
	)
	screenshot(t, ctx, "renamed")
	if got := evalString(t, ctx, `JSON.stringify([...document.querySelectorAll('#nodes .node, #wires svg.wire')].filter((el) => !el.__kept).map((el) => el.id))`); got != "[]" {
		t.Fatalf("the rename replaced elements it did not need to: %s", got)
	}
	if got := evalString(t, ctx, `String(document.activeElement.id + ' ' + !!document.activeElement.__kept)`); got != "f-name true" {
		t.Fatalf("after the save the focus is on %q, want the same name field", got)
	}
	fetched := `String(performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.endsWith('/template')).length)`
	if got := evalString(t, ctx, fetched); got != "0" {
		t.Fatalf("the hidden Template tab was fetched %s times", got)
	}
	run(t, ctx, "show the Template tab",
		chromedp.Click(`[data-testid=tab-template]`),
		waitJS(`(document.querySelector('[data-testid=template-text]')?.textContent || '').includes('Connector:')`),
	)
	if got := evalString(t, ctx, fetched); got != "1" {
		t.Fatalf("showing the Template tab fetched it %s times, want once", got)
	}
	screenshot(t, ctx, "template")
}

// TestBrowserTypingSurvivesASave: a save answered while the user already
// types in the next field leaves what they typed there, and the focus
// (the panel morphs rather than being replaced).
func TestBrowserTypingSurvivesASave(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s := openChat(t, srv, ctx, "typing", nil)
	fn := nodeNamed(t, s, "SendHandler")
	x, y := center(t, ctx, `#node-`+fn+` .node-name`)
	run(t, ctx, "select SendHandler",
		chromedp.MouseClickXY(x, y),
		chromedp.WaitVisible(`#f-handler`),
		chromedp.Click(`#f-handler`),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(2)),
		chromedp.SendKeys(`#f-handler`, "main.handler"),
		// Tab sends the handler (change) and moves on to the code path,
		// where typing starts at once.
		chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(2)),
		chromedp.KeyEvent("src/sender"),
		waitJS(`document.querySelector('[data-testid=saved]') !== null && document.querySelectorAll('.htmx-request').length === 0`),
	)
	if got := evalString(t, ctx, `document.activeElement.id + ' ' + document.activeElement.value`); got != "f-codePath src/sender" {
		t.Fatalf("after the save the focus and text are %q, want the code path field with what was typed", got)
	}
	if got := head(t, srv.store, s.ID).Function(fn).Handler; got != "main.handler" {
		t.Fatalf("the handler saved is %q", got)
	}
}
