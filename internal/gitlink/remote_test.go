//go:build race || !racesplit

// These tests drive the link from several goroutines: `make test` runs them
// under -race, and its race-free job (-tags racesplit) leaves them out
// (RACE_SPLIT in the Makefile).

package gitlink

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestRemote_Check(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	root := t.TempDir()
	bare := g.MustBareRepo(root, "stacks.git")
	empty := filepath.Join(root, "empty.git")
	g.Run(root, "init", "-q", "--bare", "-b", "main", empty)
	c := newClient(t)

	t.Run("ErrBranchMissing", func(t *testing.T) {
		err := c.Check(ctx, Link{Repo: fileURL(bare), Branch: "nope"})
		if !errors.Is(err, ErrBranchMissing) {
			t.Fatalf("got %v", err)
		}
		t.Log(err)
		if _, err := c.Commit(ctx, Link{Repo: fileURL(bare), Branch: "nope", Folder: "s"}, stackFiles("x\n"), ""); !errors.Is(err, ErrBranchMissing) {
			t.Fatalf("commit: got %v", err)
		}
	})
	t.Run("CreateBranch", func(t *testing.T) {
		l := Link{Repo: fileURL(bare), Branch: "switchboard", Folder: "s", CreateBranch: true}
		res, err := c.Commit(ctx, l, stackFiles("x\n"), "create")
		if err != nil {
			t.Fatal(err)
		}
		// Based on the default branch.
		if got := g.Run(bare, "log", "--format=%s", "switchboard"); got != "create\nseed" {
			t.Errorf("log:\n%s", got)
		}
		if got := g.Run(bare, "rev-parse", "switchboard"); got != res.Hash {
			t.Errorf("switchboard = %s", got)
		}
	})
	t.Run("CreateBranchOnEmptyRemote", func(t *testing.T) {
		// An empty remote has no branch to miss: no question asked.
		l := Link{Repo: fileURL(empty), Folder: "s"}
		if err := c.Check(ctx, l); err != nil {
			t.Fatalf("check: got %v", err)
		}
		if _, err := c.Commit(ctx, l, stackFiles("x\n"), "first"); err != nil {
			t.Fatal(err)
		}
		if got := g.Run(empty, "log", "--format=%s", "main"); got != "first" {
			t.Errorf("log:\n%s", got)
		}
		g.Fsck(empty)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		err := c.Check(ctx, Link{Repo: fileURL(filepath.Join(root, "nope.git"))})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("got %v", err)
		}
		t.Log(err)
	})
	t.Run("ErrInvalidURL", func(t *testing.T) {
		err := c.Check(ctx, Link{Repo: "ftp://example.com/x.git"})
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestRemote_HTTPBasicAuth(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	root := t.TempDir()
	bare := g.MustBareRepo(root, "stacks.git")
	const good, bad = "right-horse-battery", "wrong-staple-TOKEN"
	base := g.MustHTTPServer(root, good)
	c := newClient(t)
	l := Link{Repo: base + "/stacks.git", Folder: "stacks/chat", Auth: Auth{Username: "alice", Token: bad}}

	t.Run("ErrAuth", func(t *testing.T) {
		for name, err := range map[string]error{
			"check":  c.Check(ctx, l),
			"commit": second(c.Commit(ctx, l, stackFiles("v1\n"), "v1")),
		} {
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("%s: got %v, want ErrAuth", name, err)
			}
			if strings.Contains(err.Error(), bad) {
				t.Fatalf("%s: token in message %q", name, err)
			}
			t.Logf("%s: %v", name, err)
		}
		noAuth := l
		noAuth.Auth = Auth{}
		if err := c.Check(ctx, noAuth); !errors.Is(err, ErrAuth) {
			t.Fatalf("no credentials: got %v, want ErrAuth", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		nf := l
		nf.Repo = base + "/missing.git"
		nf.Auth.Token = good
		if err := c.Check(ctx, nf); !errors.Is(err, ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("Pushed", func(t *testing.T) {
		l.Auth.Token = good
		if err := c.Check(ctx, l); err != nil {
			t.Fatal(err)
		}
		res, err := c.Commit(ctx, l, stackFiles("v1\n"), "over http")
		if err != nil {
			t.Fatal(err)
		}
		if !res.Pushed || g.Run(bare, "rev-parse", "main") != res.Hash {
			t.Fatalf("not on the server: %+v", res)
		}
		if got := g.Run(bare, "show", "main:stacks/chat/template.yaml"); got != "v1" {
			t.Errorf("template = %q", got)
		}
		g.Fsck(bare)
		// The token is not stored in the cache's config.
		cfgs, _ := filepath.Glob(filepath.Join(c.CacheDir, "*", "config"))
		for _, p := range cfgs {
			if strings.Contains(readFile(t, p), good) {
				t.Errorf("token stored in %s", p)
			}
		}
	})
}

func second[T any](_ T, err error) error { return err }

func TestRemote_Moved(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	bare := g.MustBareRepo(t.TempDir(), "stacks.git")
	c := newClient(t)
	l := Link{Repo: fileURL(bare), Folder: "stacks/chat"}
	first := mustCommit(t, c, l, "v1\n", "chat v1")

	other := g.MustClone(bare)
	writeFile(t, filepath.Join(other, "docs/other.md"), "other\n")
	// A change to user code inside our folder is not ours to guard.
	writeFile(t, filepath.Join(other, "stacks/chat/functions/onconnect/index.js"), "// edited upstream\n")
	g.Run(other, "add", ".")
	g.Run(other, "commit", "-q", "-m", "someone else")
	g.Run(other, "push", "-q", "origin", "main")
	theirs := g.Run(other, "rev-parse", "HEAD")

	t.Run("OnTopOfUnrelatedChange", func(t *testing.T) {
		res, err := c.Commit(ctx, l, stackFiles("v2\n"), "chat v2")
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Run(bare, "log", "--format=%s", "main"); got != "chat v2\nsomeone else\nchat v1\nseed" {
			t.Errorf("log:\n%s", got)
		}
		if got := g.Run(bare, "rev-parse", res.Hash+"^"); got != theirs {
			t.Errorf("parent = %s, want %s", got, theirs)
		}
		if got := g.Run(bare, "show", "main:stacks/chat/functions/onconnect/index.js"); got != "// edited upstream" {
			t.Errorf("upstream edit lost: %q", got)
		}
		_ = first
	})

	t.Run("ErrConflict", func(t *testing.T) {
		g.Run(other, "pull", "-q", "--ff-only")
		writeFile(t, filepath.Join(other, "stacks/chat/template.yaml"), "hand edited\n")
		g.Run(other, "commit", "-q", "-am", "hand edit")
		g.Run(other, "push", "-q", "origin", "main")
		before := g.Run(bare, "rev-parse", "main")

		_, err := c.Commit(ctx, l, stackFiles("v3\n"), "chat v3")
		var ce *ConflictError
		if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
			t.Fatalf("got %v, want ErrConflict", err)
		}
		t.Log(err)
		if strings.Join(ce.Files, ",") != "template.yaml" || !strings.Contains(err.Error(), "template.yaml") {
			t.Errorf("conflict names %v: %v", ce.Files, err)
		}
		if after := g.Run(bare, "rev-parse", "main"); after != before {
			t.Errorf("pushed anyway: %s", after)
		}
		changes, err := c.Preview(ctx, l, stackFiles("v3\n"))
		if err != nil || len(changes) != 2 || changes[0].Path != "template.yaml" || !changes[0].Conflict || changes[1].Status != StatusKept {
			t.Errorf("preview = %+v, %v; want template.yaml marked as a conflict", changes, err)
		}
		// Writing exactly what is upstream is no conflict.
		if _, err := c.Commit(ctx, l, stackFiles("hand edited\n"), ""); !errors.Is(err, ErrNothingToCommit) {
			t.Fatalf("got %v, want ErrNothingToCommit", err)
		}
		// ...and makes upstream the new base: the next change goes through.
		if _, err := c.Commit(ctx, l, stackFiles("v4\n"), "chat v4"); err != nil {
			t.Fatal(err)
		}
		// The user may also choose to overwrite an upstream edit.
		g.Run(other, "pull", "-q", "--ff-only")
		writeFile(t, filepath.Join(other, "stacks/chat/template.yaml"), "edited again\n")
		g.Run(other, "commit", "-q", "-am", "edit again")
		g.Run(other, "push", "-q", "origin", "main")
		if _, err := c.Commit(ctx, l, stackFiles("v5\n"), "chat v5"); !errors.Is(err, ErrConflict) {
			t.Fatalf("got %v, want ErrConflict", err)
		}
		over := l
		over.Overwrite = true
		if _, err := c.Commit(ctx, over, stackFiles("v5\n"), "chat v5"); err != nil {
			t.Fatal(err)
		}
		if got := g.Run(bare, "show", "main:stacks/chat/template.yaml"); got != "v5" {
			t.Errorf("template = %q", got)
		}
		g.Fsck(bare)
	})
}

func TestRemote_ConcurrentCommits(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	bare := g.MustBareRepo(t.TempDir(), "stacks.git")
	shared := newClient(t)
	// Clients with caches of their own are not serialised by the lock:
	// they race on the remote, and the fetch-and-retry sorts them out.
	// Three pushes in all, so no commit can lose more races than
	// maxPushAttempts allows.
	clients := []*Client{shared, shared, newClient(t)}

	var wg sync.WaitGroup
	errs := make([]error, len(clients))
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := Link{Repo: fileURL(bare), Folder: "stacks/s" + string(rune('a'+i))}
			_, errs[i] = c.Commit(ctx, l, stackFiles("v1\n"), "stack "+string(rune('a'+i)))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("commit %d: %v", i, err)
		}
	}
	if n := g.Run(bare, "rev-list", "--count", "main"); n != "4" {
		t.Errorf("%s commits, want 4 (seed + 3)", n)
	}
	for i := range clients {
		g.Run(bare, "show", "main:stacks/s"+string(rune('a'+i))+"/template.yaml")
	}
	g.Fsck(bare)
}

func TestRemote_InterruptedCommit(t *testing.T) {
	g := MustGit(t)
	ctx := context.Background()
	bare := g.MustBareRepo(t.TempDir(), "stacks.git")
	c := newClient(t)
	l := Link{Repo: fileURL(bare), Folder: "s"}
	first := mustCommit(t, c, l, "v1\n", "v1")

	boom := errors.New("crash before the ref moves")
	testHookBeforeRef = func() error { return boom }
	_, err := c.Commit(ctx, l, stackFiles("v2\n"), "v2")
	testHookBeforeRef = nil
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Commit(cctx, l, stackFiles("v2\n"), "v2"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if got := g.Run(bare, "rev-parse", "main"); got != first.Hash {
		t.Errorf("remote moved to %s", got)
	}
	for _, dir := range mustGlob(t, filepath.Join(c.CacheDir, "*")) {
		g.Fsck(dir)
	}
	g.Fsck(bare)

	// A cache whose local branch points at a commit that never got pushed
	// (a crash after the ref update, before the push) re-syncs by itself.
	res := mustCommit(t, c, l, "v2\n", "v2")
	if got := g.Run(bare, "log", "--format=%s", "main"); got != "v2\nv1\nseed" {
		t.Errorf("log:\n%s", got)
	}
	if got := g.Run(bare, "rev-parse", res.Hash+"^"); got != first.Hash {
		t.Errorf("parent = %s", got)
	}
}

func mustGlob(tb testing.TB, pattern string) []string {
	tb.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		tb.Fatalf("glob %s: %v %v", pattern, m, err)
	}
	return m
}

func TestRemote_RetryAfterRace(t *testing.T) {
	g := MustGit(t)
	ctx := context.Background()
	bare := g.MustBareRepo(t.TempDir(), "stacks.git")
	c := newClient(t)
	l := Link{Repo: fileURL(bare), Folder: "stacks/chat"}
	mustCommit(t, c, l, "v1\n", "chat v1")
	other := g.MustClone(bare)

	// Somebody pushes between our fetch and our push, once.
	raced := 0
	testHookBeforeRef = func() error {
		if raced++; raced == 1 {
			writeFile(t, filepath.Join(other, "elsewhere.txt"), "x\n")
			g.Run(other, "add", ".")
			g.Run(other, "commit", "-q", "-m", "racing push")
			g.Run(other, "push", "-q", "origin", "main")
		}
		return nil
	}
	defer func() { testHookBeforeRef = nil }()
	res, err := c.Commit(ctx, l, stackFiles("v2\n"), "chat v2")
	if err != nil {
		t.Fatal(err)
	}
	if raced != 2 {
		t.Errorf("built the commit %d times, want 2", raced)
	}
	if got := g.Run(bare, "log", "--format=%s", "main"); got != "chat v2\nracing push\nchat v1\nseed" {
		t.Errorf("log:\n%s", got)
	}
	if g.Run(bare, "rev-parse", "main") != res.Hash {
		t.Error("result hash is not the remote tip")
	}
	g.Fsck(bare)
}

func TestRemote_PushInterruptedAfterRemoteTookIt(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	bare := g.MustBareRepo(t.TempDir(), "stacks.git")
	c := newClient(t)
	l := Link{Repo: fileURL(bare), Folder: "stacks/chat"}
	first := mustCommit(t, c, l, "v1\n", "chat v1")
	second := mustCommit(t, c, l, "v2\n", "chat v2")

	// Rewind the cache's bookkeeping to how a crash right after the remote
	// accepted "chat v2" leaves it: base still v1, v2 pending.
	dir := mustGlob(t, filepath.Join(c.CacheDir, "*"))[0]
	for name, h := range map[string]string{baseRef(l).String(): first.Hash, pendingRef(l).String(): second.Hash} {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), h+"\n")
	}
	// Our own v2 upstream is no conflict for v3.
	if _, err := c.Commit(context.Background(), l, stackFiles("v3\n"), "chat v3"); err != nil {
		t.Fatal(err)
	}
	// A corrupt bookkeeping ref does not block committing either.
	writeFile(t, filepath.Join(dir, filepath.FromSlash(baseRef(l).String())), "garbage")
	if _, err := c.Commit(context.Background(), l, stackFiles("v4\n"), "chat v4"); err != nil {
		t.Fatal(err)
	}
	if got := g.Run(bare, "log", "--format=%s", "main"); got != "chat v4\nchat v3\nchat v2\nchat v1\nseed" {
		t.Errorf("log:\n%s", got)
	}
}

func TestRemote_SSHKeyUnreadable(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	l := Link{Repo: "ssh://git@127.0.0.1:1/r.git", Auth: Auth{SSHKeyFile: filepath.Join(t.TempDir(), "missing"), SSHKeyPassphrase: "PASSPHRASE"}}
	err := c.Check(context.Background(), l)
	if !errors.Is(err, ErrAuth) || strings.Contains(err.Error(), "PASSPHRASE") {
		t.Fatalf("got %v, want ErrAuth without the passphrase", err)
	}
}

func TestRemote_FileURL(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	root := t.TempDir()
	bare := g.MustBareRepo(root, "stacks.git")
	c := newClient(t)
	l := Link{Repo: fileURL(bare), Folder: "stacks/chat"}

	if err := c.Check(ctx, l); err != nil {
		t.Fatal(err)
	}
	res, err := c.Commit(ctx, l, stackFiles("v1\n"), "chat v1")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pushed {
		t.Error("not pushed")
	}
	if got := g.Run(bare, "rev-parse", "main"); got != res.Hash {
		t.Errorf("remote main = %s, want %s", got, res.Hash)
	}
	if got := g.Run(bare, "log", "--format=%s", "main"); got != "chat v1\nseed" {
		t.Errorf("log:\n%s", got)
	}
	if got := g.Run(bare, "show", "main:stacks/chat/template.yaml"); got != "v1" {
		t.Errorf("template = %q", got)
	}
	g.Fsck(bare)

	if _, err := c.Commit(ctx, l, stackFiles("v1\n"), "again"); !errors.Is(err, ErrNothingToCommit) {
		t.Fatalf("got %v, want ErrNothingToCommit", err)
	}
	data, err := c.ReadFile(ctx, l, "template.yaml")
	if err != nil || string(data) != "v1\n" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}

	// The cache is private and keyed by URL.
	fi, err := os.Stat(c.CacheDir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode = %v, %v", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(c.CacheDir)
	if len(entries) != 1 {
		t.Fatalf("cache has %d entries", len(entries))
	}
	// Widened by someone: the next use sets both folders back to 0700.
	clone := filepath.Join(c.CacheDir, entries[0].Name())
	for _, d := range []string{c.CacheDir, clone} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.History(ctx, l, 1); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{c.CacheDir, clone} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s after use: mode %v, %v; want 0700", d, fi.Mode().Perm(), err)
		}
	}
}
