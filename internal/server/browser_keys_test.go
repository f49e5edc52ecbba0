package server_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestBrowserKeyboard designs without a mouse: the palette creates a node
// at a free spot on Enter, arrows nudge the selection, Delete removes it
// after confirming, and a problem selects its resource. A wire is then
// selected by a click and deleted with the Delete key.
func TestBrowserKeyboard(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s, err := srv.store.CreateStack(context.Background(), &model.Stack{Name: "keys"})
	if err != nil {
		t.Fatal(err)
	}
	url := srv.url + "/stacks/" + strconv.FormatInt(s.ID, 10)
	run(t, ctx, "open",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(url),
		chromedp.WaitVisible(`.editor.ready`),
	)
	run(t, ctx, "Enter on the palette adds a function",
		chromedp.Focus(`[data-testid=palette-function]`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`#node-fn1.selected`),
		chromedp.WaitVisible(`[data-testid=node-panel]`),
	)
	x0 := head(t, srv.store, s.ID).Function("fn1").Position.X
	run(t, ctx, "arrows nudge it",
		chromedp.Focus(`#node-fn1`),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.KeyEvent(kb.ArrowDown),
		waitJS(`document.querySelector('#node-fn1').dataset.x === '`+strconv.Itoa(int(x0)+20)+`'`),
	)
	waitFor(t, func() bool { return head(t, srv.store, s.ID).Function("fn1").Position.X == x0+20 })

	run(t, ctx, "Delete removes it",
		chromedp.Focus(`#node-fn1`),
		chromedp.KeyEvent(kb.Delete),
		waitJS(`!document.getElementById('node-fn1')`),
	)
	if len(head(t, srv.store, s.ID).Functions) != 0 {
		t.Fatal("the function is still in the stack")
	}

	run(t, ctx, "a problem selects its resource",
		chromedp.Focus(`[data-testid=palette-api]`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`#nodes .node-api`),
		chromedp.Click(`[data-testid=tab-problems]`),
		chromedp.WaitVisible(`[data-testid=problem][data-select^="node-api"]`),
		chromedp.Click(`[data-testid=problem][data-select^="node-api"]`),
		chromedp.WaitVisible(`#nodes .node-api.selected`),
		chromedp.WaitVisible(`#f-newRoute`),
	)

	// A wire, selected by clicking its curve and deleted with the key.
	echo, _ := model.Example("echo", "echo")
	e, err := srv.store.CreateStack(context.Background(), echo)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "open echo",
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(e.ID, 10)),
		chromedp.WaitVisible(`.editor.ready #wire-w4`),
	)
	var mid []float64
	run(t, ctx, "find the wire", chromedp.Evaluate(`(() => { const p = document.querySelector('#wire-w4 .wire-hit'); const m = p.getScreenCTM(); const q = p.getPointAtLength(p.getTotalLength() / 2); return [q.x * m.a + m.e, q.y * m.d + m.f] })()`, &mid))
	run(t, ctx, "select and delete the wire",
		chromedp.MouseClickXY(mid[0], mid[1]),
		chromedp.WaitVisible(`#wire-w4.selected`),
		chromedp.WaitVisible(`[data-testid=wire-panel]`),
		chromedp.KeyEvent(kb.Delete),
		waitJS(`!document.getElementById('wire-w4')`),
	)
	if len(head(t, srv.store, e.ID).Wires) != 0 {
		t.Fatal("the wire is still in the stack")
	}
	screenshot(t, ctx, "keyboard")
}
