//go:build !race

// These tests drive the link from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; limits_test.go and remote_test.go run under
// -race).

package gitlink

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestMoveFolder moves a function's folder the way publish does: ReadFolder
// gives its files, which are written under the new folder and passed with
// Delete under the old one. In a checked-out repository the working tree
// and the index follow; in a bare one (and so a remote's cache) the commit
// alone does. The user's own file in the folder moves with it.
func TestMoveFolder(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	for _, bare := range []bool{false, true} {
		root := t.TempDir()
		repo := filepath.Join(root, "repo")
		if bare {
			repo = g.MustBareRepo(root, "repo")
		}
		l := Link{Repo: repo, Folder: "stacks/chat"}
		c := newClient(t)
		mustCommit(t, c, l, "v1\n", "first")
		// The user adds code of their own next to the scaffold.
		files := stackFiles("v1\n")
		files["functions/onconnect/lib/util.js"] = File{Data: []byte("module.exports = 1\\n")}
		if _, err := c.Commit(ctx, l, files, "user code"); err != nil {
			t.Fatal(err)
		}
		if ok, err := c.Exists(ctx, l, "functions/onconnect"); err != nil || !ok {
			t.Fatalf("bare=%v: Exists(functions/onconnect) = %v, %v", bare, ok, err)
		}
		if ok, err := c.Exists(ctx, l, "functions/connector"); err != nil || ok {
			t.Fatalf("bare=%v: Exists(functions/connector) = %v, %v", bare, ok, err)
		}

		old, err := c.ReadFolder(ctx, l, "functions/onconnect")
		if err != nil {
			t.Fatal(err)
		}
		if len(old) != 2 {
			t.Fatalf("bare=%v: ReadFolder gave %d files: %v", bare, len(old), old)
		}
		move := map[string]File{"template.yaml": {Data: []byte("v2\n")}}
		for p, data := range old {
			move["functions/connector"+strings.TrimPrefix(p, "functions/onconnect")] = File{Data: data}
			move[p] = File{Delete: true}
		}
		preview, err := c.Preview(ctx, l, move)
		if err != nil {
			t.Fatal(err)
		}
		var deleted int
		for _, ch := range preview {
			if ch.Status == StatusDeleted {
				deleted++
			}
		}
		if deleted != 2 {
			t.Fatalf("bare=%v: preview %+v, want two deletions", bare, preview)
		}
		if _, err := c.Commit(ctx, l, move, "move onconnect to connector"); err != nil {
			t.Fatal(err)
		}
		tree := g.Run(repo, "ls-tree", "-r", "--name-only", "main", "stacks")
		if want := "stacks/chat/functions/connector/index.js\nstacks/chat/functions/connector/lib/util.js\nstacks/chat/template.yaml"; tree != want {
			t.Fatalf("bare=%v: tree after the move:\n%s\nwant:\n%s", bare, tree, want)
		}
		g.Fsck(repo)
		if bare {
			continue
		}
		if st := g.Run(repo, "status", "--porcelain"); st != "" {
			t.Errorf("status not clean after the move:\n%s", st)
		}
		if existsOnDisk(repo, "stacks/chat/functions/onconnect") {
			t.Error("the old folder is still in the working tree")
		}
		if got := readFile(t, filepath.Join(repo, "stacks/chat/functions/connector/lib/util.js")); got != "module.exports = 1\\n" {
			t.Errorf("moved file = %q", got)
		}
	}
}
