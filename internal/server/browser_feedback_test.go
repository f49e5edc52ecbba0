package server_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// openChat creates the chat example as name and opens its canvas; it
// returns the stack as created.
func openChat(tb testing.TB, srv browserServer, ctx context.Context, name string) *model.Stack {
	tb.Helper()
	s, err := model.Example("chat", name)
	if err != nil {
		tb.Fatal(err)
	}
	s, err = srv.store.CreateStack(context.Background(), s)
	if err != nil {
		tb.Fatal(err)
	}
	run(tb, ctx, "open "+name,
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(s.ID, 10)),
		chromedp.WaitVisible(`.editor.ready`),
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
	return evalString(tb, ctx, fmt.Sprintf(`(() => { const b = document.querySelector('[data-action=%s]'); return b.disabled + ' | ' + (b.getAttribute('aria-label') || b.textContent.trim()) + ' | ' + b.title })()`, action))
}

// TestBrowserUndoNamesTheChange: Undo and Redo are disabled when there is
// nothing to do, name the change they would make, and a key press with
// nothing to redo does nothing, with no error (issue 14 item 8).
func TestBrowserUndoNamesTheChange(t *testing.T) {
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s := openChat(t, srv, ctx, "undo")
	fn := nodeNamed(t, s, "ConnectionHandler")

	if got, want := buttonState(t, ctx, "undo"), "true | ↶ Undo | Nothing to undo"; got != want {
		t.Fatalf("Undo on a new stack: %q, want %q", got, want)
	}
	if got, want := buttonState(t, ctx, "redo"), "true | ↷ Redo | Nothing to redo"; got != want {
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
	if got := buttonState(t, ctx, "undo"); got != "true | ↶ Undo | Nothing to undo" {
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
