//go:build !race

// These tests drive the link from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; limits_test.go and remote_test.go run under
// -race).

package gitlink

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocal_InitCommitNothingToCommit(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	repo := filepath.Join(t.TempDir(), "missing", "repo")
	l := Link{Repo: repo, Folder: "stacks/chat", AuthorName: "Ada", AuthorEmail: "ada@example.com"}
	c := newClient(t)

	if err := c.Check(ctx, l); err != nil {
		t.Fatal(err)
	}
	if head := g.Run(repo, "symbolic-ref", "HEAD"); head != "refs/heads/main" {
		t.Fatalf("HEAD = %s, want refs/heads/main", head)
	}
	res, err := c.Commit(ctx, l, stackFiles("v1\n"), "Add chat stack")
	if err != nil {
		t.Fatal(err)
	}
	if res.Pushed || len(res.Changes) != 2 || res.Changes[0].Status != StatusAdded {
		t.Fatalf("unexpected result %+v", res)
	}
	if got := g.Run(repo, "show", "HEAD:stacks/chat/template.yaml"); got != "v1" {
		t.Errorf("template = %q", got)
	}
	if got := g.Run(repo, "log", "--format=%H %an <%ae> %aI %s"); got != res.Hash+" Ada <ada@example.com> 2026-03-04T05:06:07+00:00 Add chat stack" {
		t.Errorf("log = %q", got)
	}
	// The worktree and the index follow the commit.
	if got := readFile(t, filepath.Join(repo, "stacks/chat/template.yaml")); got != "v1\n" {
		t.Errorf("worktree template = %q", got)
	}
	if st := g.Run(repo, "status", "--porcelain"); st != "" {
		t.Errorf("status not clean:\n%s", st)
	}
	g.Fsck(repo)

	_, err = c.Commit(ctx, l, stackFiles("v1\n"), "again")
	if !errors.Is(err, ErrNothingToCommit) {
		t.Fatalf("got %v, want ErrNothingToCommit", err)
	}
	if n := g.Run(repo, "rev-list", "--count", "HEAD"); n != "1" {
		t.Errorf("%s commits, want 1", n)
	}

	// Reproducible: the same input on a fresh repository gives the same id.
	l2 := l
	l2.Repo = filepath.Join(t.TempDir(), "other")
	res2, err := c.Commit(ctx, l2, stackFiles("v1\n"), "Add chat stack")
	if err != nil {
		t.Fatal(err)
	}
	if res2.Hash != res.Hash {
		t.Errorf("commit ids differ: %s vs %s", res.Hash, res2.Hash)
	}
}

func TestLocal_UserChangesSurvive(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	repo := t.TempDir()
	g.Run(repo, "init", "-q", "-b", "main")
	writeFile(t, filepath.Join(repo, "README.md"), "readme\n")
	g.Run(repo, "add", ".")
	g.Run(repo, "commit", "-q", "-m", "init")
	l := Link{Repo: repo, Folder: "stacks/chat"}
	c := newClient(t)
	if _, err := c.Commit(ctx, l, stackFiles("v1\n"), ""); err != nil {
		t.Fatal(err)
	}

	// The user edits the scaffold and commits it, then leaves work around:
	// an unstaged edit, a staged new file, an untracked file, and a staged
	// edit inside the stack folder that is not one of our files.
	handler := filepath.Join(repo, "stacks/chat/functions/onconnect/index.js")
	writeFile(t, handler, "// my code\n")
	g.Run(repo, "commit", "-q", "-am", "my handler")
	writeFile(t, filepath.Join(repo, "README.md"), "readme, edited\n")
	writeFile(t, filepath.Join(repo, "staged.txt"), "staged\n")
	g.Run(repo, "add", "staged.txt")
	writeFile(t, filepath.Join(repo, "untracked.txt"), "untracked\n")
	writeFile(t, filepath.Join(repo, "stacks/chat/notes.md"), "notes\n")
	g.Run(repo, "add", "stacks/chat/notes.md")

	files := stackFiles("v2\n")
	files["functions/ondisconnect/index.js"] = File{Data: []byte("// new scaffold\n"), CreateOnly: true}
	res, err := c.Commit(ctx, l, files, "v2")
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Run(repo, "show", "--name-status", "--format=", "HEAD"); got != "A\tstacks/chat/functions/ondisconnect/index.js\nM\tstacks/chat/template.yaml" {
		t.Errorf("commit touched:\n%s", got)
	}
	var kept []string
	for _, ch := range res.Changes {
		if ch.Status == StatusKept {
			kept = append(kept, ch.Path)
		}
	}
	if strings.Join(kept, ",") != "functions/onconnect/index.js" {
		t.Errorf("kept = %v", kept)
	}
	if got := readFile(t, handler); got != "// my code\n" {
		t.Errorf("scaffold overwritten: %q", got)
	}
	if got := g.Run(repo, "show", "HEAD:stacks/chat/functions/onconnect/index.js"); got != "// my code" {
		t.Errorf("scaffold in HEAD: %q", got)
	}
	st := g.Run(repo, "status", "--porcelain")
	want := "M README.md\nA  stacks/chat/notes.md\nA  staged.txt\n?? untracked.txt"
	if st != want {
		t.Errorf("status:\n%s\nwant:\n%s", st, want)
	}
	if got := readFile(t, filepath.Join(repo, "stacks/chat/template.yaml")); got != "v2\n" {
		t.Errorf("worktree template = %q", got)
	}
	g.Fsck(repo)

	t.Run("ErrConflictUncommittedEdit", func(t *testing.T) {
		writeFile(t, filepath.Join(repo, "stacks/chat/template.yaml"), "hand edit\n")
		_, err := c.Commit(ctx, l, stackFiles("v3\n"), "v3")
		var ce *ConflictError
		if !errors.Is(err, ErrConflict) || !errors.As(err, &ce) || ce.Files[0] != "template.yaml" {
			t.Fatalf("got %v, want a conflict on template.yaml", err)
		}
		if got := readFile(t, filepath.Join(repo, "stacks/chat/template.yaml")); got != "hand edit\n" {
			t.Errorf("hand edit lost: %q", got)
		}
		changes, err := c.Preview(ctx, l, stackFiles("v3\n"))
		if err != nil || len(changes) != 2 || changes[0].Path != "template.yaml" || !changes[0].Conflict || changes[1].Conflict {
			t.Errorf("preview = %+v, %v; want template.yaml marked as a conflict", changes, err)
		}
	})
}

func TestLocal_OtherBranchCheckedOut(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	repo := t.TempDir()
	g.Run(repo, "init", "-q", "-b", "main")
	writeFile(t, filepath.Join(repo, "README.md"), "readme\n")
	g.Run(repo, "add", ".")
	g.Run(repo, "commit", "-q", "-m", "init")
	g.Run(repo, "checkout", "-q", "-b", "dev")
	writeFile(t, filepath.Join(repo, "wip.txt"), "wip\n")

	c := newClient(t)
	l := Link{Repo: repo, Folder: "stacks/chat", Branch: "main"}
	res, err := c.Commit(ctx, l, stackFiles("v1\n"), "on main")
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Run(repo, "rev-parse", "main"); got != res.Hash {
		t.Errorf("main = %s, want %s", got, res.Hash)
	}
	if got := g.Run(repo, "symbolic-ref", "--short", "HEAD"); got != "dev" {
		t.Errorf("HEAD moved to %s", got)
	}
	if _, err := os.Stat(filepath.Join(repo, "stacks")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("worktree touched: %v", err)
	}
	if st := g.Run(repo, "status", "--porcelain"); st != "?? wip.txt" {
		t.Errorf("status: %q", st)
	}
	// A branch that does not exist yet is created as a root commit.
	l.Branch = "switchboard"
	res, err = c.Commit(ctx, l, stackFiles("v1\n"), "new branch")
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Run(repo, "rev-list", "--count", "switchboard"); got != "1" {
		t.Errorf("switchboard has %s commits", got)
	}
	g.Fsck(repo)
}

func TestLocal_InterruptedCommit(t *testing.T) {
	g := MustGit(t)
	ctx := context.Background()
	repo := t.TempDir()
	c := newClient(t)
	l := Link{Repo: repo, Folder: "s"}
	first, err := c.Commit(ctx, l, stackFiles("v1\n"), "v1")
	if err != nil {
		t.Fatal(err)
	}

	boom := errors.New("crash before the ref moves")
	testHookBeforeRef = func() error { return boom }
	_, err = c.Commit(ctx, l, stackFiles("v2\n"), "v2")
	testHookBeforeRef = nil
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if got := g.Run(repo, "rev-parse", "HEAD"); got != first.Hash {
		t.Errorf("HEAD moved to %s", got)
	}
	g.Fsck(repo)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Commit(cctx, l, stackFiles("v2\n"), "v2"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	g.Fsck(repo)

	res, err := c.Commit(ctx, l, stackFiles("v2\n"), "v2")
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Run(repo, "log", "--format=%s"); got != "v2\nv1" {
		t.Errorf("log:\n%s", got)
	}
	if got := g.Run(repo, "rev-parse", "HEAD^"); got != first.Hash {
		t.Errorf("parent = %s", got)
	}
	if st := g.Run(repo, "status", "--porcelain"); st != "" {
		t.Errorf("status: %q", st)
	}
	_ = res
	g.Fsck(repo)
}

func TestLocal_NotARepository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "file.txt"), "x")
	c := newClient(t)
	err := c.Check(context.Background(), Link{Repo: dir})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "not a Git repository") {
		t.Fatalf("got %v", err)
	}
}

func TestHistoryPreviewReadFile(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	repo := t.TempDir()
	c := newClient(t)
	chat := Link{Repo: repo, Folder: "stacks/chat"}
	game := Link{Repo: repo, Folder: "stacks/game"}
	mustCommit(t, c, chat, "v1\n", "chat 1")
	mustCommit(t, c, game, "g1\n", "game 1")
	writeFile(t, filepath.Join(repo, "README.md"), "x\n")
	g.Run(repo, "add", "README.md")
	g.Run(repo, "commit", "-q", "-m", "readme")
	mustCommit(t, c, chat, "v2\n", "chat 2")

	hist, err := c.History(ctx, chat, 0)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, h := range hist {
		msgs = append(msgs, h.Message)
	}
	if strings.Join(msgs, ",") != "chat 2,chat 1" {
		t.Errorf("history = %v", msgs)
	}
	if hist[0].Author != DefaultAuthorName || !hist[0].When.Equal(fixedNow()) {
		t.Errorf("history[0] = %+v", hist[0])
	}
	if hist, _ := c.History(ctx, chat, 1); len(hist) != 1 {
		t.Errorf("limit ignored: %d", len(hist))
	}

	changes, err := c.Preview(ctx, chat, stackFiles("v3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Status != StatusModified {
		t.Fatalf("preview = %+v", changes)
	}
	for _, want := range []string{"--- a/stacks/chat/template.yaml", "+++ b/stacks/chat/template.yaml", "-v2", "+v3"} {
		if !strings.Contains(changes[0].Diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, changes[0].Diff)
		}
	}

	data, err := c.ReadFile(ctx, chat, "template.yaml")
	if err != nil || string(data) != "v2\n" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
	if _, err := c.ReadFile(ctx, chat, "nope.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want fs.ErrNotExist", err)
	}
	if _, err := c.ReadFile(ctx, chat, "../game/template.yaml"); !errors.Is(err, ErrInvalid) {
		t.Errorf("got %v, want ErrInvalid", err)
	}
}

func TestLocal_BareRepository(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	root := t.TempDir()
	bare := g.MustBareRepo(root, "local.git")
	c := newClient(t)
	l := Link{Repo: bare, Folder: "s"}
	res := mustCommit(t, c, l, "v1\n", "into a bare repo")
	if got := g.Run(bare, "log", "--format=%s", "main"); got != "into a bare repo\nseed" {
		t.Errorf("log:\n%s", got)
	}
	if g.Run(bare, "rev-parse", "main") != res.Hash {
		t.Error("main not moved")
	}
	g.Fsck(bare)
}
