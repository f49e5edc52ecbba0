package server_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// dragWith is drag with modifier keys held (shift for a box-select).
func dragWith(mod input.Modifier, x1, y1, x2, y2 float64) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		if err := chromedp.MouseEvent(input.MouseMoved, x1, y1, chromedp.ButtonModifiers(mod)).Do(ctx); err != nil {
			return err
		}
		if err := chromedp.MouseEvent(input.MousePressed, x1, y1, chromedp.ButtonType(input.Left), chromedp.ClickCount(1), chromedp.ButtonModifiers(mod)).Do(ctx); err != nil {
			return err
		}
		const steps = 10
		for i := 1; i <= steps; i++ {
			x := x1 + (x2-x1)*float64(i)/steps
			y := y1 + (y2-y1)*float64(i)/steps
			if err := chromedp.MouseEvent(input.MouseMoved, x, y, chromedp.ButtonType(input.Left), chromedp.ButtonModifiers(mod)).Do(ctx); err != nil {
				return err
			}
			time.Sleep(10 * time.Millisecond)
		}
		return chromedp.MouseEvent(input.MouseReleased, x2, y2, chromedp.ButtonType(input.Left), chromedp.ClickCount(1), chromedp.ButtonModifiers(mod)).Do(ctx)
	})
}

// awaitPromise makes Evaluate wait for the promise the expression returns.
func awaitPromise(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams {
	return p.WithAwaitPromise(true)
}

// key presses a key with modifiers, as a hand on a keyboard would.
func key(k string, mods ...input.Modifier) chromedp.Action {
	var m input.Modifier
	for _, x := range mods {
		m |= x
	}
	return chromedp.KeyEvent(k, chromedp.KeyModifiers(m))
}

func openStack(t *testing.T, ctx context.Context, srv browserServer, id int64) {
	t.Helper()
	run(t, ctx, "open the canvas",
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(id, 10)),
		chromedp.WaitVisible(`.editor.ready`),
		chromedp.Click(`[data-testid=fit]`), waitViewStill(),
	)
}

// TestBrowserSelectMany: shift-click and a shift-drag box select several
// nodes; dragging one moves them all, Ctrl+D duplicates and Delete removes
// them, each one revision; the context menu, by pointer and by keyboard,
// does the same.
func TestBrowserSelectMany(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	chat, _ := model.Example("chat", "chat")
	s, err := srv.store.CreateStack(context.Background(), chat)
	if err != nil {
		t.Fatal(err)
	}
	openStack(t, ctx, srv, s.ID)

	x6, y6 := center(t, ctx, `#node-fn6 .node-name`)
	x7, y7 := center(t, ctx, `#node-fn7 .node-name`)
	run(t, ctx, "shift-click selects two functions",
		chromedp.MouseClickXY(x6, y6),
		chromedp.WaitVisible(`#node-fn6.selected`),
		chromedp.MouseClickXY(x7, y7, chromedp.ButtonModifiers(input.ModifierShift)),
		waitJS(`document.querySelectorAll('#nodes .node.selected').length === 2`),
		chromedp.MouseClickXY(x7, y7, chromedp.ButtonModifiers(input.ModifierShift)),
		waitJS(`document.querySelectorAll('#nodes .node.selected').length === 1`),
	)

	// A box from the viewport's corner over every node.
	var vp []float64
	run(t, ctx, "viewport", chromedp.Evaluate(`(() => { const r = document.getElementById('viewport').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom] })()`, &vp))
	run(t, ctx, "shift-drag a box over every node",
		dragWith(input.ModifierShift, vp[0]+6, vp[1]+6, vp[2]-6, vp[3]-6),
		waitJS(`document.querySelectorAll('#nodes .node.selected').length === 5`),
		waitJS(`document.getElementById('announcer').textContent === 'Selected 5 resources.'`),
		waitJS(`document.querySelector('[data-testid=many-panel]')?.textContent.includes('5 selected.')`),
	)
	screenshot(t, ctx, "box-selected")

	// Arrows nudge the whole selection, saved as one revision.
	nudged := head(t, srv.store, s.ID)
	run(t, ctx, "arrows nudge every selected node", key(kb.ArrowDown), key(kb.ArrowDown))
	waitFor(t, func() bool { return head(t, srv.store, s.ID).Revision == nudged.Revision+1 })
	for _, n := range head(t, srv.store, s.ID).Nodes() {
		b, _ := nudged.Node(n.ID)
		if n.Position.Y-b.Position.Y != 20 {
			t.Errorf("%s was nudged %v px, want 20 like the others", n.Name, n.Position.Y-b.Position.Y)
		}
	}

	before := head(t, srv.store, s.ID)
	x8, y8 := center(t, ctx, `#node-fn8 .node-name`)
	run(t, ctx, "drag one selected node", drag(x8, y8, x8+80, y8+40), waitJS(`document.querySelectorAll('#nodes .node.selected').length === 5`))
	waitFor(t, func() bool { return head(t, srv.store, s.ID).Revision == before.Revision+1 })
	after := head(t, srv.store, s.ID)
	dx := after.Function("fn6").Position.X - before.Function("fn6").Position.X
	if dx <= 0 {
		t.Fatalf("fn6 did not move with fn8: dx %v", dx)
	}
	for _, n := range after.Nodes() {
		b, _ := before.Node(n.ID)
		if n.Position.X-b.Position.X != dx {
			t.Errorf("%s moved by %v, want %v like the others", n.Name, n.Position.X-b.Position.X, dx)
		}
	}

	run(t, ctx, "Ctrl+D duplicates the selection and selects the copies",
		chromedp.Focus(`#node-fn8`),
		key("d", input.ModifierCtrl),
		waitJS(`document.querySelectorAll('#nodes .node').length === 10`),
		waitJS(`document.querySelectorAll('#nodes .node.selected').length === 5 && !document.getElementById('node-fn8').classList.contains('selected')`),
	)
	dup := head(t, srv.store, s.ID)
	if dup.Revision != after.Revision+1 || dup.Function("fn6") == nil || len(dup.Wires) != 2*len(after.Wires) {
		t.Fatalf("duplicate: revision %d (want %d), %d wires (want %d)", dup.Revision, after.Revision+1, len(dup.Wires), 2*len(after.Wires))
	}
	run(t, ctx, "Delete removes the copies",
		key(kb.Delete),
		waitJS(`document.querySelectorAll('#nodes .node').length === 5`),
	)
	if d := head(t, srv.store, s.ID); d.Revision != dup.Revision+1 || len(d.Nodes()) != 5 {
		t.Fatalf("delete: revision %d, %d nodes", d.Revision, len(d.Nodes()))
	}

	// The context menu: right-click a node, arrow to Duplicate, Enter.
	run(t, ctx, "fit", chromedp.Click(`[data-testid=fit]`), waitViewStill())
	x9, y9 := center(t, ctx, `#node-tbl9 .node-name`)
	run(t, ctx, "right-click opens the menu on the node",
		chromedp.MouseClickXY(x9, y9, chromedp.ButtonType(input.Right)),
		chromedp.WaitVisible(`[data-testid=canvas-menu]`),
		waitJS(`document.activeElement.dataset.menu === 'copy'`),
		waitJS(`document.getElementById('node-tbl9').classList.contains('selected')`),
		key(kb.ArrowDown), key(kb.ArrowDown),
		waitJS(`document.activeElement.dataset.menu === 'duplicate'`),
		key(kb.Enter),
		waitJS(`[...document.querySelectorAll('#nodes .node')].some((n) => n.dataset.name === 'Connections2')`),
	)
	screenshot(t, ctx, "menu-duplicated")
	run(t, ctx, "Shift+F10 opens it from the keyboard; Escape closes it and gives the focus back",
		chromedp.Focus(`#node-fn6`),
		key(kb.F10, input.ModifierShift),
		chromedp.WaitVisible(`[data-testid=canvas-menu]`),
		key(kb.Escape),
		waitJS(`document.getElementById('canvas-menu').hidden && document.activeElement.id === 'node-fn6'`),
	)

	// Copy and paste from the menu, without the system clipboard (this
	// browser was not allowed it): the copy is kept in the page's storage,
	// and the paste lands where the menu was opened.
	x6, y6 = center(t, ctx, `#node-fn6 .node-name`)
	run(t, ctx, "Copy from the menu",
		chromedp.MouseClickXY(x6, y6, chromedp.ButtonType(input.Right)),
		waitJS(`document.activeElement.dataset.menu === 'copy'`),
		key(kb.Enter),
		waitJS(`document.getElementById('announcer').textContent === 'Copied ConnectionHandler.'`),
	)
	px, py := vp[0]+60, vp[3]-120
	run(t, ctx, "Paste from the menu opened on the background",
		chromedp.MouseClickXY(px, py, chromedp.ButtonType(input.Right)),
		chromedp.WaitVisible(`[data-testid=canvas-menu]`),
		chromedp.Click(`[data-testid=menu-paste]`),
		waitJS(`[...document.querySelectorAll('#nodes .node')].some((n) => n.dataset.name === 'ConnectionHandler2')`),
	)
	var at []float64
	run(t, ctx, "where it landed", chromedp.Evaluate(`(() => { const n = [...document.querySelectorAll('#nodes .node')].find((n) => n.dataset.name === 'ConnectionHandler2'); const r = n.getBoundingClientRect(); return [r.left, r.top] })()`, &at))
	if math.Abs(at[0]-px) > 2 || math.Abs(at[1]-py) > 2 {
		t.Errorf("the paste landed at %v, want its top left where the menu was opened (%v, %v)", at, px, py)
	}
	screenshot(t, ctx, "pasted-at-pointer")
}

// TestBrowserCopyPaste copies nodes from one stack and pastes them into
// another through the system clipboard, and refuses a hostile clipboard
// with a message.
func TestBrowserCopyPaste(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	run(t, ctx, "let the page use the clipboard", testtool.GrantPermissions(ctx, browser.PermissionTypeClipboardReadWrite, browser.PermissionTypeClipboardSanitizedWrite))
	chat, _ := model.Example("chat", "chat")
	src, err := srv.store.CreateStack(context.Background(), chat)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := srv.store.CreateStack(context.Background(), &model.Stack{Name: "blank"})
	if err != nil {
		t.Fatal(err)
	}
	openStack(t, ctx, srv, src.ID)
	x8, y8 := center(t, ctx, `#node-fn8 .node-name`)
	x9, y9 := center(t, ctx, `#node-tbl9 .node-name`)
	run(t, ctx, "select SendHandler and Connections, copy",
		chromedp.MouseClickXY(x8, y8),
		chromedp.MouseClickXY(x9, y9, chromedp.ButtonModifiers(input.ModifierShift)),
		waitJS(`document.querySelectorAll('#nodes .node.selected').length === 2`),
		key("c", input.ModifierCtrl),
		waitJS(`document.getElementById('announcer').textContent === 'Copied 2 resources.'`),
	)
	var clip string
	run(t, ctx, "read the system clipboard", chromedp.Evaluate(`navigator.clipboard.readText()`, &clip, awaitPromise))
	if !strings.Contains(clip, `"format":"switchboard.fragment"`) {
		t.Fatalf("the clipboard holds %q, want a fragment", clip)
	}

	openStack(t, ctx, srv, dst.ID)
	var vp []float64
	run(t, ctx, "viewport", chromedp.Evaluate(`(() => { const r = document.getElementById('viewport').getBoundingClientRect(); return [r.left, r.top] })()`, &vp))
	run(t, ctx, "paste into the blank stack",
		chromedp.MouseClickXY(vp[0]+20, vp[1]+20),
		key("v", input.ModifierCtrl),
		waitJS(`document.querySelectorAll('#nodes .node.selected').length === 2`),
		waitJS(`document.getElementById('announcer').textContent === 'Pasted 2 resources.'`),
	)
	h := head(t, srv.store, dst.ID)
	if len(h.Functions) != 1 || h.Functions[0].Name != "SendHandler" || len(h.Tables) != 1 || len(h.Wires) != 1 {
		t.Fatalf("pasted: %d functions, %d tables, %d wires", len(h.Functions), len(h.Tables), len(h.Wires))
	}
	screenshot(t, ctx, "pasted")

	// What another page put on the clipboard: refused with a message,
	// nothing saved.
	allowConsoleErrors(t, "/paste") // the refused paste's 422
	run(t, ctx, "a hostile clipboard is refused",
		chromedp.Evaluate(`navigator.clipboard.writeText('{"format":"switchboard.fragment","version":1,"stack":{"name":"x","functions":[{"id":"f","name":"<img src=x onerror=alert(1)>"}]}}')`, nil, awaitPromise),
		chromedp.MouseClickXY(vp[0]+20, vp[1]+20),
		key("v", input.ModifierCtrl),
		chromedp.WaitVisible(`.toast-error`),
	)
	if h2 := head(t, srv.store, dst.ID); h2.Revision != h.Revision {
		t.Fatalf("the hostile paste changed the stack to revision %d", h2.Revision)
	}
}
