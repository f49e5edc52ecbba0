package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
)

// TestBrowserWorkingFolderEditIsOffered links the chat stack to a folder of
// a local repository holding its files; an edit of template.yaml there, as
// an IDE would save it, is offered on the open canvas with what it
// changes, and loading it is one revision that moves the canvas (issue 15
// item 5).
func TestBrowserWorkingFolderEditIsOffered(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	repo := t.TempDir()
	mustGit(t, repo, "init", "-q", "-b", "main")
	mustGit(t, repo, "commit", "-q", "--allow-empty", "-m", "initial")
	chat, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	s, err := srv.store.CreateStack(context.Background(), chat)
	if err != nil {
		t.Fatal(err)
	}
	if err := publish.New(srv.store, nil).SaveLink(context.Background(), s, publish.LinkInput{GitLink: model.GitLink{Repo: repo, Folder: "stacks/chat"}}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(repo, "stacks", "chat")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := publish.WriteFolder(dir, s); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "open the canvas",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/stacks/chat"),
		chromedp.WaitVisible(`.editor.ready`),
		// The page has asked once: the folder as it is now is seen.
		waitJS(`performance.getEntriesByType('resource').some((e) => new URL(e.name).pathname.endsWith('/folder'))`),
	)
	if n := evalString(t, ctx, `String(document.querySelectorAll('[data-testid=folder-offer-box]').length)`); n != "0" {
		t.Fatal("an unchanged folder is offered")
	}
	tmpl := filepath.Join(dir, "template.yaml")
	data, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "RouteKey: sendMessage", "RouteKey: sendMessages", 1)
	if err := os.WriteFile(tmpl, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "the change is offered",
		chromedp.WaitVisible(`[data-testid=folder-offer-box]`),
		waitJS(`[...document.querySelectorAll('[data-testid=folder-change]')].some((li) => li.textContent.includes('sendMessages'))`),
	)
	screenshot(t, ctx, "offered")
	if got := head(t, srv.store, s.ID); got.Revision != s.Revision {
		t.Fatal("the folder's change was applied before it was accepted")
	}
	run(t, ctx, "load it",
		chromedp.Click(`[data-testid=folder-load]`, chromedp.NodeVisible),
		waitJS(`[...document.querySelectorAll('#nodes .route-key')].some((k) => k.textContent === 'sendMessages')`),
		waitJS(`document.querySelectorAll('[data-testid=folder-offer-box]').length === 0`),
	)
	screenshot(t, ctx, "loaded")
	got := head(t, srv.store, s.ID)
	if got.Revision != s.Revision+1 {
		t.Errorf("revision %d, want one revision after %d", got.Revision, s.Revision)
	}
	for _, n := range s.Nodes() {
		if after, ok := got.Node(n.ID); !ok || after.Position != n.Position {
			t.Errorf("node %s lost its identity or place in the load", n.Name)
		}
	}
	if undo := evalString(t, ctx, `document.querySelector('[data-testid=undo]').title`); !strings.Contains(undo, "load the working folder") {
		t.Errorf("Undo says %q", undo)
	}
}
