package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestBrowserCommitToRepo links the chat stack to a bare repository from
// the canvas, previews the commit, edits the message and commits, then finds
// the commit in the repository with git.
func TestBrowserCommitToRepo(t *testing.T) {
	t.Parallel()
	bare, repoURL := mustBareRepo(t)
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	chat, _ := model.Example("chat", "chat")
	if _, err := srv.store.CreateStack(context.Background(), chat); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "open the canvas and click Commit to repo",
		chromedp.Navigate(srv.url+"/stacks/chat"),
		chromedp.WaitVisible(`.editor.ready #node-api1`),
		chromedp.Click(`[data-testid=commit-to-repo]`, chromedp.NodeVisible),
		chromedp.WaitVisible(`[data-testid=link-form]`),
	)
	run(t, ctx, "link the repository",
		chromedp.SendKeys(`[data-testid=link-repo]`, repoURL),
		chromedp.SendKeys(`[data-testid=link-author]`, "Ada Lovelace <ada@example.com>"),
		chromedp.Click(`[data-testid=link-save]`, chromedp.NodeVisible),
		chromedp.WaitVisible(`[data-testid=git-notice]`),
		chromedp.WaitVisible(`[data-testid=preview-commit]`),
	)
	var diff string
	run(t, ctx, "preview the commit",
		chromedp.Click(`[data-testid=preview-commit]`, chromedp.NodeVisible),
		chromedp.WaitVisible(`[data-testid=commit-message]`),
		chromedp.TextContent(`[data-testid=diff]`, &diff, chromedp.NodeReady),
	)
	if !strings.Contains(diff, "stacks/chat/") {
		t.Fatalf("the preview should show a diff of the stack folder, got:\n%s", diff)
	}
	var hash string
	run(t, ctx, "edit the message and commit",
		chromedp.Evaluate(`document.querySelector('[data-testid=commit-message]').value = ''`, nil),
		chromedp.SendKeys(`[data-testid=commit-message]`, "Chat stack, from the browser"),
		chromedp.Click(`[data-testid=commit]`, chromedp.NodeVisible),
		chromedp.WaitVisible(`[data-testid=commit-hash]`),
		chromedp.Text(`[data-testid=commit-hash]`, &hash),
	)
	screenshot(t, ctx, "committed")
	if head := strings.TrimSpace(mustGit(t, bare, "rev-parse", "main")); head != hash {
		t.Fatalf("the page shows %q, the bare repository's main is %s", hash, head)
	}
	if got := mustGit(t, bare, "log", "-1", "--format=%an <%ae>|%s", "main"); strings.TrimSpace(got) != "Ada Lovelace <ada@example.com>|Chat stack, from the browser" {
		t.Fatalf("git log: %q", got)
	}
	mustGit(t, bare, "fsck", "--strict")
	var history string
	run(t, ctx, "read the history", chromedp.Text(`[data-testid=history]`, &history))
	if !strings.Contains(history, "Chat stack, from the browser") {
		t.Fatalf("the history should list the commit:\n%s", history)
	}
}
