//go:build race || !racesplit

// These tests drive the link from several goroutines: `make test` runs them
// under -race, and its race-free job (-tags racesplit) leaves them out
// (RACE_SPLIT in the Makefile).

package gitlink

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// bigZeros is the size of the highly compressible file the limit tests put
// into a repository: 16 MB of zeros is about 16 KB in Git, so a repository
// that small could make a reader that trusts it allocate 16 MB and more.
const bigZeros = 16 << 20

// mustZeroBlobRepo makes a working tree whose stacks/chat/template.yaml is
// bigZeros of zeros, committed (loose object) and pushed to a bare clone
// (packed), and returns both.
func mustZeroBlobRepo(t *testing.T, g *gitCLI) (work, bare string) {
	t.Helper()
	root := t.TempDir()
	bare = g.MustBareRepo(root, "big.git")
	work = g.MustClone(bare)
	p := filepath.Join(work, "stacks", "chat", "template.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(bigZeros); err != nil {
		t.Fatal(err)
	}
	f.Close()
	g.Run(work, "add", ".")
	g.Run(work, "commit", "-q", "-m", "zeros")
	g.Run(work, "push", "-q", "origin", "HEAD:main")
	return work, bare
}

// allocated runs fn and returns the bytes it allocated.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestBigFileIsAConflictNeverLoaded(t *testing.T) {
	// Not parallel: it measures the process's allocations.
	g := MustGit(t)
	ctx := context.Background()
	work, bare := mustZeroBlobRepo(t, g)
	c := newClient(t)
	for _, tc := range []struct {
		name string
		link Link
	}{
		{"Local", Link{Repo: work, Folder: "stacks/chat"}},
		{"LocalOtherBranch", Link{Repo: bare, Folder: "stacks/chat"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { _, err = c.Preview(ctx, tc.link, stackFiles("v1\n")) })
			var ce *ConflictError
			if !errors.As(err, &ce) || len(ce.Files) != 1 || ce.Files[0] != "template.yaml" || !strings.Contains(err.Error(), "5 MB") {
				t.Fatalf("Preview: got %v, want a conflict naming template.yaml and the limit", err)
			}
			if _, err := c.Commit(ctx, tc.link, stackFiles("v1\n"), "x"); !errors.As(err, &ce) {
				t.Fatalf("Commit: got %v, want a conflict", err)
			}
			if _, err := c.ReadFile(ctx, tc.link, "template.yaml"); !errors.Is(err, ErrTooBig) {
				t.Fatalf("ReadFile: got %v, want ErrTooBig", err)
			}
			t.Logf("Preview allocated %d KB for a %d MB file", alloc>>10, bigZeros>>20)
			if alloc > bigZeros/4 {
				t.Fatalf("Preview allocated %d MB: the big file was loaded", alloc>>20)
			}
		})
	}
	t.Run("RemoteFetch", func(t *testing.T) {
		// Fetching loads each object whole (go-git indexes packs in memory):
		// a pack announcing a bigger object than the client accepts is
		// refused from its headers while it streams in.
		c := newClient(t)
		c.MaxObjectSize = bigZeros / 8
		var err error
		alloc := allocated(func() { _, err = c.Preview(ctx, Link{Repo: fileURL(bare), Folder: "stacks/chat"}, stackFiles("v1\n")) })
		if !errors.Is(err, ErrTooBig) || !strings.Contains(err.Error(), "16 MB") {
			t.Fatalf("got %v, want ErrTooBig naming the size", err)
		}
		t.Logf("Preview allocated %d KB: %v", alloc>>10, err)
		if left, _ := filepath.Glob(filepath.Join(c.CacheDir, "*", "objects", "pack", "tmp_pack_*")); len(left) > 0 {
			t.Errorf("the refused pack is left in the cache: %v", left)
		}
		if alloc > bigZeros/8 {
			t.Fatalf("Preview allocated %d MB: the big object was loaded", alloc>>20)
		}
	})
	t.Run("RemoteFetchBigPack", func(t *testing.T) {
		// A pack bigger than a pipe's buffer: refusing it must not leave
		// git-upload-pack blocked on a pipe nobody reads (a hang).
		root := t.TempDir()
		bare := g.MustBareRepo(root, "random.git")
		w := g.MustClone(bare)
		noise := make([]byte, 1<<20)
		for i := range noise {
			noise[i] = byte(i*7919 ^ i>>3 ^ i>>11) // poorly compressible
		}
		writeFile(t, filepath.Join(w, "stacks/chat/template.yaml"), string(noise))
		g.Run(w, "add", ".")
		g.Run(w, "commit", "-q", "-m", "noise")
		g.Run(w, "push", "-q", "origin", "HEAD:main")
		c := newClient(t)
		c.MaxObjectSize = 256 << 10
		done := make(chan error, 1)
		go func() {
			_, err := c.Preview(ctx, Link{Repo: fileURL(bare), Folder: "stacks/chat"}, stackFiles("v1\n"))
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrTooBig) {
				t.Fatalf("got %v, want ErrTooBig", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the refused fetch hangs")
		}
	})
	t.Run("RemoteFolder", func(t *testing.T) {
		// Under the fetch limit but over the read limit: a conflict.
		c := newClient(t)
		l := Link{Repo: fileURL(bare), Folder: "stacks/chat"}
		var ce *ConflictError
		if _, err := c.Preview(ctx, l, stackFiles("v1\n")); !errors.As(err, &ce) || ce.Files[0] != "template.yaml" {
			t.Fatalf("got %v, want a conflict naming template.yaml", err)
		}
		if _, err := c.ReadFile(ctx, l, "template.yaml"); !errors.Is(err, ErrTooBig) {
			t.Fatalf("ReadFile: got %v, want ErrTooBig", err)
		}
	})
	// Nothing was written: the file is still the zeros.
	if out, err := exec.Command("cmp", "-n", "16", filepath.Join(work, "stacks/chat/template.yaml"), "/dev/zero").CombinedOutput(); err != nil {
		t.Fatalf("working tree file changed: %v %s", err, bytes.TrimSpace(out))
	}
}

// BenchmarkPreviewBigFile is the audit's case: a repository of a few MB
// holding 512 MB of zeros in the stack's folder. Preview must refuse it
// without loading it; B/op is what it costs.
func BenchmarkPreviewBigFile(b *testing.B) {
	g := MustGit(b)
	root := b.TempDir()
	work := filepath.Join(root, "w")
	g.Run(root, "init", "-q", "-b", "main", work)
	p := filepath.Join(work, "stacks", "chat", "template.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.Truncate(p, 512<<20); err != nil {
		b.Fatal(err)
	}
	g.Run(work, "add", ".")
	g.Run(work, "commit", "-q", "-m", "zeros")
	os.Remove(p) // only the repository holds it now
	c := newClient(b)
	l := Link{Repo: work, Folder: "stacks/chat"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Preview(context.Background(), l, stackFiles("v1\n")); !errors.Is(err, ErrConflict) {
			b.Fatal(err)
		}
	}
}

// BenchmarkFetchBigObject is the same repository as a remote: the fetch
// refuses the 512 MB object from the pack's headers, at the default
// MaxObjectSize, before go-git unpacks it.
func BenchmarkFetchBigObject(b *testing.B) {
	g := MustGit(b)
	root := b.TempDir()
	bare := filepath.Join(root, "big.git")
	g.Run(root, "init", "-q", "--bare", "-b", "main", bare)
	work := filepath.Join(root, "w")
	g.Run(root, "init", "-q", "-b", "main", work)
	p := filepath.Join(work, "stacks", "chat", "template.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.Truncate(p, 512<<20); err != nil {
		b.Fatal(err)
	}
	g.Run(work, "add", ".")
	g.Run(work, "commit", "-q", "-m", "zeros")
	g.Run(work, "push", "-q", bare, "main")
	l := Link{Repo: fileURL(bare), Folder: "stacks/chat"}
	b.ReportAllocs()
	for b.Loop() {
		c := newClient(b) // a fresh cache: every round fetches
		if _, err := c.Preview(context.Background(), l, stackFiles("v1\n")); !errors.Is(err, ErrTooBig) {
			b.Fatal(err)
		}
	}
}
