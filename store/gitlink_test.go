package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/switchboard-dev/switchboard/model"
	"github.com/switchboard-dev/switchboard/store"
)

func TestGitLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "switchboard.db")
	s := MustOpenPath(t, path)
	if s.Path() != path {
		t.Fatalf("Path() = %q, want %q", s.Path(), path)
	}
	st := MustCreate(t, s, MustExample(t, "chat", "chat"))

	_, err := s.GitLink(ctx, st.ID)
	assertCode(t, err, model.ENOTFOUND, "not linked")

	want := &store.GitLink{StackID: st.ID, Repo: "https://example.com/r.git", Branch: "main", Folder: "stacks/chat",
		AuthorName: "Ada", AuthorEmail: "ada@example.com", TokenRef: "0123abcd", CreateBranch: true}
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
		err := s.SaveGitLink(ctx, &store.GitLink{StackID: 999, Repo: "r", Branch: "main"})
		assertCode(t, err, model.ENOTFOUND, "no stack")
	})
	t.Run("ErrTokenRefNotHex", func(t *testing.T) {
		err := s.SaveGitLink(ctx, &store.GitLink{StackID: st.ID, Repo: "r", Branch: "main", TokenRef: "../x"})
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
