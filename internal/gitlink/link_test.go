//go:build !race

// These tests drive the link from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; limits_test.go and remote_test.go run under
// -race).

package gitlink

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestLinkValidate(t *testing.T) {
	t.Parallel()
	ok := []Link{
		{Repo: "/tmp/repo"},
		{Repo: "relative/repo", Folder: "stacks/chat", Branch: "feature/x"},
		{Repo: "https://github.com/o/r.git", Auth: Auth{Token: "t"}},
		{Repo: "http://127.0.0.1:8080/r.git", Auth: Auth{Token: "t"}},
		{Repo: "ssh://git@host/o/r.git", Auth: Auth{SSHKeyFile: "/k"}},
		{Repo: "git@github.com:o/r.git"},
		{Repo: "file:///srv/r.git", Folder: "."},
	}
	for _, l := range ok {
		if err := l.Validate(); err != nil {
			t.Errorf("%+v: unexpected error %v", l, err)
		}
	}
	bad := []struct {
		name string
		link Link
		want string
	}{
		{"ErrEmptyRepo", Link{Repo: " "}, "no repository"},
		{"ErrScheme", Link{Repo: "ftp://host/r.git"}, `unsupported URL scheme "ftp"`},
		{"ErrNoHost", Link{Repo: "https:///r.git"}, "no host"},
		{"ErrPasswordInURL", Link{Repo: "https://u:hunter2@host/r.git"}, "must not contain credentials"},
		{"ErrTokenAsUserInURL", Link{Repo: "https://hunter2@host/r.git"}, "must not contain credentials"},
		{"ErrTokenAsUserOverHTTP", Link{Repo: "http://hunter2@127.0.0.1:8080/r.git"}, "must not contain credentials"},
		{"ErrPasswordInSSHURL", Link{Repo: "ssh://git:hunter2@host/r.git"}, "must not contain credentials"},
		{"ErrTokenOverHTTP", Link{Repo: "http://example.com/r.git", Auth: Auth{Token: "t"}}, "plain http://"},
		{"ErrTokenOverSSH", Link{Repo: "git@host:r.git", Auth: Auth{Token: "t"}}, "https:// URLs only"},
		{"ErrTokenLocal", Link{Repo: "/tmp/r", Auth: Auth{Token: "t"}}, "only used with remote"},
		{"ErrFolderEscapes", Link{Repo: "/r", Folder: "../x"}, `".."`},
		{"ErrFolderInnerDotDot", Link{Repo: "/r", Folder: "a/../../x"}, "clean path"},
		{"ErrFolderAbsolute", Link{Repo: "/r", Folder: "/etc"}, "relative"},
		{"ErrFolderDotGit", Link{Repo: "/r", Folder: ".git/hooks"}, ".git"},
		{"ErrFolderUnclean", Link{Repo: "/r", Folder: "a//b"}, "clean path"},
		{"ErrBranchSpace", Link{Repo: "/r", Branch: "my branch"}, "branch name"},
		{"ErrBranchDots", Link{Repo: "/r", Branch: "a..b"}, "branch name"},
		{"ErrBranchLock", Link{Repo: "/r", Branch: "x.lock"}, "branch name"},
		{"ErrBranchDash", Link{Repo: "/r", Branch: "-x"}, "branch name"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.link.Validate()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("message %q does not mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("message %q leaks the password", err)
			}
		})
	}
}

func TestCredentialsInURLRefused(t *testing.T) {
	t.Parallel()
	for _, repo := range []string{"https://u:hunter2@host/r.git", "https://hunter2@host/r.git", "http://hunter2:x-oauth-basic@localhost/r.git"} {
		err := Link{Repo: repo}.Validate()
		if !errors.Is(err, ErrCredentialsInURL) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrCredentialsInURL", repo, err)
		}
		if shown := DisplayURL(repo); strings.Contains(shown, "hunter2") || !strings.Contains(shown, "***@") {
			t.Errorf("DisplayURL(%s) = %s", repo, shown)
		}
	}
	// An ssh:// user name is not a secret.
	if err := (Link{Repo: "ssh://git@host/r.git"}).Validate(); err != nil {
		t.Errorf("ssh user: %v", err)
	}
	if got := DisplayURL("ssh://git@host/r.git"); got != "ssh://git@host/r.git" {
		t.Errorf("DisplayURL(ssh) = %s", got)
	}
}

func TestIsRemote(t *testing.T) {
	t.Parallel()
	for repo, want := range map[string]bool{
		"/srv/repo": false, "repo": false, `C:\repo`: false, "./a:b": false,
		"https://h/r": true, "file:///r": true, "git@h:o/r.git": true, "ssh://h/r": true,
	} {
		if got := (Link{Repo: repo}).IsRemote(); got != want {
			t.Errorf("IsRemote(%q) = %v, want %v", repo, got, want)
		}
	}
}

func TestAuthNeverPrinted(t *testing.T) {
	t.Parallel()
	const token, pass = "tok-SECRET-123", "pass-SECRET-456"
	l := Link{Repo: "https://h/r.git", Auth: Auth{Username: "alice", Token: token, SSHKeyPassphrase: pass}}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("link", "link", l, "auth", l.Auth, "any", slog.AnyValue(l))
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s %v", l, l, l, l.Auth, l.Auth)
	for _, s := range []string{token, pass} {
		if strings.Contains(out, s) {
			t.Fatalf("secret printed: %s", out)
		}
	}
	if !strings.Contains(out, "***") {
		t.Errorf("expected *** in %s", out)
	}
}

func TestTransportErrorRedacts(t *testing.T) {
	t.Parallel()
	l := Link{Repo: "https://h/r.git", Auth: Auth{Token: "SECRET"}}
	err := transportError("push to", l, errors.New("server said: bad token SECRET"))
	if strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("token in %q", err)
	}
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "SECRET") {
			t.Fatalf("token in wrapped %q", e)
		}
	}
}
