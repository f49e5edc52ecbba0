package model

import (
	"net/mail"
	"strings"
)

// GitLink says where a stack is committed: a repository, a branch and a
// folder in it, the author of the commits and how to reach a remote. It is
// the one shape of a link: the store keeps it (with the name of the token
// file), publish turns it into the Git operation's link, and the server and
// the command line show and edit it. It holds no secret: an HTTPS token is
// kept in a file of its own.
type GitLink struct {
	// Repo is a local folder or a remote URL.
	Repo string
	// Branch; the repository's default branch when empty.
	Branch string
	// Folder is the stack's folder in the repository, slash-separated and
	// relative; empty is the repository's root.
	Folder string
	// AuthorName and AuthorEmail sign the commits; Git's defaults when
	// empty.
	AuthorName, AuthorEmail string
	// Username for HTTPS with a token; optional.
	Username string
	// SSHKeyFile is the path of a private key for ssh remotes.
	SSHKeyFile string
	// CreateBranch: create Branch on a remote that lacks it.
	CreateBranch bool
}

// Author is the author as a person writes it: "Name <email>".
func (l GitLink) Author() string {
	switch {
	case l.AuthorEmail == "":
		return l.AuthorName
	case l.AuthorName == "":
		return "<" + l.AuthorEmail + ">"
	}
	return l.AuthorName + " <" + l.AuthorEmail + ">"
}

// SetAuthor reads "Name <email>" (or just an email) into AuthorName and
// AuthorEmail; empty clears them. It returns EINVALID for anything else.
func (l *GitLink) SetAuthor(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		l.AuthorName, l.AuthorEmail = "", ""
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return Errorf(EINVALID, "Author %q should read like: Ada Lovelace <ada@example.com>", s)
	}
	l.AuthorName, l.AuthorEmail = a.Name, a.Address
	return nil
}
