package server_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
)

// TestWorkingFolder: the offer of a linked stack's working folder appears
// only when its files change on disk and say something else than the
// stack; the page's poll costs a 204 while the answer stays; files that
// are links or too large are refused, not read; loading is one revision;
// Ignore hides the offer until the files change again (issue 15 item 5).
func TestWorkingFolder(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	ctx := context.Background()
	s := mustCreate(t, st, "chat", "chat")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	repo := t.TempDir()
	mustGit(t, repo, "init", "-q", "-b", "main")
	mustGit(t, repo, "commit", "-q", "--allow-empty", "-m", "initial")
	if err := publish.New(st, nil).SaveLink(ctx, s, publish.LinkInput{GitLink: model.GitLink{Repo: repo, Folder: "stacks/chat"}}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(repo, "stacks", "chat")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := publish.WriteFolder(dir, s); err != nil {
		t.Fatal(err)
	}
	tmpl := filepath.Join(dir, "template.yaml")
	original, _ := os.ReadFile(tmpl)
	keyOf := func(body string) string {
		m := regexp.MustCompile(`data-offer-key="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return strings.ReplaceAll(m[1], "&amp;", "&")
	}
	offer := func(seen string) (*http.Response, string) {
		return do(t, ts, "GET", base+"/folder?seen="+seen, nil)
	}

	if resp, body := offer("x"); resp.StatusCode != http.StatusOK || keyOf(body) != "" {
		t.Fatalf("the folder as first seen is offered: %d %s", resp.StatusCode, body)
	}
	if resp, _ := offer(""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("nothing to offer, asked again: %d, want 204", resp.StatusCode)
	}

	edited := strings.Replace(string(original), "MemorySize: 128", "MemorySize: 2048", 1)
	write := func(data string) {
		t.Helper()
		_ = os.Remove(tmpl)
		if err := os.WriteFile(tmpl, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(edited)
	resp, body := offer("")
	expect(t, resp, body, http.StatusOK, `data-testid="folder-change"`, "memorySize 128 → 2048", `data-testid="folder-load"`)
	key := keyOf(body)
	if resp, _ := offer(key); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("the same offer asked again: %d, want 204", resp.StatusCode)
	}

	t.Run("UntrustedFiles", func(t *testing.T) {
		outside := filepath.Join(t.TempDir(), "secret.yaml")
		if err := os.WriteFile(outside, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		_ = os.Remove(tmpl)
		if err := os.Symlink(outside, tmpl); err != nil {
			t.Fatal(err)
		}
		resp, body := offer("")
		expect(t, resp, body, http.StatusOK, "not a regular file")
		if strings.Contains(body, "folder-load") {
			t.Error("a link is offered for loading")
		}
		write(edited + "#" + strings.Repeat("x", publish.MaxFolderFile))
		resp, body = offer("")
		expect(t, resp, body, http.StatusOK, "the limit is")
		write(strings.Replace(edited, "RouteKey: sendMessage", "RouteKey: sendMessage: x", 1))
		resp, body = offer("")
		expect(t, resp, body, http.StatusOK, "template.yaml:", "mapping value")
		if head(t, st, s.ID).Revision != s.Revision {
			t.Fatal("the folder was loaded without being asked")
		}
	})

	write(edited)
	resp, body = send(t, ts, "POST", base+"/folder/load", nil, htmxAt(s.Revision))
	expect(t, resp, body, http.StatusOK, `id="folder-offer" hx-swap-oob="innerHTML"`)
	got := head(t, st, s.ID)
	if got.Revision != s.Revision+1 {
		t.Fatalf("revision %d after the load", got.Revision)
	}
	n := 0
	for _, f := range got.Functions {
		if f.MemorySize == 2048 {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d functions have 2048 MB after the load, want 1", n)
	}
	if resp, body := offer(""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("a loaded folder is still offered: %d %s", resp.StatusCode, body)
	}
	// A stale page's load is refused as any stale edit.
	write(strings.Replace(edited, "MemorySize: 2048", "MemorySize: 4096", 1))
	resp, _ = send(t, ts, "POST", base+"/folder/load", nil, htmxAt(s.Revision))
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("a stale load: %d, want 409", resp.StatusCode)
	}
	resp, body = send(t, ts, "POST", base+"/folder/ignore", nil, htmxAt(got.Revision))
	expect(t, resp, body, http.StatusOK)
	if resp, body := offer(""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("an ignored change is still offered: %d %s", resp.StatusCode, body)
	}
}

// TestExportedFolderIsAWorkingFolder: a stack exported with --dir (which
// records the folder) and not linked has that folder as its working
// folder: an edit of its template.yaml is offered and loads.
func TestExportedFolderIsAWorkingFolder(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	ctx := context.Background()
	s := mustCreate(t, st, "echo", "echo")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	dir := t.TempDir()
	if _, err := publish.WriteFolder(dir, s); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "switchboard.json")); err != nil { // export --dir writes the template alone
		t.Fatal(err)
	}
	if err := st.SetWorkingFolder(ctx, s.ID, dir); err != nil {
		t.Fatal(err)
	}
	if resp, _ := do(t, ts, "GET", base+"/folder", nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("the folder as exported is offered: %d", resp.StatusCode)
	}
	tmpl := filepath.Join(dir, "template.yaml")
	data, _ := os.ReadFile(tmpl)
	if err := os.WriteFile(tmpl, []byte(strings.Replace(string(data), "Timeout: 10", "Timeout: 20", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, ts, "GET", base+"/folder", nil)
	expect(t, resp, body, http.StatusOK, "timeout 10 → 20", dir)
	resp, body = send(t, ts, "POST", base+"/folder/load", nil, htmxAt(s.Revision))
	expect(t, resp, body, http.StatusOK)
	if got := head(t, st, s.ID); got.Functions[0].Timeout != 20 {
		t.Fatalf("timeout %d after the load", got.Functions[0].Timeout)
	}
}
