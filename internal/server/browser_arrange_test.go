package server_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// positions maps each node of a stack to where it is.
func positions(s *model.Stack) map[string]model.Position {
	out := map[string]model.Position{}
	for _, n := range s.Nodes() {
		out[n.ID] = n.Position
	}
	return out
}

// checkLaidOut fails unless no two nodes overlap and every wire runs left
// to right, but for those into an API (send, authorizer), which run back.
func checkLaidOut(tb testing.TB, s *model.Stack) {
	tb.Helper()
	nodes := s.Nodes()
	for i, a := range nodes {
		for _, b := range nodes[i+1:] {
			ah, bh := web.NodeHeight(s, a), web.NodeHeight(s, b)
			if a.Position.X < b.Position.X+web.NodeWidth && b.Position.X < a.Position.X+web.NodeWidth &&
				a.Position.Y < b.Position.Y+bh && b.Position.Y < a.Position.Y+ah {
				tb.Errorf("%s at %v overlaps %s at %v", a.Name, a.Position, b.Name, b.Position)
			}
		}
	}
	x := map[string]float64{}
	for _, n := range nodes {
		x[n.ID] = n.Position.X
	}
	for _, a := range s.APIs {
		for _, r := range a.Routes {
			x[r.ID] = a.Position.X
		}
	}
	for _, w := range s.Wires {
		from, to := x[w.From], x[w.To]
		if w.Kind == model.WireSend || w.Kind == model.WireAuthorizer {
			from, to = to, from
		}
		if from >= to {
			tb.Errorf("wire %s (%s) runs right to left: %v → %v", w.ID, w.Kind, from, to)
		}
	}
}

// TestBrowserArrange: Arrange lays a jumbled stack out in layers with no
// overlap, saved as one revision that one Undo takes back; an imported
// stack, whose nodes all stand at the origin, is arranged the same way when
// first opened.
func TestBrowserArrange(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	st := openChat(t, srv, ctx, "chat", func(s *model.Stack) {
		// Jumbled: every node on top of the last, a little lower.
		for i, n := range s.Nodes() {
			n.Position = model.Position{X: float64(300 - 40*i), Y: float64(100 + 15*i)}
		}
	})
	jumbled := positions(st)
	next := strconv.FormatInt(st.Revision+1, 10)
	run(t, ctx, "arrange",
		chromedp.Click(`[data-testid=arrange]`),
		waitJS(`document.querySelector('#editor').dataset.revision === '`+next+`'`),
		waitFrames(),
	)
	screenshot(t, ctx, "1-arranged")
	arranged, err := srv.store.Stack(context.Background(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkLaidOut(t, arranged)
	laid := positions(arranged)
	for id, p := range laid {
		if got := evalString(t, ctx, `(() => { const n = document.getElementById('node-`+id+`'); return n.dataset.x + ',' + n.dataset.y })()`); got != strconv.FormatFloat(p.X, 'f', -1, 64)+","+strconv.FormatFloat(p.Y, 'f', -1, 64) {
			t.Errorf("the canvas shows %s at %s, the store at %v", id, got, p)
		}
	}

	run(t, ctx, "undo", chromedp.Click(`[data-testid=undo]`), waitJS(`document.querySelector('#editor').dataset.revision !== '`+next+`'`))
	undone, err := srv.store.Stack(context.Background(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	for id, p := range positions(undone) {
		if p != jumbled[id] {
			t.Errorf("one Undo must put %s back at %v; it is at %v", id, jumbled[id], p)
		}
	}

	// An import, opened: arranged on opening, as Arrange lays it out.
	data, err := os.ReadFile("../importer/testdata/cfn/chat.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Parse("chat.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	res.Stack.Name = "imported"
	imp, err := srv.store.CreateStack(context.Background(), res.Stack)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "open the import",
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(imp.ID, 10)),
		chromedp.WaitVisible(`.editor.ready`),
		waitJS(`document.querySelector('#editor').dataset.revision === '`+strconv.FormatInt(imp.Revision+1, 10)+`'`),
		waitFrames(),
	)
	screenshot(t, ctx, "2-imported")
	opened, err := srv.store.Stack(context.Background(), imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkLaidOut(t, opened)
	run(t, ctx, "arrange the import again",
		chromedp.Click(`[data-testid=arrange]`),
		// Nothing moves, so there may be no new revision: wait for the
		// layout and its save to finish.
		waitJS(`!document.querySelector('#editor').classList.contains('arranging')`),
	)
	again, err := srv.store.Stack(context.Background(), imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := positions(opened)
	for id, p := range positions(again) {
		if p != want[id] {
			t.Errorf("Arrange moved %s from %v (the layout on opening) to %v: an import must get Arrange's layout", id, want[id], p)
		}
	}
}
