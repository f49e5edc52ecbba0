package gitlink

import (
	"context"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const skipGitMessage = "git is not installed: the gitlink tests check repositories with the git command (set SWITCHBOARD_REQUIRE_TOOLS=1 to make this fatal)"

// fixedNow is the clock of every test commit, so commit ids are reproducible.
func fixedNow() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC) }

// gitCLI runs the git command in an environment that the developer's own
// configuration cannot leak into (STYLE §7, git row).
type gitCLI struct {
	tb   testing.TB
	path string
	env  []string
}

// MustGit finds git or skips the test (fails when SWITCHBOARD_REQUIRE_TOOLS=1).
func MustGit(tb testing.TB) *gitCLI {
	tb.Helper()
	p, err := exec.LookPath("git")
	if err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
			tb.Fatal(skipGitMessage)
		}
		tb.Skip(skipGitMessage)
	}
	home := tb.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Other Dev", "GIT_AUTHOR_EMAIL=other@example.com",
		"GIT_COMMITTER_NAME=Other Dev", "GIT_COMMITTER_EMAIL=other@example.com",
		"GIT_AUTHOR_DATE=2026-03-04T06:00:00Z", "GIT_COMMITTER_DATE=2026-03-04T06:00:00Z",
		"GIT_TERMINAL_PROMPT=0",
	}
	return &gitCLI{tb: tb, path: p, env: env}
}

// Run runs git in dir and returns its trimmed output, failing the test on error.
func (g *gitCLI) Run(dir string, args ...string) string {
	g.tb.Helper()
	out, err := g.Try(dir, args...)
	if err != nil {
		g.tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Try runs git in dir and returns its output and error.
func (g *gitCLI) Try(dir string, args ...string) (string, error) {
	cmd := exec.Command(g.path, args...)
	cmd.Dir = dir
	cmd.Env = g.env
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// Fsck fails the test unless the repository passes git fsck --strict.
func (g *gitCLI) Fsck(dir string) {
	g.tb.Helper()
	g.Run(dir, "fsck", "--strict", "--no-progress")
}

// MustBareRepo creates a bare repository with a main branch holding one
// commit (a README outside any stack folder) and returns its path.
func (g *gitCLI) MustBareRepo(root, name string) string {
	g.tb.Helper()
	bare := filepath.Join(root, name)
	g.Run(root, "init", "-q", "--bare", "-b", "main", bare)
	g.Run(bare, "config", "http.receivepack", "true")
	seed := g.tb.TempDir()
	g.Run(seed, "clone", "-q", bare, "w")
	w := filepath.Join(seed, "w")
	writeFile(g.tb, filepath.Join(w, "README.md"), "hello\n")
	g.Run(w, "add", ".")
	g.Run(w, "commit", "-q", "-m", "seed")
	g.Run(w, "push", "-q", "origin", "HEAD:main")
	return bare
}

// MustClone clones repo into a fresh folder and returns it.
func (g *gitCLI) MustClone(repo string) string {
	g.tb.Helper()
	dir := filepath.Join(g.tb.TempDir(), "clone")
	g.Run(filepath.Dir(dir), "clone", "-q", repo, dir)
	return dir
}

// MustHTTPServer serves the bare repositories under root over smart HTTP
// with `git http-backend` behind basic auth (user alice), like
// golang/go's cmd/go/internal/vcweb/git.go, and returns the base URL.
func (g *gitCLI) MustHTTPServer(root, password string) string {
	g.tb.Helper()
	backend := &cgi.Handler{
		Path: g.path,
		Args: []string{"http-backend"},
		Dir:  root,
		// "Not a git repository" for the ErrNotFound case is expected.
		Stderr: io.Discard,
		Env:    append([]string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}, g.env...),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "alice" || pass != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	g.tb.Cleanup(srv.Close)
	return srv.URL
}

func writeFile(tb testing.TB, p, content string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func readFile(tb testing.TB, p string) string {
	tb.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// stackFiles is a small generated stack: a template plus a scaffold.
func stackFiles(template string) map[string]File {
	return map[string]File{
		"template.yaml":                {Data: []byte(template)},
		"functions/onconnect/index.js": {Data: []byte("exports.handler = async () => ({ statusCode: 200 });\n"), CreateOnly: true},
	}
}

func newClient(tb testing.TB) *Client {
	return &Client{CacheDir: filepath.Join(tb.TempDir(), "cache"), Now: fixedNow}
}

func mustCommit(tb testing.TB, c *Client, l Link, template, msg string) Result {
	tb.Helper()
	res, err := c.Commit(context.Background(), l, stackFiles(template), msg)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func fileURL(p string) string { return "file://" + filepath.ToSlash(p) }
