package server_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserImport imports a hand-written template through the stacks
// page: a malformed paste shows its line and column and creates nothing;
// the file previews, creates the stack, and the canvas shows its other
// resources, which can be moved and deleted but not edited.
func TestBrowserImport(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	fixture, err := filepath.Abs("../importer/testdata/cfn/chat.yaml")
	if err != nil {
		t.Fatal(err)
	}

	// The malformed template is refused on purpose (422 with the form and
	// its error), and Chromium logs every 4xx answer.
	allowConsoleErrors(t, "the server responded with a status of 422 (Unprocessable Entity) "+srv.url+"/stacks/import")
	run(t, ctx, "paste a malformed template",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/"),
		chromedp.WaitVisible(`[data-testid=import-form]`),
		chromedp.Click(`.import-paste summary`),
		chromedp.SendKeys(`#import-source`, "Resources:\n  Q:\n    Type: !Reff X\n"),
		chromedp.Click(`[data-testid=import-submit]`),
		chromedp.WaitVisible(`[data-testid=import-error]`),
	)
	if msg := evalString(t, ctx, `document.querySelector('[data-testid=import-error]').textContent`); !strings.Contains(msg, "pasted template:3:11") || !strings.Contains(msg, "unknown tag !Reff") {
		t.Fatalf("the error must name the line, column and tag; got %q", msg)
	}
	if stacks, _ := srv.store.Stacks(context.Background()); len(stacks) != 0 {
		t.Fatalf("a malformed import created %d stacks", len(stacks))
	}

	run(t, ctx, "preview the file",
		chromedp.Navigate(srv.url+"/"),
		chromedp.WaitVisible(`#import-file`),
		chromedp.SetUploadFiles(`#import-file`, []string{fixture}),
		chromedp.Click(`[data-testid=import-submit]`),
		chromedp.WaitVisible(`[data-testid=import-preview]`),
	)
	preview := evalString(t, ctx, `document.querySelector('[data-testid=import-preview]').innerText`)
	for _, want := range []string{"ChatApi", "ConnectFunction → Connections (read-write)", "queue AuditQueue", "1 parameter: Stage"} {
		if !strings.Contains(preview, want) {
			t.Fatalf("the preview lacks %q:\n%s", want, preview)
		}
	}
	screenshot(t, ctx, "1-preview")

	run(t, ctx, "create the stack",
		chromedp.Click(`[data-testid=import-create]`),
		chromedp.WaitVisible(`.editor.ready`),
		chromedp.WaitVisible(`#nodes .node-queue[data-name=AuditQueue]`),
		// The import left every node at the origin; opening it arranges
		// it (one revision) with the layout Arrange uses.
		waitJS(`document.querySelector('#editor').dataset.revision === '2'`),
		chromedp.Click(`[data-action=fit]`), waitViewStill(),
	)
	st, err := srv.store.StackByName(context.Background(), "chat")
	if err != nil {
		t.Fatal(err)
	}
	if n := evalString(t, ctx, `String(document.querySelectorAll('#nodes .node').length)`); n != "8" {
		t.Fatalf("the canvas shows %s nodes, want 8 (1 API, 3 functions, 1 table, 1 queue, 2 others)", n)
	}
	screenshot(t, ctx, "2-canvas")

	// The shared role is a resource Switchboard does not model.
	queue := st.Others[len(st.Others)-1]
	sel := `#node-` + queue.ID
	run(t, ctx, "select the role", chromedp.Click(sel+` .node-name`), chromedp.WaitVisible(`[data-testid=other-panel]`))
	// A generic node: its resource as written, edited as YAML.
	if got := evalString(t, ctx, `document.querySelector('[data-testid=other-resource]').value`); !strings.Contains(got, `PolicyName: worker`) {
		t.Fatalf("the panel shows the kept resource as YAML; got %q", got)
	}

	x, y := center(t, ctx, sel+` .node-name`)
	before := evalString(t, ctx, `document.querySelector('`+sel+`').dataset.x`)
	run(t, ctx, "move the queue", drag(x, y, x+60, y+90),
		waitJS(`document.querySelector('#editor').dataset.revision === '3'`))
	moved, err := srv.store.StackByName(context.Background(), "chat")
	if err != nil {
		t.Fatal(err)
	}
	if o := moved.Other(queue.ID); o == nil || o.Position == queue.Position {
		t.Fatalf("the move of the queue was not saved (was x %s)", before)
	}

	run(t, ctx, "delete the queue",
		chromedp.Click(`[data-testid=delete-node]`),
		chromedp.WaitNotPresent(sel),
	)
	after, err := srv.store.StackByName(context.Background(), "chat")
	if err != nil {
		t.Fatal(err)
	}
	if after.Other(queue.ID) != nil || len(after.Others) != 1 {
		t.Fatalf("the queue was not deleted: %d others", len(after.Others))
	}
}
