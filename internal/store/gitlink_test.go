//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

func TestGitLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	s := MustOpenPath(t, path)
	if s.Path() != path {
		t.Fatalf("Path() = %q, want %q", s.Path(), path)
	}
	st := MustCreate(t, s, MustExample(t, "chat", "chat"))

	_, err := s.GitLink(ctx, st.ID)
	assertCode(t, err, model.ENOTFOUND, "not linked")

	want := &store.GitLink{StackID: st.ID, GitLink: model.GitLink{Repo: "https://example.com/r.git", Branch: "main", Folder: "stacks/chat",
		AuthorName: "Ada", AuthorEmail: "ada@example.com", CreateBranch: true}, TokenRef: "0123abcd"}
	if err := s.SaveGitLink(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.GitLink(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.UpdatedAt = want.UpdatedAt
	if *got != *want {
		t.Fatalf("got %+v, want %+v", got, want)
	}

	t.Run("Replace", func(t *testing.T) {
		want.Branch, want.TokenRef, want.CreateBranch = "dev", "", false
		if err := s.SaveGitLink(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, _ := s.GitLink(ctx, st.ID)
		if got.Branch != "dev" || got.TokenRef != "" || got.CreateBranch {
			t.Fatalf("not replaced: %+v", got)
		}
	})
	t.Run("ErrNoStack", func(t *testing.T) {
		err := s.SaveGitLink(ctx, &store.GitLink{StackID: 999, GitLink: model.GitLink{Repo: "r", Branch: "main"}})
		assertCode(t, err, model.ENOTFOUND, "no stack")
	})
	t.Run("ErrTokenRefNotHex", func(t *testing.T) {
		err := s.SaveGitLink(ctx, &store.GitLink{StackID: st.ID, GitLink: model.GitLink{Repo: "r", Branch: "main"}, TokenRef: "../x"})
		assertCode(t, err, model.EINVALID, "git_link_token_ref")
	})
	t.Run("DeletedWithStack", func(t *testing.T) {
		if err := s.DeleteStack(ctx, st.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := MustRawDB(t, path).QueryRow(`SELECT count(*) FROM git_links`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d links left (%v)", n, err)
		}
	})
}

// TestGitLink_TokenFileGoesWithRow: the store removes the token file a link
// names whenever the row goes or names another, so deleting a stack by any
// path (server, CLI, or the store itself) leaves no token behind.
func TestGitLink_TokenFileGoesWithRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpenPath(t, storetest.Path(t, "switchboard.db"))
	if s.SecretsDir() != filepath.Join(filepath.Dir(s.Path()), store.SecretsFolder) {
		t.Fatalf("SecretsDir() = %q", s.SecretsDir())
	}
	if err := os.MkdirAll(s.SecretsDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	token := func(ref string) string {
		t.Helper()
		p := filepath.Join(s.SecretsDir(), ref)
		if err := os.WriteFile(p, []byte("tok"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gone := func(p, when string) {
		t.Helper()
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s: token file %s still there (%v)", when, filepath.Base(p), err)
		}
	}
	link := func(stackID int64, ref string) {
		t.Helper()
		if err := s.SaveGitLink(ctx, &store.GitLink{StackID: stackID, GitLink: model.GitLink{Repo: "r", Branch: "main"}, TokenRef: ref}); err != nil {
			t.Fatal(err)
		}
	}

	st := MustCreate(t, s, MustExample(t, "chat", "chat"))
	first, second := token("0a"), token("0b")
	link(st.ID, "0a")
	link(st.ID, "0a") // saved again with the same token: kept
	if _, err := os.Stat(first); err != nil {
		t.Fatalf("the token of a link saved again was removed: %v", err)
	}
	link(st.ID, "0b")
	gone(first, "SaveGitLink with another token")
	if err := s.DeleteStack(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	gone(second, "DeleteStack")

	other := MustCreate(t, s, MustExample(t, "chat", "other"))
	third := token("0c")
	link(other.ID, "0c")
	if err := s.DeleteGitLink(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	gone(third, "DeleteGitLink")
	// A stack that is not there is refused, and touches no file.
	kept := token("0d")
	assertCode(t, s.DeleteStack(ctx, 999), model.ENOTFOUND, "no stack")
	if _, err := os.Stat(kept); err != nil {
		t.Fatal(err)
	}
}
