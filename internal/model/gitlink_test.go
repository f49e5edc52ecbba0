package model_test

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func TestGitLinkAuthor(t *testing.T) {
	for _, tc := range []struct{ in, name, email, shown string }{
		{"", "", "", ""},
		{"Ada Lovelace <ada@example.com>", "Ada Lovelace", "ada@example.com", "Ada Lovelace <ada@example.com>"},
		{"ada@example.com", "", "ada@example.com", "<ada@example.com>"},
	} {
		l := model.GitLink{AuthorName: "old", AuthorEmail: "old@example.com"}
		err := l.SetAuthor(tc.in)
		if err != nil || l.AuthorName != tc.name || l.AuthorEmail != tc.email || l.Author() != tc.shown {
			t.Errorf("SetAuthor(%q) = %q, %q, %v; Author() = %q", tc.in, l.AuthorName, l.AuthorEmail, err, l.Author())
		}
	}
	var l model.GitLink
	if err := l.SetAuthor("Ada"); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("want EINVALID for a name without an address, got %v", err)
	}
}
