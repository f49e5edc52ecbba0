//go:build !race

// These tests drive the link from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; limits_test.go and remote_test.go run under
// -race).

package gitlink

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestFirstContact_EmptyRemoteNeedsNoCreateBranch(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	root := t.TempDir()
	empty := filepath.Join(root, "empty.git")
	g.Run(root, "init", "-q", "--bare", "-b", "main", empty)
	c := newClient(t)
	l := Link{Repo: fileURL(empty), Folder: "stacks/chat"}

	if err := c.Check(ctx, l); err != nil {
		t.Fatalf("Check of an empty repository: %v", err)
	}
	if _, err := c.Preview(ctx, l, stackFiles("v1\n")); err != nil {
		t.Fatalf("Preview: %v", err)
	}
	res, err := c.Commit(ctx, l, stackFiles("v1\n"), "first")
	if err != nil {
		t.Fatalf("first commit into an empty repository: %v", err)
	}
	if got := g.Run(empty, "rev-parse", "main"); got != res.Hash {
		t.Fatalf("main = %s, want %s", got, res.Hash)
	}
	g.Fsck(empty)
}

func TestFirstContact_DefaultBranchIsRemoteHEAD(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	root := t.TempDir()
	bare := filepath.Join(root, "trunk.git")
	g.Run(root, "init", "-q", "--bare", "-b", "trunk", bare)
	seed := g.MustClone(bare)
	writeFile(t, filepath.Join(seed, "README.md"), "hi\n")
	g.Run(seed, "add", ".")
	g.Run(seed, "commit", "-q", "-m", "seed")
	g.Run(seed, "push", "-q", "origin", "HEAD:trunk")
	c := newClient(t)

	for _, tc := range []struct{ name, repo, want string }{
		{"Remote", fileURL(bare), "trunk"},
		{"LocalClone", seed, "trunk"},
		{"Empty", filepath.Join(t.TempDir(), "new"), DefaultBranch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.DefaultBranch(ctx, Link{Repo: tc.repo})
			if err != nil || got != tc.want {
				t.Fatalf("DefaultBranch = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestFirstContact_ForeignFilesAreAConflict(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	ctx := context.Background()
	root := t.TempDir()
	bare := g.MustBareRepo(root, "infra.git")
	// Somebody's own template.yaml already lives in the folder.
	w := g.MustClone(bare)
	writeFile(t, filepath.Join(w, "stacks/chat/template.yaml"), "hand written\n")
	g.Run(w, "add", ".")
	g.Run(w, "commit", "-q", "-m", "theirs")
	g.Run(w, "push", "-q", "origin", "HEAD:main")
	local := g.MustClone(bare) // before the remote case commits into it
	ours := func(b []byte) bool { return bytes.HasPrefix(b, []byte("ours")) }
	files := func(tmpl string) map[string]File {
		f := stackFiles(tmpl)
		f["marker.json"] = File{Data: []byte("ours\n")}
		return f
	}

	for _, tc := range []struct {
		name string
		link Link
	}{
		{"Remote", Link{Repo: fileURL(bare), Folder: "stacks/chat"}},
		{"LocalWorktree", Link{Repo: local, Folder: "stacks/chat"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t)
			l := tc.link
			l.OwnerFile, l.IsOwner = "marker.json", ours
			changes, err := c.Preview(ctx, l, files("v1\n"))
			if err != nil {
				t.Fatal(err)
			}
			var foreign []string
			for _, ch := range changes {
				if ch.Conflict && ch.Foreign {
					foreign = append(foreign, ch.Path)
				}
			}
			if strings.Join(foreign, ",") != "template.yaml" {
				t.Fatalf("Preview marks %v foreign, want template.yaml: %+v", foreign, changes)
			}
			_, err = c.Commit(ctx, l, files("v1\n"), "x")
			var ce *ConflictError
			if !errors.As(err, &ce) || !ce.Foreign || ce.Files[0] != "template.yaml" || !strings.Contains(err.Error(), "not written by Switchboard") {
				t.Fatalf("Commit: got %v, want a foreign-file conflict", err)
			}
			// Confirmed: Overwrite replaces it, and from then on the folder is ours.
			l.Overwrite = true
			if _, err := c.Commit(ctx, l, files("v1\n"), "x"); err != nil {
				t.Fatalf("with Overwrite: %v", err)
			}
			l.Overwrite = false
			if _, err := c.Commit(ctx, l, files("v2\n"), "y"); err != nil {
				t.Fatalf("next commit into our folder: %v", err)
			}
		})
	}
}

func TestFirstContact_HostPathRefused(t *testing.T) {
	c := newClient(t)
	dir := t.TempDir()
	t.Chdir(dir)
	for _, repo := range []string{"github.com/me/infra.git", "gitlab.example.org/group/infra", "git.example.com:8443/x/y.git"} {
		err := c.Check(context.Background(), Link{Repo: repo})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "https://"+repo) {
			t.Errorf("%s: got %v, want ErrInvalid suggesting https://", repo, err)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*")); len(entries) != 0 {
		t.Fatalf("folders created: %v", entries)
	}
	// A relative folder that exists, or looks like no host, still works.
	if err := c.Check(context.Background(), Link{Repo: "infra"}); err != nil {
		t.Fatal(err)
	}
}

func TestFirstContact_FileURLWithoutGit(t *testing.T) {
	g := MustGit(t)
	ctx := context.Background()
	root := t.TempDir()
	bare := g.MustBareRepo(root, "stacks.git")
	empty := filepath.Join(root, "empty.git")
	g.Run(root, "init", "-q", "--bare", "-b", "main", empty)
	t.Setenv("PATH", "") // g keeps its own absolute path and environment
	c := newClient(t)
	for _, repo := range []string{bare, empty} {
		l := Link{Repo: fileURL(repo), Folder: "stacks/chat"}
		if err := c.Check(ctx, l); err != nil {
			t.Fatalf("Check without git: %v", err)
		}
		res, err := c.Commit(ctx, l, stackFiles("v1\n"), "no git here")
		if err != nil {
			t.Fatalf("Commit without git: %v", err)
		}
		if data, err := c.ReadFile(ctx, l, "template.yaml"); err != nil || string(data) != "v1\n" {
			t.Fatalf("ReadFile = %q, %v", data, err)
		}
		if got := g.Run(repo, "rev-parse", "main"); got != res.Hash {
			t.Fatalf("main = %s, want %s", got, res.Hash)
		}
		g.Fsck(repo)
	}
}
