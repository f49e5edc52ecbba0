package server_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// liveServer is the real server over a SQLite file whose path a second
// Store (another process's writes) can open.
func liveServer(t testing.TB) (browserServer, string) {
	t.Helper()
	path := storetest.Path(t, "live.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{Addr: "127.0.0.1:0", Store: st, Logger: testtool.Logger(t)})
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Close(context.Background())
		st.Close()
	})
	return browserServer{url: srv.URL(), store: st}, path
}

// typeInto replaces a field's text by typing, as a user who selected it
// all would.
func typeInto(sel, text string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Focus(sel),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).select()`, sel), nil),
		chromedp.SendKeys(sel, text),
	}
}

// openCanvas opens the canvas in a tab and waits for it to be live.
func openCanvas(t *testing.T, tab context.Context, url string) {
	t.Helper()
	run(t, tab, "open the canvas", page.BringToFront(), chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(url), chromedp.WaitVisible(`.editor.ready #nodes .node-function`))
}

// TestBrowserLiveViews: three tabs on one stack. Each sees the others
// (presence), changes from any tab and from another process show in the
// others, edits of different fields made on an older revision both land,
// typed text survives another tab's save, and an edit of the same field
// shows both values to pick from.
func TestBrowserLiveViews(t *testing.T) {
	t.Parallel()
	srv, dbPath := liveServer(t)
	ctx := context.Background()
	ex, err := model.Example("chat", "live")
	if err != nil {
		t.Fatal(err)
	}
	created, err := srv.store.CreateStack(ctx, ex)
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("%s/stacks/%d", srv.url, created.ID)
	tab1, newTab := newBrowser(t)
	tab2, tab3 := newTab(), newTab()
	openCanvas(t, tab1, url)
	openCanvas(t, tab2, url)
	openCanvas(t, tab3, url)

	// Presence: each tab counts the two others; a selection in tab 2 is
	// outlined in tab 1.
	run(t, tab3, "tab 3 sees two other views", waitJS(`document.querySelector('[data-testid=presence]').textContent === '2 other views'`))
	run(t, tab2, "select fn6 in tab 2", page.BringToFront(), chromedp.Click(`#node-fn6 .node-name`),
		chromedp.WaitVisible(`[data-testid=node-panel] #f-memorySize`))
	run(t, tab1, "tab 1 outlines tab 2's selection", page.BringToFront(),
		waitJS(`document.querySelector('[data-testid=presence]').textContent === '2 other views'`),
		waitJS(`document.getElementById('node-fn6').classList.contains('peer-selected')`))

	// Typed text survives, and different fields both land: tab 1 types a
	// memory size into fn6's form; meanwhile tab 2 saves fn6's timeout.
	run(t, tab1, "tab 1 types into fn6's memory", chromedp.Click(`#node-fn6 .node-name`),
		chromedp.WaitVisible(`[data-testid=node-panel] #f-memorySize`),
		typeInto(`#f-memorySize`, "1024"))
	run(t, tab2, "tab 2 saves fn6's timeout", page.BringToFront(),
		typeInto(`#f-timeout`, "42\t"),
		waitJS(`document.querySelector('[data-testid=saved]') !== null`))
	headAfter := func() *model.Stack {
		st, err := srv.store.Stack(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	waitFor(t, func() bool { return headAfter().Function("fn6").Timeout == 42 })
	run(t, tab3, "tab 3 shows tab 2's save", page.BringToFront(),
		waitJS(fmt.Sprintf(`document.getElementById('editor').dataset.revision === '%d'`, headAfter().Revision)))
	run(t, tab1, "tab 1 kept what it typed, then saves it", page.BringToFront(),
		waitJS(fmt.Sprintf(`document.getElementById('editor').dataset.revision === '%d'`, headAfter().Revision)),
		waitJS(`document.getElementById('f-memorySize').value === '1024'`),
		chromedp.Focus(`#f-memorySize`), chromedp.SendKeys(`#f-memorySize`, "\t"),
		waitJS(`document.querySelector('[data-testid=saved]') !== null`))
	waitFor(t, func() bool { f := headAfter().Function("fn6"); return f.MemorySize == 1024 && f.Timeout == 42 })

	// The same field: tab 1 types a timeout while tab 2 saves another.
	run(t, tab1, "tab 1 types a timeout", typeInto(`#f-timeout`, "77"))
	run(t, tab2, "tab 2 saves a timeout", page.BringToFront(),
		waitJS(`document.getElementById('f-memorySize').value === '1024'`),
		typeInto(`#f-timeout`, "55\t"))
	waitFor(t, func() bool { return headAfter().Function("fn6").Timeout == 55 })
	allowConsoleErrors(t, "the server responded with a status of 409 (Conflict) "+url+"/nodes/fn6")
	run(t, tab1, "tab 1 sees both values", page.BringToFront(),
		chromedp.Focus(`#f-timeout`), chromedp.SendKeys(`#f-timeout`, "\t"),
		chromedp.WaitVisible(`[data-testid=conflict-panel]`),
		waitJS(`document.querySelector('[data-testid=conflict-mine]').textContent === '77'`),
		waitJS(`document.querySelector('[data-testid=conflict-theirs]').textContent === '55'`))
	screenshot(t, tab1, "conflict")
	run(t, tab1, "keep mine", chromedp.Click(`[data-testid=keep-mine]`),
		chromedp.WaitNotPresent(`[data-testid=conflict-panel]`),
		waitJS(`document.getElementById('f-timeout')?.value === '77'`))
	waitFor(t, func() bool { return headAfter().Function("fn6").Timeout == 77 })
	run(t, tab2, "tab 2 shows the kept value", page.BringToFront(),
		waitJS(fmt.Sprintf(`document.getElementById('editor').dataset.revision === '%d'`, headAfter().Revision)),
		waitJS(`document.getElementById('f-timeout').value === '77'`))

	// Another process writes the file: every tab shows it, and tab 1
	// keeps its zoom and scroll.
	view := `document.getElementById('world').style.transform + ' ' + document.getElementById('viewport').scrollLeft + ' ' + document.querySelector('[data-zoom]').textContent`
	run(t, tab1, "zoom in tab 1", page.BringToFront(), chromedp.Click(`[data-action=zoom-in]`), waitViewStill())
	zoomed := evalString(t, tab1, view)
	other, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	head := headAfter()
	if _, _, err := other.Edit(ctx, created.ID, head.Revision, func(st *model.Stack) error {
		st.Table("tbl9").Name = "Members"
		st.Function("fn8").Position = model.Position{X: 900, Y: 600}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, tab := range []context.Context{tab1, tab2, tab3} {
		run(t, tab, fmt.Sprintf("tab %d shows the other process's edit", i+1), page.BringToFront(),
			waitJS(`document.querySelector('#node-tbl9 .node-name').textContent.includes('Members')`),
			waitJS(`document.getElementById('node-fn8').dataset.x === '900'`))
	}
	// Tab 1 still has fn6 selected, and its zoom.
	run(t, tab1, "tab 1 kept its selection", waitJS(`document.getElementById('node-fn6').classList.contains('selected')`))
	if got := evalString(t, tab1, view); got != zoomed {
		t.Errorf("tab 1's view moved: %q, was %q", got, zoomed)
	}
}

// TestBrowserDragConflict: another process moves a node while the user is
// dragging it. The release does not snap back silently: the panel shows
// the dragged position beside the saved one, and Keep mine puts it there.
func TestBrowserDragConflict(t *testing.T) {
	t.Parallel()
	srv, dbPath := liveServer(t)
	ctx := context.Background()
	ex, err := model.Example("chat", "drag")
	if err != nil {
		t.Fatal(err)
	}
	created, err := srv.store.CreateStack(ctx, ex)
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("%s/stacks/%d", srv.url, created.ID)
	tab, _ := newBrowser(t)
	openCanvas(t, tab, url)
	x, y := center(t, tab, `#node-fn8 .node-name`)
	run(t, tab, "start dragging fn8",
		chromedp.MouseEvent(input.MouseMoved, x, y),
		chromedp.MouseEvent(input.MousePressed, x, y, chromedp.ButtonType(input.Left), chromedp.ClickCount(1)),
		chromedp.MouseEvent(input.MouseMoved, x+20, y+10, chromedp.ButtonType(input.Left)),
		chromedp.MouseEvent(input.MouseMoved, x+60, y+40, chromedp.ButtonType(input.Left)))

	other, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.MoveNode(ctx, created.ID, created.Revision, "fn8", model.Position{X: 900, Y: 600}); err != nil {
		t.Fatal(err)
	}
	allowConsoleErrors(t, "the server responded with a status of 409 (Conflict) "+url+"/nodes/fn8/move")
	run(t, tab, "release",
		chromedp.MouseEvent(input.MouseMoved, x+80, y+60, chromedp.ButtonType(input.Left)),
		chromedp.MouseEvent(input.MouseReleased, x+80, y+60, chromedp.ButtonType(input.Left), chromedp.ClickCount(1)),
		chromedp.WaitVisible(`[data-testid=conflict-panel]`),
		waitJS(`document.querySelector('[data-testid=conflict-theirs]').textContent === 'x 900, y 600'`))
	mine := evalString(t, tab, `document.querySelector('[data-testid=conflict-mine]').textContent`)
	screenshot(t, tab, "drag-conflict")
	run(t, tab, "keep the dragged position", chromedp.Click(`[data-testid=keep-mine]`))
	waitFor(t, func() bool {
		st, err := srv.store.Stack(ctx, created.ID)
		p := st.Function("fn8").Position
		return err == nil && fmt.Sprintf("x %v, y %v", p.X, p.Y) == mine && p != (model.Position{X: 900, Y: 600})
	})
	run(t, tab, "the canvas shows it", waitJS(fmt.Sprintf(`'x ' + document.getElementById('node-fn8').dataset.x + ', y ' + document.getElementById('node-fn8').dataset.y === %q`, mine)))
}
