package server_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/importer"
)

// cursorAfter puts the editor's cursor just after the first occurrence of
// text, from the keyboard as a user would: a click into the editor, Ctrl+F,
// the text, Enter to find it, Escape and the right arrow.
func cursorAfter(tb testing.TB, ctx context.Context, text string) {
	tb.Helper()
	// A click in the middle of what the editor shows (its content is
	// taller than the screen).
	x, y := center(tb, ctx, `.template-code .cm-scroller`)
	run(tb, ctx, "find "+text+" in the editor",
		chromedp.MouseClickXY(x, y),
		chromedp.KeyEvent("f", chromedp.KeyModifiers(2)), // Ctrl+F
		chromedp.WaitVisible(`.template-code .cm-search input[name=search]`),
		waitJS(`document.activeElement.matches('.cm-search input[name=search]')`),
		chromedp.KeyEvent(text),
		chromedp.KeyEvent(kb.Enter),
		chromedp.KeyEvent(kb.Escape),
		chromedp.KeyEvent(kb.ArrowRight),
		waitJS(fmt.Sprintf(`(() => {
			const view = switchboardEditor.EditorView.findFromDOM(document.querySelector('.template-code .cm-editor'))
			const doc = view.state.doc.toString()
			return view.hasFocus && view.state.selection.main.empty && view.state.selection.main.head === doc.indexOf(%[1]q) + %[1]q.length
		})()`, text)),
	)
}

// editorText is the Template tab editor's whole text.
const editorText = `switchboardEditor.EditorView.findFromDOM(document.querySelector('.template-code .cm-editor')).state.doc.toString()`

// TestBrowserTemplateEditMovesTheCanvas types into the Template tab's
// editor with the keyboard: a route key edited there and applied is one
// revision, the canvas shows the new route in place, and the template
// shows the stack's export again (issue 15 item 4).
func TestBrowserTemplateEditMovesTheCanvas(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s := openChat(t, srv, ctx, "tpl-edit", nil)
	run(t, ctx, "show the Template tab",
		chromedp.Click(`[data-testid=tab-template]`),
		chromedp.WaitVisible(`.template-code .cm-content`),
		waitJS(`document.querySelector('.template-code .tok-propertyName') !== null`),
	)
	cursorAfter(t, ctx, "RouteKey: sendMessage")
	run(t, ctx, "type into the template and apply with Ctrl+Enter",
		chromedp.KeyEvent("s"),
		waitJS(`!document.querySelector('[data-testid=template-apply]').disabled`),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(2)), // Ctrl+Enter
		waitJS(`[...document.querySelectorAll('#nodes .route-key')].some((k) => k.textContent === 'sendMessages')`),
		waitJS(`document.querySelector('[data-testid=template-apply]').disabled`),
		waitJS(`document.querySelector('[data-testid=template-edit-state]').textContent === 'Applied.'`),
	)
	screenshot(t, ctx, "applied")
	got := head(t, srv.store, s.ID)
	if got.Revision != s.Revision+1 {
		t.Errorf("the stack is at revision %d, want one revision after %d", got.Revision, s.Revision)
	}
	var keys []string
	for _, a := range got.APIs {
		for _, r := range a.Routes {
			keys = append(keys, r.Key)
		}
	}
	if !strings.Contains(strings.Join(keys, " "), "sendMessages") {
		t.Errorf("the saved routes are %v", keys)
	}
	for _, n := range s.Nodes() {
		after, ok := got.Node(n.ID)
		if !ok || after.Position != n.Position {
			t.Errorf("node %s (%s) was lost or moved by the edit", n.Name, n.ID)
		}
	}
	if steps := evalString(t, ctx, `document.querySelector('[data-testid=undo]')?.title || ''`); !strings.Contains(strings.ToLower(steps), "edit the template") {
		t.Errorf("Undo says %q, want it to name the template edit", steps)
	}
}

// TestBrowserTemplateProblemSurvivesReload: text that cannot be applied is
// not, shows its problem marked at its line, and is still there, with the
// problem, after a reload; Discard brings back the stack's template.
func TestBrowserTemplateProblemSurvivesReload(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	// The refused apply is answered 422, which the browser logs.
	allowConsoleErrors(t, "422")
	s := openChat(t, srv, ctx, "tpl-bad", nil)
	run(t, ctx, "show the Template tab",
		chromedp.Click(`[data-testid=tab-template]`),
		chromedp.WaitVisible(`.template-code .cm-content`),
	)
	cursorAfter(t, ctx, "RouteKey: sendMessage")
	run(t, ctx, "break the YAML and apply",
		chromedp.KeyEvent(":"),
		chromedp.KeyEvent(" "),
		chromedp.KeyEvent("x"),
		chromedp.Click(`[data-testid=template-apply]`),
		chromedp.WaitVisible(`[data-testid=template-edit-problem]`),
		chromedp.WaitVisible(`.template-code .cm-lintRange-error`),
	)
	problem := evalString(t, ctx, `document.querySelector('[data-testid=template-edit-problem]').textContent`)
	if !strings.HasPrefix(problem, "Line ") {
		t.Errorf("the problem reads %q, want it to say its line", problem)
	}
	typed := evalString(t, ctx, editorText)
	if !strings.Contains(typed, "RouteKey: sendMessage: x") {
		t.Fatalf("the editor does not hold the typed text")
	}
	if got := head(t, srv.store, s.ID); got.Revision != s.Revision {
		t.Fatalf("the invalid text was applied: revision %d", got.Revision)
	}
	screenshot(t, ctx, "problem")
	run(t, ctx, "reload",
		chromedp.Reload(),
		chromedp.WaitVisible(`.editor.ready`),
		chromedp.Click(`[data-testid=tab-template]`),
		chromedp.WaitVisible(`.template-code .cm-content`),
		chromedp.WaitVisible(`[data-testid=template-edit-problem]`),
		chromedp.WaitVisible(`.template-code .cm-lintRange-error`),
		waitJS(`!document.querySelector('[data-testid=template-apply]').disabled`),
	)
	if got := evalString(t, ctx, editorText); got != typed {
		t.Fatalf("after the reload the editor holds other text")
	}
	run(t, ctx, "discard",
		chromedp.Click(`[data-testid=template-discard]`),
		waitJS(`document.querySelector('[data-testid=template-edit-problems]').hidden`),
	)
	if got := evalString(t, ctx, editorText); strings.Contains(got, "sendMessage: x") || !strings.Contains(got, "RouteKey: sendMessage") {
		t.Fatalf("Discard left the typed text")
	}
}

// TestBrowserKeptResourceIsEditedInTheTemplate: a resource Switchboard
// keeps as written (an SQS queue of an imported template) is edited in the
// Template tab: its panel's button puts the cursor on it, and a property
// typed there and applied is saved, the queue keeping its node.
func TestBrowserKeptResourceIsEditedInTheTemplate(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	data, err := os.ReadFile("../export/testdata/kept.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Queues and streams are modelled now; a log group of no function is
	// kept as written.
	data = bytes.Replace(data, []byte("Type: AWS::SQS::Queue"), []byte("Type: AWS::Logs::LogGroup"), 1)
	data = bytes.Replace(data, []byte("MessageRetentionPeriod: 1209600"), []byte("RetentionInDays: 168"), 1)
	res, err := importer.Parse("kept.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	res.Stack.Name = "kept"
	s, err := srv.store.CreateStack(context.Background(), res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	queue := nodeNamed(t, s, "AuditQueue")
	run(t, ctx, "open the stack",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/stacks/kept"),
		chromedp.WaitVisible(`.editor.ready`),
	)
	x, y := center(t, ctx, `#node-`+queue+` .node-name`)
	run(t, ctx, "select the log group and ask to edit it in the template",
		chromedp.MouseClickXY(x, y),
		chromedp.WaitVisible(`[data-testid=other-panel]`),
		chromedp.Click(`[data-testid=edit-in-template]`, chromedp.NodeVisible),
		chromedp.WaitVisible(`.template-code .cm-content`),
		waitJS(`(() => {
			const view = switchboardEditor.EditorView.findFromDOM(document.querySelector('.template-code .cm-editor'))
			return view.hasFocus && view.state.doc.lineAt(view.state.selection.main.head).text === '  AuditQueue:'
		})()`),
	)
	cursorAfter(t, ctx, "RetentionInDays: 168")
	run(t, ctx, "shorten the retention and apply",
		chromedp.KeyEvent(kb.Backspace),
		chromedp.KeyEvent(kb.Backspace),
		chromedp.KeyEvent(kb.Backspace),
		chromedp.KeyEvent("24"),
		chromedp.Click(`[data-testid=template-apply]`),
		waitJS(`document.querySelector('[data-testid=template-apply]').disabled`),
	)
	got := head(t, srv.store, s.ID)
	var resource string
	for _, o := range got.Others {
		if o.ID == queue {
			resource = string(o.Resource)
		}
	}
	if !strings.Contains(resource, `"RetentionInDays":24`) {
		t.Fatalf("the log group is %s", resource)
	}
}
