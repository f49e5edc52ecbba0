//go:build !race

// These tests drive the program from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; the run, serve and watch tests run under
// -race).

package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store/storetest"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
)

// skipGitMessage is the one message the tests needing the git command skip
// with (miniflux skipIntegrationTestsMessage).
const skipGitMessage = "Git tests check commits with the git command; install git (apt-get install git)"

// gitPath finds git, skipping the test when it is missing unless
// SWITCHBOARD_REQUIRE_TOOLS=1 makes that a failure.
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

// gitEnv keeps the developer's and the system's git configuration out of
// the tests (STYLE.md §7).
func gitEnv(home string) []string {
	return append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+home, "XDG_CONFIG_HOME="+home,
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
}

// mustGit runs git in dir and returns its output.
func mustGit(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(gitPath(tb), args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(tb.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// runCLIWith runs the program with an environment and a standard input.
func runCLIWith(t *testing.T, db string, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cli := &CLI{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		if k == "SWITCHBOARD_DB" {
			return db
		}
		return env[k]
	}}
	err := cli.Run(context.Background(), args)
	code := exitCode(err, &stderr)
	return result{stdout.String(), stderr.String(), code}
}

var committedRE = regexp.MustCompile(`Committed ([0-9a-f]{40})`)

func TestCommitToLocalRepository(t *testing.T) {
	t.Parallel()
	gitPath(t)
	db := storetest.Path(t, "stacks.db")
	dir := filepath.Dir(db)
	repo := filepath.Join(dir, "repo")
	mustRun(t, db, "new", "chat", "--example", "chat")

	out := mustRun(t, db, "link", "chat")
	if !strings.Contains(out, "not linked") {
		t.Fatalf("link without flags should say the stack is not linked:\n%s", out)
	}
	out = mustRun(t, db, "link", "chat", "--repo", repo, "--author", "Ada Lovelace <ada@example.com>")
	for _, want := range []string{"Checked the repository", repo, "stacks/chat", "Ada Lovelace <ada@example.com>", "credentials  none"} {
		if !strings.Contains(out, want) {
			t.Fatalf("link output lacks %q:\n%s", want, out)
		}
	}

	out = mustRun(t, db, "commit", "chat", "--dry-run")
	for _, want := range []string{"added template.yaml", "added switchboard.json", "added functions/send-handler/index.mjs", "+++ b/stacks/chat/template.yaml"} {
		if !strings.Contains(out, want) {
			t.Fatalf("dry run lacks %q:\n%s", want, out)
		}
	}
	if strings.TrimSpace(mustGit(t, repo, "rev-list", "--all", "--count")) != "0" {
		t.Fatal("a dry run must not commit")
	}

	out = mustRun(t, db, "commit", "chat", "-m", "Add the chat stack")
	m := committedRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("commit should print the commit id:\n%s", out)
	}
	if head := strings.TrimSpace(mustGit(t, repo, "rev-parse", "main")); head != m[1] {
		t.Fatalf("main is at %s, commit printed %s", head, m[1])
	}
	if log := mustGit(t, repo, "log", "--format=%an <%ae>|%s", "main"); strings.TrimSpace(log) != "Ada Lovelace <ada@example.com>|Add the chat stack" {
		t.Fatalf("git log: %q", log)
	}
	mustGit(t, repo, "fsck", "--strict")

	st := mustOpenStore(t, db)
	chat, err := st.StackByName(context.Background(), "chat")
	if err != nil {
		t.Fatal(err)
	}
	wantTmpl, _ := export.YAML(chat)
	if got := mustGit(t, repo, "show", "main:stacks/chat/template.yaml"); got != string(wantTmpl) {
		t.Fatalf("committed template differs from the export:\n%s", got)
	}
	doc := mustGit(t, repo, "show", "main:stacks/chat/switchboard.json")
	if parsed, err := model.ParseStackFile([]byte(doc)); err != nil || parsed.Name != "chat" {
		t.Fatalf("switchboard.json does not read back: %v", err)
	}
	// Code paths in the template are relative to the stack folder, where
	// the scaffolds land, so `aws cloudformation package` works there.
	if !strings.Contains(string(wantTmpl), "Code: functions/send-handler") {
		t.Fatalf("template Code should be the folder-relative path:\n%s", wantTmpl)
	}
	mustGit(t, repo, "cat-file", "-e", "main:stacks/chat/functions/send-handler/index.mjs")

	t.Run("NothingToCommit", func(t *testing.T) {
		out := mustRun(t, db, "commit", "chat", "-m", "again")
		if !strings.Contains(out, "Nothing to commit") {
			t.Fatalf("want nothing to commit:\n%s", out)
		}
		if n := strings.TrimSpace(mustGit(t, repo, "rev-list", "--count", "main")); n != "1" {
			t.Fatalf("%s commits, want 1: no empty commit", n)
		}
	})
	t.Run("UserCodeKept", func(t *testing.T) {
		// The user edits the scaffold in the working tree and commits it.
		p := filepath.Join(repo, "stacks", "chat", "functions", "send-handler", "index.mjs")
		if err := os.WriteFile(p, []byte("// mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		mustGit(t, repo, "commit", "-qam", "my handler")
		chat.Description = "changed"
		if _, err := st.SaveStack(context.Background(), chat); err != nil {
			t.Fatal(err)
		}
		out := mustRun(t, db, "commit", "chat", "-m", "Describe")
		if !strings.Contains(out, "modified switchboard.json") || strings.Contains(out, "modified functions") {
			t.Fatalf("commit output:\n%s", out)
		}
		if got := mustGit(t, repo, "show", "main:stacks/chat/functions/send-handler/index.mjs"); got != "// mine\n" {
			t.Fatalf("user code was overwritten: %q", got)
		}
		out = mustRun(t, db, "history", "chat")
		for _, want := range []string{"Describe", "my handler", "Add the chat stack"} {
			if !strings.Contains(out, want) {
				t.Fatalf("history lacks %q:\n%s", want, out)
			}
		}
		mustGit(t, repo, "fsck", "--strict")
	})
	t.Run("InvalidStackRefused", func(t *testing.T) {
		bad := chat.Clone()
		bad.Functions[0].MemorySize = 1 // below Lambda's minimum
		bad.Name = "bad"
		if _, err := st.CreateStack(context.Background(), bad); err == nil {
			t.Skip("the store refuses this stack outright")
		}
		bad.Functions[0].MemorySize = chat.Functions[0].MemorySize
		bad.Wires = nil // routes without handlers: a draft the export refuses
		created, err := st.CreateStack(context.Background(), bad)
		if err != nil {
			t.Fatal(err)
		}
		mustRun(t, db, "link", "bad", "--repo", repo)
		r := runCLI(t, db, "commit", "bad")
		if r.code != 1 || !strings.Contains(r.stderr, "invalid stack") {
			t.Fatalf("want the problems, exit 1; got %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if out := mustGit(t, repo, "ls-tree", "-r", "--name-only", "main"); strings.Contains(out, "stacks/bad") {
			t.Fatalf("an invalid stack was committed:\n%s", out)
		}
		_ = created
	})
}

func TestCommitToBareRepositoryAndOpen(t *testing.T) {
	t.Parallel()
	gitPath(t)
	db := storetest.Path(t, "stacks.db")
	dir := filepath.Dir(db)
	bare := filepath.Join(dir, "remote.git")
	mustGit(t, dir, "init", "-q", "--bare", "-b", "main", bare)
	url := "file://" + bare
	mustRun(t, db, "new", "chat", "--example", "chat")

	// An empty repository (git init --bare, a new GitHub repository) has
	// no branch to create: the first commit makes main without asking.
	if out := mustRun(t, db, "link", "chat", "--repo", url); !strings.Contains(out, "branch       main") {
		t.Fatalf("link to an empty remote:\n%s", out)
	}
	mustRun(t, db, "link", "chat", "--folder", "ws/chat")
	out := mustRun(t, db, "commit", "chat", "-m", "Chat over file://")
	if !strings.Contains(out, "and pushed it") {
		t.Fatalf("a remote commit is pushed:\n%s", out)
	}
	m := committedRE.FindStringSubmatch(out)
	if m == nil || strings.TrimSpace(mustGit(t, bare, "rev-parse", "main")) != m[1] {
		t.Fatalf("the bare repository's main is not the commit:\n%s", out)
	}
	mustGit(t, bare, "fsck", "--strict")
	if got := mustGit(t, bare, "log", "-1", "--format=%s", "main"); strings.TrimSpace(got) != "Chat over file://" {
		t.Fatalf("git log: %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, publish.GitCacheFolder)); err != nil {
		t.Fatalf("the clone should be cached next to the database: %v", err)
	}
	if out := mustRun(t, db, "commit", "chat"); !strings.Contains(out, "Nothing to commit") {
		t.Fatalf("want nothing to commit:\n%s", out)
	}

	t.Run("OpenRoundTrip", func(t *testing.T) {
		db2 := storetest.Path(t, "other.db")
		out := mustRun(t, db2, "open", url, "--folder", "ws/chat", "--name", "chat2")
		if !strings.Contains(out, "Created stack chat2") {
			t.Fatalf("open: %s", out)
		}
		a, b := mustRun(t, db, "show", "chat", "--json"), mustRun(t, db2, "show", "chat2", "--json")
		if strings.Replace(a, `"name": "chat"`, `"name": "chat2"`, 1) != b {
			t.Fatalf("the opened stack differs:\n%s\n---\n%s", a, b)
		}
		// Opened stacks are linked to where they came from.
		if out := mustRun(t, db2, "link", "chat2"); !strings.Contains(out, "ws/chat") || !strings.Contains(out, url) {
			t.Fatalf("link of the opened stack:\n%s", out)
		}
		r := runCLI(t, db2, "open", url, "--folder", "nowhere")
		if r.code != 1 || !strings.Contains(r.stderr, "There is no switchboard.json") {
			t.Fatalf("open of a folder without a stack: %d %s", r.code, r.stderr)
		}
	})
	t.Run("ConflictNeedsOverwrite", func(t *testing.T) {
		work := filepath.Join(t.TempDir(), "w")
		mustGit(t, filepath.Dir(work), "clone", "-q", bare, work)
		if err := os.WriteFile(filepath.Join(work, "ws", "chat", "template.yaml"), []byte("edited upstream\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		mustGit(t, work, "commit", "-qam", "edit upstream")
		mustGit(t, work, "push", "-q", "origin", "main")
		st := mustOpenStore(t, db)
		chat, _ := st.StackByName(context.Background(), "chat")
		chat.Description = "changed here"
		if _, err := st.SaveStack(context.Background(), chat); err != nil {
			t.Fatal(err)
		}
		if out := mustRun(t, db, "commit", "chat", "--dry-run"); !strings.Contains(out, "template.yaml (changed upstream") {
			t.Fatalf("the dry run should mark the conflict:\n%s", out)
		}
		r := runCLI(t, db, "commit", "chat", "-m", "mine")
		if r.code != 1 || !strings.Contains(r.stderr, "template.yaml") || !strings.Contains(r.stderr, "--overwrite") {
			t.Fatalf("want the conflicting file and the way out: %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		out := mustRun(t, db, "commit", "chat", "-m", "mine", "--overwrite")
		if !strings.Contains(out, "modified template.yaml") {
			t.Fatalf("overwrite: %s", out)
		}
		if got := mustGit(t, bare, "log", "--format=%s", "-2", "main"); got != "mine\nedit upstream\n" {
			t.Fatalf("the commit goes on top of the upstream one: %q", got)
		}
		mustGit(t, bare, "fsck", "--strict")
	})
}

// gitHTTPServer serves the bare repositories under root over smart HTTP
// (git http-backend, as golang/go vcweb does), pushes included, and only to
// requests carrying the password token.
func gitHTTPServer(t *testing.T, root, token string) *httptest.Server {
	t.Helper()
	backend := &cgi.Handler{
		Path: gitPath(t),
		Args: []string{"http-backend"},
		Env:  append(gitEnv(t.TempDir()), "GIT_PROJECT_ROOT="+root, "GIT_HTTP_EXPORT_ALL=1"),
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pw, ok := r.BasicAuth(); !ok || pw != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestLinkFirstContact(t *testing.T) {
	gitPath(t)
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "chat", "--example", "chat")

	t.Run("HostPathIsNotAFolder", func(t *testing.T) {
		cwd := t.TempDir()
		t.Chdir(cwd)
		r := runCLI(t, db, "link", "chat", "--repo", "github.com/me/infra.git")
		if r.code != 1 || !strings.Contains(r.stderr, "https://github.com/me/infra.git") {
			t.Fatalf("want a refusal suggesting https://, got %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
			t.Fatalf("a folder was created: %v", entries)
		}
	})
	t.Run("BranchIsRemoteHEAD", func(t *testing.T) {
		root := t.TempDir()
		bare := filepath.Join(root, "trunk.git")
		mustGit(t, root, "init", "-q", "--bare", "-b", "trunk", bare)
		seed := filepath.Join(root, "seed")
		mustGit(t, root, "init", "-q", "-b", "trunk", seed)
		mustGit(t, seed, "commit", "-q", "--allow-empty", "-m", "root")
		mustGit(t, seed, "push", "-q", bare, "trunk")
		out := mustRun(t, db, "link", "chat", "--repo", "file://"+bare)
		if !strings.Contains(out, "branch       trunk") {
			t.Fatalf("the branch must be the remote's HEAD:\n%s", out)
		}
		mustRun(t, db, "commit", "chat", "-m", "on trunk")
		if got := mustGit(t, bare, "log", "-1", "--format=%s", "trunk"); strings.TrimSpace(got) != "on trunk" {
			t.Fatalf("trunk: %q", got)
		}
		// open reads the default branch too.
		if out := mustRun(t, db, "open", "file://"+bare, "--folder", "stacks/chat", "--name", "from-trunk"); !strings.Contains(out, "Created stack from-trunk") {
			t.Fatalf("open without --branch:\n%s", out)
		}
	})
	t.Run("ForeignTemplateIsAConflict", func(t *testing.T) {
		mustRun(t, db, "new", "chat2", "--example", "chat")
		repo := filepath.Join(t.TempDir(), "infra")
		mustGit(t, filepath.Dir(repo), "init", "-q", "-b", "main", repo)
		p := filepath.Join(repo, "stacks", "chat2", "template.yaml")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("AWSTemplateFormatVersion: '2010-09-09'\n# hand written\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		mustGit(t, repo, "add", ".")
		mustGit(t, repo, "commit", "-q", "-m", "theirs")
		mustRun(t, db, "link", "chat2", "--repo", repo, "--folder", "stacks/chat2")
		if out := mustRun(t, db, "commit", "chat2", "--dry-run"); !strings.Contains(out, "not written by Switchboard") {
			t.Fatalf("dry run must flag the file:\n%s", out)
		}
		r := runCLI(t, db, "commit", "chat2", "-m", "x")
		if r.code != 1 || !strings.Contains(r.stderr, "template.yaml") || !strings.Contains(r.stderr, "--overwrite") {
			t.Fatalf("want a conflict naming template.yaml, got %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if data, _ := os.ReadFile(p); !strings.Contains(string(data), "hand written") {
			t.Fatalf("overwritten without asking:\n%s", data)
		}
		mustRun(t, db, "commit", "chat2", "-m", "x", "--overwrite")
		mustRun(t, db, "commit", "chat2", "--dry-run")
	})
}

func TestTokenStaysSecret(t *testing.T) {
	t.Parallel()
	gitPath(t)
	db := storetest.Path(t, "stacks.db")
	dir := filepath.Dir(db)
	root := t.TempDir()
	bare := filepath.Join(root, "r.git")
	mustGit(t, root, "init", "-q", "--bare", "-b", "main", bare)
	mustGit(t, bare, "config", "http.receivepack", "true")
	seed := t.TempDir()
	mustGit(t, seed, "init", "-q", "-b", "main")
	mustGit(t, seed, "commit", "-q", "--allow-empty", "-m", "root")
	mustGit(t, seed, "push", "-q", bare, "main")

	const token = "s3cr3t-T0KEN-value"
	ts := gitHTTPServer(t, root, token)
	url := ts.URL + "/r.git"
	mustRun(t, db, "new", "chat", "--example", "chat")

	var outputs []string
	run := func(env map[string]string, stdin string, args ...string) result {
		r := runCLIWith(t, db, env, stdin, args...)
		outputs = append(outputs, r.stdout, r.stderr)
		return r
	}
	if r := run(nil, "", "link", "chat", "--repo", url); r.code != 1 || !strings.Contains(r.stderr, "Authentication failed") {
		t.Fatalf("without the token: want authentication failed, got %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(map[string]string{"GIT_TOKEN": "wrong"}, "", "link", "chat", "--repo", url, "--token-env", "GIT_TOKEN"); r.code != 1 {
		t.Fatalf("a wrong token must be refused:\n%s%s", r.stdout, r.stderr)
	}
	r := run(map[string]string{"GIT_TOKEN": token}, "", "link", "chat", "--repo", url, "--token-env", "GIT_TOKEN")
	if r.code != 0 || !strings.Contains(r.stdout, "token saved") {
		t.Fatalf("link with --token-env: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(nil, "", "commit", "chat", "-m", "over http")
	if r.code != 0 || !strings.Contains(r.stdout, "and pushed it") {
		t.Fatalf("commit with the saved token: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := mustGit(t, bare, "log", "-1", "--format=%s", "main"); strings.TrimSpace(got) != "over http" {
		t.Fatalf("not pushed: %q", got)
	}
	// Replacing the token through stdin works too, and leaves one secret file.
	if r := run(nil, token+"\n", "link", "chat", "--token-stdin"); r.code != 0 {
		t.Fatalf("link --token-stdin: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	run(nil, "", "link", "chat")
	run(nil, "", "history", "chat")

	for _, o := range outputs {
		if strings.Contains(o, token) {
			t.Fatalf("the token was printed:\n%s", o)
		}
	}
	matches, _ := filepath.Glob(db + "*")
	for _, p := range matches {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(token)) {
			t.Fatalf("the token is in %s", p)
		}
	}
	secretsDir := filepath.Join(dir, publish.SecretsFolder)
	fi, err := os.Stat(secretsDir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("secrets folder: %v %v, want 0700", fi.Mode(), err)
	}
	files, _ := os.ReadDir(secretsDir)
	if len(files) != 1 {
		t.Fatalf("%d secret files, want 1 (replaced tokens are removed)", len(files))
	}
	info, _ := files[0].Info()
	data, _ := os.ReadFile(filepath.Join(secretsDir, files[0].Name()))
	if info.Mode().Perm() != 0o600 || string(data) != token {
		t.Fatalf("secret file mode %v, content ok %v", info.Mode().Perm(), string(data) == token)
	}

	t.Run("DeleteRemovesTokenFile", func(t *testing.T) {
		mustRun(t, db, "new", "other", "--example", "echo")
		r := runCLIWith(t, db, map[string]string{"T": token}, "", "link", "other", "--repo", url, "--token-env", "T")
		if r.code != 0 {
			t.Fatalf("link: %s%s", r.stdout, r.stderr)
		}
		if files, _ := os.ReadDir(secretsDir); len(files) != 2 {
			t.Fatalf("%d secret files, want 2", len(files))
		}
		mustRun(t, db, "delete", "other")
		if files, _ := os.ReadDir(secretsDir); len(files) != 1 {
			t.Fatalf("%d secret files after deleting the stack, want 1", len(files))
		}
	})
	t.Run("TokenNotInURL", func(t *testing.T) {
		withToken := strings.Replace(url, "://", "://"+token+"@", 1)
		for _, args := range [][]string{
			{"link", "chat", "--repo", withToken},
			{"link", "chat", "--repo", strings.Replace(url, "://", "://alice:"+token+"@", 1)},
			{"open", withToken, "--name", "chat3"},
		} {
			r := runCLI(t, db, args...)
			if r.code != 1 || !strings.Contains(r.stderr, "--token-env") || strings.Contains(r.stdout+r.stderr, token) {
				t.Fatalf("%v: want exit 1 pointing at --token-env without the token, got %d\n%s%s", args[:2], r.code, r.stdout, r.stderr)
			}
		}
		if r := runCLI(t, db, "link", "chat"); !strings.Contains(r.stdout, url) || strings.Contains(r.stdout, token+"@") {
			t.Fatalf("the link must be unchanged:\n%s", r.stdout)
		}
	})
	t.Run("TokenNotOnCommandLine", func(t *testing.T) {
		r := runCLI(t, db, "link", "chat", "--token", token)
		if r.code != 2 {
			t.Fatalf("there must be no --token flag: %d", r.code)
		}
	})
	t.Run("NewRepositoryDropsToken", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "local")
		if r := runCLI(t, db, "link", "chat", "--repo", other); r.code != 0 || strings.Contains(r.stdout, "token saved") {
			t.Fatalf("a token must not follow the link to another repository: %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if files, _ := os.ReadDir(secretsDir); len(files) != 0 {
			t.Fatalf("%d secret files left", len(files))
		}
	})
}
