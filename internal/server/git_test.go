package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// skipGitMessage is the one message the tests needing the git command skip
// with.
const skipGitMessage = "Git tests check commits with the git command; install git (apt-get install git)"

func gitPath(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("git")
	if err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
			tb.Fatal(skipGitMessage)
		}
		tb.Skip(skipGitMessage)
	}
	return p
}

// mustGit runs git in dir without the developer's or the system's config.
func mustGit(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(gitPath(tb), args...)
	cmd.Dir = dir
	home := tb.TempDir()
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+home, "XDG_CONFIG_HOME="+home,
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// mustBareRepo makes a bare repository with one commit on main, as a
// hosted repository would have, and returns its file:// URL.
func mustBareRepo(tb testing.TB) (dir, fileURL string) {
	tb.Helper()
	root := tb.TempDir()
	dir = filepath.Join(root, "remote.git")
	mustGit(tb, root, "init", "-q", "--bare", "-b", "main", dir)
	seed := filepath.Join(root, "seed")
	mustGit(tb, root, "init", "-q", "-b", "main", seed)
	mustGit(tb, seed, "commit", "-q", "--allow-empty", "-m", "initial")
	mustGit(tb, seed, "push", "-q", dir, "main")
	return dir, "file://" + dir
}

// mustServeLogged is mustServe with the server's log kept in a buffer.
func mustServeLogged(tb testing.TB) (*httptest.Server, *store.Store, *bytes.Buffer, string) {
	tb.Helper()
	db := storetest.Path(tb, "test.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := httptest.NewServer(server.New(server.Options{Store: st, Logger: log}).Handler())
	tb.Cleanup(ts.Close)
	return ts, st, &logs, db
}

func postForm(tb testing.TB, ts *httptest.Server, path string, form url.Values, header http.Header) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest("POST", ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func mustChat(tb testing.TB, st *store.Store, name string) *model.Stack {
	tb.Helper()
	chat, _ := model.Example("chat", name)
	created, err := st.CreateStack(context.Background(), chat)
	if err != nil {
		tb.Fatal(err)
	}
	return created
}

// awaitJob takes the answer to a request that started a Git job (a 303 to
// the job's page), polls that page until the job has ended and returns
// the page then.
func awaitJob(tb testing.TB, ts *httptest.Server) func(*http.Response, string) (*http.Response, string) {
	return func(resp *http.Response, body string) (*http.Response, string) {
		tb.Helper()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "/jobs/") {
			tb.Fatalf("want a 303 to a job's page, got %d %q\n%s", resp.StatusCode, loc, body)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, body := do(tb, ts, "GET", loc, nil)
			if !strings.Contains(body, `data-job-state="running"`) {
				return resp, body
			}
			if time.Now().After(deadline) {
				tb.Fatalf("the job at %s did not end:\n%s", loc, body)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

var hashRE = regexp.MustCompile(`data-testid="commit-hash">([0-9a-f]{40})<`)

func TestGitLinkSaveRefusesBadRepository(t *testing.T) {
	t.Parallel()
	ts, st, _, _ := mustServeLogged(t)
	chat := mustChat(t, st, "chat")
	base := "/stacks/" + strconv.FormatInt(chat.ID, 10) + "/git"
	for _, tc := range []struct{ name, repo, want string }{
		{"UnsupportedScheme", "ftp://example.com/r.git", "nsupported URL scheme"},
		{"PasswordInURL", "https://u:pw-S3CRET@example.com/r.git", "HTTPS token field"},
		{"TokenInURL", "https://ghp-S3CRET@example.com/r.git", "HTTPS token field"},
		{"MissingRepository", "file://" + filepath.Join(t.TempDir(), "nope.git"), "Repository not found"},
		{"BadAuthor", t.TempDir(), "Author"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"repo": {tc.repo}}
			if tc.name == "BadAuthor" {
				form.Set("author", "not an address")
			}
			resp, body := awaitJob(t, ts)(postForm(t, ts, base+"/link", form, nil))
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="link-error"`) || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d, want 422 with %q:\n%s", resp.StatusCode, tc.want, body)
			}
			if strings.Contains(body, "S3CRET") {
				t.Fatalf("the page shows the token back:\n%s", body)
			}
		})
	}
	if _, err := st.GitLink(context.Background(), chat.ID); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("a refused link must not be saved: %v", err)
	}
	t.Run("OpenWithTokenInURL", func(t *testing.T) {
		resp, body := awaitJob(t, ts)(postForm(t, ts, "/stacks/open", url.Values{"repo": {"https://ghp-S3CRET@example.com/r.git"}}, nil))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "HTTPS token field") || strings.Contains(body, "S3CRET") {
			t.Fatalf("got %d, want 422 pointing at the token field, without the token:\n%s", resp.StatusCode, body)
		}
	})
	t.Run("MissingBranchOffersToCreateIt", func(t *testing.T) {
		_, repoURL := mustBareRepo(t)
		form := url.Values{"repo": {repoURL}, "branch": {"infra"}}
		resp, body := awaitJob(t, ts)(postForm(t, ts, base+"/link", form, nil))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="create-branch"`) {
			t.Fatalf("got %d, want 422 offering to create the branch:\n%s", resp.StatusCode, body)
		}
		form.Set("create_branch", "1")
		if resp, body := awaitJob(t, ts)(postForm(t, ts, base+"/link", form, nil)); resp.StatusCode != http.StatusOK || !strings.Contains(body, "saved the link") {
			t.Fatalf("with create_branch: %d\n%s", resp.StatusCode, body)
		}
	})
}

func TestGitCommitEndpoints(t *testing.T) {
	t.Parallel()
	ts, st, logs, db := mustServeLogged(t)
	chat := mustChat(t, st, "chat")
	base := "/stacks/" + strconv.FormatInt(chat.ID, 10) + "/git"
	bare, repoURL := mustBareRepo(t)

	_, body := do(t, ts, "GET", "/stacks/"+strconv.FormatInt(chat.ID, 10), nil)
	if !strings.Contains(body, `href="`+base+`"`) || !strings.Contains(body, `data-testid="commit-to-repo"`) {
		t.Fatal("the canvas should have a Commit to repo button")
	}

	// A token with file:// is accepted by gitlink and unused by it: enough
	// to see where the token goes.
	const token = "tok-9f8e7d6c5b4a"
	resp, body := awaitJob(t, ts)(postForm(t, ts, base+"/link", url.Values{"repo": {repoURL}, "folder": {"infra/chat"},
		"author": {"Ada <ada@example.com>"}, "token": {token}}, nil))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="token-saved"`) {
		t.Fatalf("link save: %d\n%s", resp.StatusCode, body)
	}

	t.Run("CrossOriginRefused", func(t *testing.T) {
		resp, _ := postForm(t, ts, base+"/commit", url.Values{"message": {"evil"}},
			http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a cross-origin commit must be refused, got %d", resp.StatusCode)
		}
		resp, _ = postForm(t, ts, base+"/link", url.Values{"repo": {"/tmp/evil"}},
			http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a cross-origin link save must be refused, got %d", resp.StatusCode)
		}
	})

	resp, body = awaitJob(t, ts)(do(t, ts, "GET", base+"/preview", nil))
	for _, want := range []string{"template.yaml", "switchboard.json", "functions/send-handler/index.mjs", "+++ b/infra/chat/template.yaml", `data-testid="commit-message"`} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("preview lacks %q (%d):\n%s", want, resp.StatusCode, body)
		}
	}

	resp, body = awaitJob(t, ts)(postForm(t, ts, base+"/commit", url.Values{"message": {"Chat from the web"}}, nil))
	m := hashRE.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("commit: %d\n%s", resp.StatusCode, body)
	}
	if head := strings.TrimSpace(mustGit(t, bare, "rev-parse", "main")); head != m[1] {
		t.Fatalf("remote main %s, page says %s", head, m[1])
	}
	if got := mustGit(t, bare, "log", "-1", "--format=%an|%s", "main"); strings.TrimSpace(got) != "Ada|Chat from the web" {
		t.Fatalf("git log: %q", got)
	}
	mustGit(t, bare, "cat-file", "-e", "main:infra/chat/switchboard.json")
	mustGit(t, bare, "fsck", "--strict")
	if n := strings.TrimSpace(mustGit(t, bare, "rev-list", "--count", "main")); n != "2" {
		t.Fatalf("%s commits, want the initial one and ours (none from the cross-origin request)", n)
	}

	_, body = do(t, ts, "GET", base+"/history", nil)
	if !strings.Contains(body, "Chat from the web") || strings.Contains(body, "initial") {
		t.Fatalf("history should list the stack folder's commits only:\n%s", body)
	}

	resp, body = awaitJob(t, ts)(postForm(t, ts, base+"/commit", url.Values{"message": {"again"}}, nil))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Nothing to commit") {
		t.Fatalf("second commit: %d\n%s", resp.StatusCode, body)
	}

	t.Run("ConflictOffersOverwrite", func(t *testing.T) {
		work := filepath.Join(t.TempDir(), "w")
		mustGit(t, filepath.Dir(work), "clone", "-q", bare, work)
		if err := os.WriteFile(filepath.Join(work, "infra", "chat", "template.yaml"), []byte("edited upstream\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		mustGit(t, work, "commit", "-qam", "edit upstream")
		mustGit(t, work, "push", "-q", "origin", "main")
		chat, _ := st.Stack(context.Background(), chat.ID)
		chat.Description = "changed"
		if _, err := st.SaveStack(context.Background(), chat); err != nil {
			t.Fatal(err)
		}
		resp, body := awaitJob(t, ts)(postForm(t, ts, base+"/commit", url.Values{"message": {"mine"}}, nil))
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "template.yaml") || !strings.Contains(body, `data-testid="overwrite"`) {
			t.Fatalf("want 409 naming template.yaml and offering overwrite: %d\n%s", resp.StatusCode, body)
		}
		resp, body = awaitJob(t, ts)(postForm(t, ts, base+"/commit", url.Values{"message": {"mine"}, "overwrite": {"1"}}, nil))
		if resp.StatusCode != http.StatusOK || hashRE.FindString(body) == "" {
			t.Fatalf("overwrite: %d\n%s", resp.StatusCode, body)
		}
	})

	t.Run("InvalidStackRefused", func(t *testing.T) {
		bad, _ := model.Example("chat", "bad")
		bad.Wires = nil
		created, err := st.CreateStack(context.Background(), bad)
		if err != nil {
			t.Fatal(err)
		}
		b := "/stacks/" + strconv.FormatInt(created.ID, 10) + "/git"
		if resp, _ := awaitJob(t, ts)(postForm(t, ts, b+"/link", url.Values{"repo": {repoURL}}, nil)); resp.StatusCode != http.StatusOK {
			t.Fatalf("link: %d", resp.StatusCode)
		}
		resp, body := postForm(t, ts, b+"/commit", url.Values{"message": {"bad"}}, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="commit-problems"`) {
			t.Fatalf("want 422 listing the problems: %d\n%s", resp.StatusCode, body)
		}
		if resp, _ := do(t, ts, "GET", b+"/preview", nil); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("preview of an invalid stack: %d", resp.StatusCode)
		}
	})

	t.Run("OpenFromRepository", func(t *testing.T) {
		resp, _ := awaitJob(t, ts)(postForm(t, ts, "/stacks/open", url.Values{"repo": {repoURL}, "folder": {"infra/chat"}, "name": {"chat-copy"}}, nil))
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/stacks/") {
			t.Fatalf("open: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		copied, err := st.StackByName(context.Background(), "chat-copy")
		if err != nil || len(copied.Functions) != len(chat.Functions) {
			t.Fatalf("opened stack: %v", err)
		}
		resp, body := awaitJob(t, ts)(postForm(t, ts, "/stacks/open", url.Values{"repo": {repoURL}, "folder": {"nowhere"}}, nil))
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="open-error"`) {
			t.Fatalf("open of a folder without a stack: %d\n%s", resp.StatusCode, body)
		}
	})

	t.Run("TokenNeverShownLoggedOrInDatabase", func(t *testing.T) {
		_, body := do(t, ts, "GET", base, nil)
		if strings.Contains(body, token) || !strings.Contains(body, "Token saved") {
			t.Fatal("the page must say a token is saved without showing it")
		}
		if strings.Contains(logs.String(), token) {
			t.Fatalf("the token is in the log:\n%s", logs.String())
		}
		files, _ := filepath.Glob(db + "*")
		for _, p := range files {
			data, _ := os.ReadFile(p)
			if bytes.Contains(data, []byte(token)) {
				t.Fatalf("the token is in %s", p)
			}
		}
	})
}

// TestStackDelete_RemovesTokenFile deletes a linked stack through the
// server's delete handler: its token file goes with it.
func TestStackDelete_RemovesTokenFile(t *testing.T) {
	t.Parallel()
	ts, st, _, db := mustServeLogged(t)
	victim := mustChat(t, st, "victim")
	_, repoURL := mustBareRepo(t)
	path := "/stacks/" + strconv.FormatInt(victim.ID, 10)
	resp, body := awaitJob(t, ts)(postForm(t, ts, path+"/git/link", url.Values{"repo": {repoURL}, "token": {"tok-1234"}}, nil))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="token-saved"`) {
		t.Fatalf("link save: %d\n%s", resp.StatusCode, body)
	}
	secrets := filepath.Join(filepath.Dir(db), store.SecretsFolder)
	if files, _ := os.ReadDir(secrets); len(files) != 1 {
		t.Fatalf("%d token files after linking, want 1", len(files))
	}
	if resp, _ := postForm(t, ts, path+"/delete", url.Values{"confirm": {"yes"}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if files, _ := os.ReadDir(secrets); len(files) != 0 {
		t.Fatalf("%d token files after deleting the stack, want 0", len(files))
	}
}
