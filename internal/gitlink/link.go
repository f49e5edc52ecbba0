package gitlink

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// Defaults used when a Link leaves the field empty.
const (
	DefaultBranch      = "main"
	DefaultAuthorName  = "Switchboard"
	DefaultAuthorEmail = "switchboard@localhost"
)

// redacted replaces every secret in printed values and error messages.
const redacted = "***"

// Auth holds the credentials for a remote repository. It is never printed:
// String, GoString and LogValue all return "***", so an Auth (or a Link
// holding one) can be passed to fmt or slog safely.
type Auth struct {
	// Username for HTTPS basic auth. When empty and Token is set, "git" is
	// used: GitHub, GitLab and Gitea accept any user name with a token.
	Username string
	// Token is the password or personal access token for HTTPS remotes.
	Token string
	// SSHKeyFile is the path of a private key for ssh:// and git@host:path
	// remotes. When empty, go-git falls back to the SSH agent.
	SSHKeyFile string
	// SSHKeyPassphrase decrypts SSHKeyFile, if it is encrypted.
	SSHKeyPassphrase string
}

// String implements fmt.Stringer and never reveals the credentials.
func (Auth) String() string { return redacted }

// GoString implements fmt.GoStringer so that %#v does not reveal the credentials.
func (Auth) GoString() string { return redacted }

// LogValue implements slog.LogValuer and never reveals the credentials.
func (Auth) LogValue() slog.Value { return slog.StringValue(redacted) }

// secrets lists the values that must never appear in messages.
func (a Auth) secrets() []string {
	var s []string
	for _, v := range []string{a.Token, a.SSHKeyPassphrase} {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

// Link says where a stack's files go: a repository, a branch and a folder
// inside it, plus the author of the commits and the credentials for remotes.
type Link struct {
	// Repo is a local folder path (the root of a repository, or an empty or
	// missing folder to initialise) or a remote URL: https://, http://
	// (tokens only on loopback), ssh://, git@host:path or file://.
	Repo string
	// Branch is the branch to commit to; DefaultBranch when empty.
	Branch string
	// Folder is the stack's folder inside the repository, e.g. "stacks/chat":
	// a clean slash-separated relative path. Empty means the repository root.
	Folder string
	// AuthorName and AuthorEmail sign the commits; DefaultAuthorName and
	// DefaultAuthorEmail when empty.
	AuthorName, AuthorEmail string
	// CreateBranch lets Commit create Branch when a remote lacks it (after
	// Check reported ErrBranchMissing and the user agreed). The new branch
	// starts at the remote's default branch, or as a root commit when the
	// remote is empty. Local branches are always created as needed.
	CreateBranch bool
	// Overwrite lets Commit replace files that changed upstream since
	// Switchboard last committed them (after Commit or Preview reported the
	// conflict and the user chose to keep Switchboard's version). It never
	// overwrites uncommitted changes in a local working tree.
	Overwrite bool
	// Auth holds the credentials for remote repositories.
	Auth Auth
	// OwnerFile and IsOwner recognise a folder the caller already wrote:
	// IsOwner gets the content of OwnerFile (relative to Folder) at the
	// branch tip. When the folder is not recognised, a commit that would
	// replace files already there is a *ConflictError (Foreign) unless
	// Overwrite: they are somebody else's. Files are only ever added
	// next to theirs without asking. A nil IsOwner takes every folder as
	// the caller's.
	OwnerFile string
	IsOwner   func(data []byte) bool
}

// LogValue implements slog.LogValuer: the repository, branch and folder,
// without credentials.
func (l Link) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("repo", l.displayRepo()),
		slog.String("branch", l.branch()),
		slog.String("folder", l.Folder),
	)
}

// IsRemote reports whether Repo is a URL (https://, http://, ssh://, file://
// or scp-like git@host:path) rather than a local folder path.
func (l Link) IsRemote() bool {
	return strings.Contains(l.Repo, "://") || isSCPLike(l.Repo)
}

// isSCPLike reports whether s looks like user@host:path. The user part is
// required, so a Windows path such as C:\repo is never taken for a URL.
func isSCPLike(s string) bool {
	colon := strings.Index(s, ":")
	if colon <= 0 || strings.Contains(s, "://") {
		return false
	}
	at := strings.Index(s, "@")
	return at > 0 && at < colon && !strings.ContainsAny(s[:colon], `/\`)
}

// branch returns Branch or DefaultBranch.
func (l Link) branch() string {
	if l.Branch == "" {
		return DefaultBranch
	}
	return l.Branch
}

// branchRef returns refs/heads/<branch>.
func (l Link) branchRef() plumbing.ReferenceName {
	return plumbing.NewBranchReferenceName(l.branch())
}

// folder returns Folder with "." mapped to the repository root ("").
func (l Link) folder() string {
	if l.Folder == "." {
		return ""
	}
	return l.Folder
}

// repoPath joins a stack-relative path onto Folder.
func (l Link) repoPath(p string) string {
	if f := l.folder(); f != "" {
		return f + "/" + p
	}
	return p
}

// displayRepo is Repo as it may appear in messages: without credentials.
// Only an ssh:// user name is kept; over http(s) a lone user name may be a
// token.
func (l Link) displayRepo() string {
	return DisplayURL(l.Repo)
}

// DisplayURL is a repository address as it may be shown or logged: any
// password, and the user part of an http(s) URL, become "***".
func DisplayURL(repo string) string {
	u, err := url.Parse(repo)
	if err != nil || u.User == nil || !strings.Contains(repo, "://") {
		return repo
	}
	if u.Scheme == "ssh" && !hasPassword(u) {
		return repo
	}
	u.User = url.User("xxxxx")
	return strings.Replace(u.String(), "xxxxx", redacted, 1)
}

func hasPassword(u *url.URL) bool {
	_, ok := u.User.Password()
	return ok
}

// Validate checks the Link without touching the disk or the network. Every
// error wraps ErrInvalid and says what to fix.
func (l Link) Validate() error {
	if strings.TrimSpace(l.Repo) == "" {
		return invalidf("no repository: choose a local folder or a remote URL")
	}
	if l.IsRemote() {
		if err := l.validateURL(); err != nil {
			return err
		}
	} else if l.Auth.Token != "" || l.Auth.SSHKeyFile != "" {
		return invalidf("credentials are only used with remote URLs, but %q is a local folder", l.Repo)
	}
	if err := validateFolder(l.Folder); err != nil {
		return err
	}
	b := l.branch()
	if err := plumbing.NewBranchReferenceName(b).Validate(); err != nil ||
		strings.HasPrefix(b, "-") || strings.HasPrefix(b, "refs/") || b == "HEAD" {
		return invalidf("branch name %q is not valid in Git (no spaces, \"..\", \"~^:?*[\\\", or trailing \".lock\")", b)
	}
	if strings.ContainsAny(l.AuthorName+l.AuthorEmail, "<>\n") {
		return invalidf("author name and email must not contain '<', '>' or line breaks")
	}
	return nil
}

// validateURL checks a remote Repo.
func (l Link) validateURL() error {
	if isSCPLike(l.Repo) {
		if l.Auth.Token != "" {
			return invalidf("a token works with https:// URLs only; %q is an SSH address (use an SSH key)", l.Repo)
		}
		return nil
	}
	u, err := url.Parse(l.Repo)
	if err != nil {
		// url.Parse echoes the input, which might hold a password.
		return invalidf("repository URL cannot be parsed")
	}
	if u.User != nil && (u.Scheme != "ssh" || hasPassword(u)) {
		// https://tok@host/… is as much a secret as https://user:tok@host/…:
		// a URL is shown, logged and stored, a token must be none of these.
		return fmt.Errorf("gitlink: the repository URL must not contain credentials (a user name, password or token before \"@\"): remove them and pass the token separately: %w", ErrCredentialsInURL)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if l.Auth.Token != "" && !isLoopback(u.Hostname()) {
			return invalidf("refusing to send a token over plain http:// to %s: use https://", u.Hostname())
		}
	case "ssh":
		if l.Auth.Token != "" {
			return invalidf("a token works with https:// URLs only; use an SSH key for ssh://")
		}
	case "file":
		if u.Path == "" {
			return invalidf("file:// URL has no path")
		}
		return nil
	default:
		return invalidf("unsupported URL scheme %q: use https://, ssh://, git@host:path, file:// or a local folder", u.Scheme)
	}
	if u.Host == "" {
		return invalidf("repository URL has no host")
	}
	if u.Path == "" || u.Path == "/" {
		return invalidf("repository URL has no repository path")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validateFolder checks Link.Folder: a clean relative path inside the repository.
func validateFolder(f string) error {
	if f == "" || f == "." {
		return nil
	}
	if err := validateRelPath(f); err != nil {
		return invalidf("folder %q: %v", f, err)
	}
	return nil
}

// validateRelPath checks a clean, slash-separated path that stays inside
// its root and never reaches into .git.
func validateRelPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case strings.Contains(p, `\`):
		return errors.New(`use "/" as separator`)
	case strings.HasPrefix(p, "/"):
		return errors.New("must be relative")
	case path.Clean(p) != p || p == ".":
		return errors.New("must be a clean path (no \"./\", \"//\" or trailing \"/\")")
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return errors.New(`must not contain ".."`)
		}
		if strings.EqualFold(el, ".git") {
			return errors.New(`must not contain ".git"`)
		}
	}
	return nil
}

// transportAuth builds go-git's auth method. It is the only place the
// token and the passphrase are passed on.
func (l Link) transportAuth() (transport.AuthMethod, error) {
	if l.Auth.Token != "" {
		user := l.Auth.Username
		if user == "" {
			user = "git"
		}
		return &githttp.BasicAuth{Username: user, Password: l.Auth.Token}, nil
	}
	if l.Auth.SSHKeyFile != "" {
		user := "git"
		if u, err := url.Parse(l.Repo); err == nil && u.User != nil && u.User.Username() != "" {
			user = u.User.Username()
		} else if i := strings.Index(l.Repo, "@"); isSCPLike(l.Repo) && i > 0 {
			user = l.Repo[:i]
		}
		keys, err := gitssh.NewPublicKeysFromFile(user, l.Auth.SSHKeyFile, l.Auth.SSHKeyPassphrase)
		if err != nil {
			return nil, fmt.Errorf("gitlink: load SSH key %s: %w", l.Auth.SSHKeyFile, ErrAuth)
		}
		return keys, nil
	}
	return nil, nil
}
