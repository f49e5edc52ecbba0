package server_test

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// trickyEnv holds values a NAME=value textarea could not carry: line
// breaks of both kinds, edge spaces, '=' and '#', and non-ASCII text.
func trickyEnv() map[string]string {
	return map[string]string{
		"MULTI":   "line1\nline2=x",
		"SPACES":  "  padded  ",
		"EQUALS":  "a=b=c",
		"HASH":    "# not a comment",
		"CRLF":    "one\r\ntwo\r\n",
		"LEADNL":  "\nstarts with a line break",
		"UNICODE": "héllo ✓ 日本語",
		"EMPTY":   "",
		"NUL":     "a\x00b",
		"CR":      "old\rmac",
		"TRAILNL": "ends with a line break\n",
	}
}

// TestBrowserEnvironmentRows edits environment variables in Chromium: a
// save of another field leaves every value byte-identical, a variable added
// as a row with a multi-line value survives a reload, and a row removed is
// gone. Before the rows, saving the memory split MULTI into MULTI=line1
// and an invented line2=x.
func TestBrowserEnvironmentRows(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	bg := context.Background()

	s, _ := model.Example("echo", "envs")
	s.Function("fn3").Environment = trickyEnv()
	s, err := srv.store.CreateStack(bg, s)
	if err != nil {
		t.Fatal(err)
	}
	fn := func() *model.Function {
		st, err := srv.store.Stack(bg, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		return st.Function("fn3")
	}
	canvas := srv.url + "/stacks/" + strconv.FormatInt(s.ID, 10)
	openPanel := chromedp.Tasks{
		chromedp.Click(`#node-fn3 .node-name`),
		chromedp.WaitVisible(`#f-memorySize`),
	}
	run(t, ctx, "open the function's panel",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(canvas),
		chromedp.WaitVisible(`.editor.ready #node-fn3`),
		openPanel,
	)

	// Save another field: the environment must not move by a byte.
	run(t, ctx, "change the memory",
		chromedp.SetValue(`#f-memorySize`, "512"),
		chromedp.Evaluate(`document.getElementById('f-memorySize').dispatchEvent(new Event('change', {bubbles: true}))`, nil),
	)
	waitFor(t, func() bool { return fn().MemorySize == 512 })
	if got := fn().Environment; !maps.Equal(got, trickyEnv()) {
		t.Fatalf("saving the memory changed the environment:\n got %q\nwant %q", got, trickyEnv())
	}
	screenshot(t, ctx, "1-memory-saved")

	// Add a variable: a new row, a name, and a value typed over lines.
	typed := "first line\nsecond = line # not a comment\n  indented "
	run(t, ctx, "add a row and name it",
		// The saved panel is swapped in after the store has the change.
		chromedp.WaitVisible(`[data-testid=saved]`),
		chromedp.Click(`[data-testid=env-add]`),
		waitJS(fmt.Sprintf(`document.querySelectorAll('[data-testid=env-row]').length === %d`, len(trickyEnv())+1)),
		chromedp.SendKeys(`[data-testid=env-row]:last-of-type input[name="env.name"]`, "NOTE"),
		chromedp.Evaluate(`document.querySelector('[data-testid=env-row]:last-of-type textarea').focus()`, nil),
	)
	waitFor(t, func() bool { _, ok := fn().Environment["NOTE"]; return ok })
	run(t, ctx, "type a multi-line value",
		// The saved row stands for NOTE now, and htmx gave the focus back
		// to the value field it had before the swap.
		waitJS(`document.querySelector('[data-testid=env-row]:last-of-type input[name="env.was"]').value === 'NOTE'`),
		waitJS(`document.activeElement && document.activeElement.id === document.querySelector('[data-testid=env-row]:last-of-type textarea').id`),
		chromedp.SendKeys(`[data-testid=env-row]:last-of-type textarea`, typed),
		chromedp.Evaluate(`document.activeElement.blur()`, nil),
	)
	waitFor(t, func() bool { return fn().Environment["NOTE"] == typed })
	want := trickyEnv()
	want["NOTE"] = typed
	if got := fn().Environment; !maps.Equal(got, want) {
		t.Fatalf("after adding NOTE:\n got %q\nwant %q", got, want)
	}

	// Reload: the row shows the value as typed.
	run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(`.editor.ready #node-fn3`), openPanel)
	shown := evalString(t, ctx, `[...document.querySelectorAll('[data-testid=env-row]')].find(r => r.querySelector('input').value === 'NOTE').querySelector('textarea').value`)
	if shown != typed {
		t.Fatalf("after a reload NOTE shows %q, want %q", shown, typed)
	}
	screenshot(t, ctx, "2-reloaded")

	// Remove a row: that variable goes, the others stay as they were.
	run(t, ctx, "remove EQUALS",
		chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=env-row]')].find(r => r.querySelector('input').value === 'EQUALS').querySelector('[data-testid=env-remove]').click()`, nil),
	)
	delete(want, "EQUALS")
	waitFor(t, func() bool { _, ok := fn().Environment["EQUALS"]; return !ok })
	if got := fn().Environment; !maps.Equal(got, want) {
		t.Fatalf("after removing EQUALS:\n got %q\nwant %q", got, want)
	}
	if n := evalString(t, ctx, `String(document.querySelectorAll('[data-testid=env-row]').length)`); n != fmt.Sprint(len(want)) {
		t.Fatalf("the panel shows %s rows, want %d", n, len(want))
	}
}
