package server_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
)

// renameInPanel selects the node and renames it from the keyboard.
func renameInPanel(tb testing.TB, ctx context.Context, nodeID, name string) {
	tb.Helper()
	x, y := center(tb, ctx, `#node-`+nodeID+` .node-name`)
	run(tb, ctx, "rename to "+name,
		chromedp.MouseClickXY(x, y),
		chromedp.WaitVisible(`#f-name`),
		// The panel the click asked for is in before typing starts.
		waitJS(`document.querySelector('[data-testid=node-panel]')?.dataset.node === '`+nodeID+`' && document.querySelectorAll('.htmx-request').length === 0`),
		chromedp.Click(`#f-name`),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(2)),
		chromedp.SendKeys(`#f-name`, name),
		chromedp.KeyEvent(kb.Enter),
		waitJS(`document.getElementById('node-`+nodeID+`').dataset.name === '`+name+`' && document.querySelector('[data-testid=saved]') !== null`),
	)
}

// TestBrowserCodePathFollowsName: a function's code path follows its name
// in kebab case while its folder is in no repository; once the folder is
// committed, a rename asks, and a yes moves the folder in the next commit
// (issue 14 item 9).
func TestBrowserCodePathFollowsName(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is needed")
	}
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s := openChat(t, srv, ctx, "names", nil)
	fn := nodeNamed(t, s, "ConnectionHandler")

	renameInPanel(t, ctx, fn, "Connector")
	if got := evalString(t, ctx, `document.getElementById('f-codePath').value`); got != "functions/connector" {
		t.Fatalf("after a rename the code path is %q, want functions/connector", got)
	}
	if got := head(t, srv.store, s.ID).Function(fn).CodePath; got != "functions/connector" {
		t.Fatalf("the stack keeps code path %q", got)
	}

	// Commit: the folder now exists in the repository.
	ctxb := context.Background()
	pub := publish.New(srv.store, nil)
	repo := filepath.Join(t.TempDir(), "repo")
	cur := head(t, srv.store, s.ID)
	if err := pub.SaveLink(ctxb, cur, publish.LinkInput{GitLink: model.GitLink{Repo: repo, Branch: "main", Folder: "chat"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Commit(ctxb, cur, "first", false); err != nil {
		t.Fatal(err)
	}

	renameInPanel(t, ctx, fn, "Greeter")
	run(t, ctx, "the panel asks", chromedp.WaitVisible(`[data-testid=code-move]`))
	if got := evalString(t, ctx, `document.querySelector('[data-testid=code-move]').textContent.replace(/\s+/g, ' ').trim()`); !strings.Contains(got, "functions/connector exists in the repository. Move it to functions/greeter in the next commit?") {
		t.Fatalf("the question reads %q", got)
	}
	if got := evalString(t, ctx, `document.getElementById('f-codePath').value`); got != "functions/connector" {
		t.Fatalf("before the answer the code path is %q, want functions/connector", got)
	}
	screenshot(t, ctx, "asks")
	run(t, ctx, "say yes",
		chromedp.Click(`[data-testid=code-move-yes]`),
		chromedp.WaitVisible(`[data-testid=code-move-pending]`),
		waitJS(`document.getElementById('f-codePath').value === 'functions/greeter'`),
	)
	screenshot(t, ctx, "pending")
	cur = head(t, srv.store, s.ID)
	if _, err := pub.Commit(ctxb, cur, "rename", false); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", repo, "ls-tree", "-r", "--name-only", "main", "chat/functions").CombinedOutput()
	if err != nil {
		t.Fatalf("git ls-tree: %v %s", err, out)
	}
	tree := string(out)
	if strings.Contains(tree, "functions/connector/") || !strings.Contains(tree, "chat/functions/greeter/") {
		t.Fatalf("the next commit did not move the folder:\n%s", tree)
	}
}
