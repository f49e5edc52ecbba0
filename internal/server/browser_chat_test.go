package server_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestBrowserScreenshotChat opens the chat example, arranges it (as an
// import would be laid out), fits it to the view and selects SendHandler,
// whose panel and wires show. With SWITCHBOARD_UPDATE_SCREENSHOT=1 it
// writes docs/screenshot-chat.png for the README.
func TestBrowserScreenshotChat(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	chat, _ := model.Example("chat", "chat")
	st, err := srv.store.CreateStack(context.Background(), chat)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "open the chat canvas",
		chromedp.EmulateViewport(1440, 860),
		chromedp.Navigate(srv.url+"/stacks/chat"),
		chromedp.WaitVisible(`.editor.ready #node-api1`),
		chromedp.Click(`[data-testid=arrange]`),
		waitJS(`document.querySelector('#editor').dataset.revision === '2'`),
		chromedp.Click(`[data-action=fit]`), waitViewStill(),
		chromedp.Click(`#node-fn8 .node-name`),
		chromedp.WaitVisible(`[data-testid=node-panel]`),
		chromedp.Sleep(300*time.Millisecond),
	)
	_ = st
	screenshot(t, ctx, "chat")
	if os.Getenv("SWITCHBOARD_UPDATE_SCREENSHOT") == "1" {
		var buf []byte
		run(t, ctx, "screenshot", chromedp.CaptureScreenshot(&buf))
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "screenshot-chat.png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
