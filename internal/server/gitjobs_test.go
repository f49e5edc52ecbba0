package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// gatedGitServer serves the bare repositories under root over smart HTTP
// (git http-backend) on loopback. While a gate is set for a service
// ("git-receive-pack" for pushes, "git-upload-pack" for fetches), its POSTs
// wait until the gate is opened or the client goes away, which is how a
// slow remote looks to a job.
type gatedGitServer struct {
	URL   string
	gates map[string]*atomic.Pointer[chan struct{}]
}

func mustGatedGitServer(t *testing.T, root string) *gatedGitServer {
	t.Helper()
	backend := &cgi.Handler{
		Path: gitPath(t), Args: []string{"http-backend"}, Dir: root, Stderr: io.Discard,
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + t.TempDir()},
	}
	g := &gatedGitServer{gates: map[string]*atomic.Pointer[chan struct{}]{
		"git-receive-pack": {}, "git-upload-pack": {},
	}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A service's advertisement (GET info/refs?service=…) is held as
		// well as its POST: a fetch with nothing new sends no POST.
		service := filepath.Base(r.URL.Path)
		if r.Method == http.MethodGet {
			service = r.URL.Query().Get("service")
		}
		{
			if gate := g.gates[service]; gate != nil {
				if ch := gate.Load(); ch != nil {
					select {
					case <-*ch:
					case <-r.Context().Done():
						return
					}
				}
			}
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	g.URL = ts.URL
	return g
}

// hold makes the service's requests wait; the returned func lets them go.
func (g *gatedGitServer) hold(service string) (release func()) {
	ch := make(chan struct{})
	g.gates[service].Store(&ch)
	return func() {
		g.gates[service].CompareAndSwap(&ch, nil)
		close(ch)
	}
}

// reopen lets the service's new requests through while those already held
// stay held. A cancelled job's request may sit held with its body sent:
// net/http cannot see its client hang up before the body is read, so
// letting it go would still land it, as a real server would.
func (g *gatedGitServer) reopen(service string) { g.gates[service].Store(nil) }

// awaitProgress polls a running job's page until its progress shows want.
func awaitProgress(t *testing.T, ts *httptest.Server, jobURL, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := do(t, ts, "GET", jobURL, nil)
		if strings.Contains(body, want) {
			return body
		}
		if !strings.Contains(body, `data-job-state="running"`) || time.Now().After(deadline) {
			t.Fatalf("waiting for %q on the running job's page:\n%s", want, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestGitJobs(t *testing.T) {
	t.Parallel()
	ts, st, _, _ := mustServeLogged(t)
	chat := mustChat(t, st, "chat")
	base := "/stacks/" + strconv.FormatInt(chat.ID, 10) + "/git"
	bare, _ := mustBareRepo(t)
	mustGit(t, bare, "config", "http.receivepack", "true")
	seed := strings.TrimSpace(mustGit(t, bare, "rev-parse", "main"))
	srv := mustGatedGitServer(t, filepath.Dir(bare))
	repoURL := srv.URL + "/" + filepath.Base(bare)
	if resp, body := awaitJob(t, ts)(postForm(t, ts, base+"/link", url.Values{"repo": {repoURL}, "folder": {"infra/chat"}}, nil)); resp.StatusCode != http.StatusOK {
		t.Fatalf("link: %d\n%s", resp.StatusCode, body)
	}

	parent := t
	t.Run("CancelStopsThePush", func(t *testing.T) {
		// The cancelled push stays held until the whole test is over
		// (see reopen); the next subtests push through a reopened gate.
		parent.Cleanup(srv.hold("git-receive-pack"))
		defer srv.reopen("git-receive-pack")
		resp, body := postForm(t, ts, base+"/commit", url.Values{"message": {"never"}}, nil)
		jobURL := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(jobURL, base+"/jobs/") {
			t.Fatalf("commit must start a job: %d %q\n%s", resp.StatusCode, jobURL, body)
		}
		page := awaitProgress(t, ts, jobURL, "Pushing main to "+repoURL)
		for _, want := range []string{`data-testid="job-cancel"`, `action="` + jobURL + `/cancel"`, "Fetching main"} {
			if !strings.Contains(page, want) {
				t.Fatalf("the running job's page lacks %q:\n%s", want, page)
			}
		}
		// An htmx poll gets the status box alone, polling again.
		_, frag := do(t, ts, "GET", jobURL, http.Header{"Hx-Request": {"true"}})
		if !strings.Contains(frag, `hx-get="`+jobURL+`"`) || !strings.Contains(frag, `hx-trigger="every 1s"`) || strings.Contains(frag, "<html") {
			t.Fatalf("the poll answer:\n%s", frag)
		}
		resp, _ = postForm(t, ts, jobURL+"/cancel", nil, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d", resp.StatusCode)
		}
		_, page = do(t, ts, "GET", jobURL, nil)
		if !strings.Contains(page, `data-job-state="cancelled"`) || !strings.Contains(page, `data-testid="job-error"`) {
			t.Fatalf("the job must say it was cancelled:\n%s", page)
		}
		if head := strings.TrimSpace(mustGit(t, bare, "rev-parse", "main")); head != seed {
			t.Fatalf("a cancelled push moved main to %s", head)
		}
		// An htmx poll of an ended job reloads the page.
		if resp, _ := do(t, ts, "GET", jobURL, http.Header{"Hx-Request": {"true"}}); resp.Header.Get("HX-Refresh") != "true" {
			t.Fatalf("poll after the end: %d %v", resp.StatusCode, resp.Header)
		}
	})

	t.Run("OutlivesItsRequest", func(t *testing.T) {
		release := srv.hold("git-receive-pack")
		resp, _ := postForm(t, ts, base+"/commit", url.Values{"message": {"slow push"}}, nil)
		jobURL := resp.Header.Get("Location")
		// The request is over; the push is still waiting on the remote.
		awaitProgress(t, ts, jobURL, "Pushing main")
		release()
		resp, body := awaitJob(t, ts)(resp, "")
		m := hashRE.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(body, `data-job-state="done"`) {
			t.Fatalf("the job's page after the push: %d\n%s", resp.StatusCode, body)
		}
		if head := strings.TrimSpace(mustGit(t, bare, "rev-parse", "main")); head != m[1] {
			t.Fatalf("remote main %s, page says %s", head, m[1])
		}
		if !strings.Contains(body, "slow push") || !strings.Contains(body, `data-testid="history-row"`) {
			t.Fatalf("the page shows the history once done:\n%s", body)
		}
	})

	t.Run("FailureIsClear", func(t *testing.T) {
		if resp, _ := awaitJob(t, ts)(postForm(t, ts, base+"/link", url.Values{"repo": {srv.URL + "/gone.git"}, "folder": {"infra/chat"}}, nil)); resp.StatusCode == http.StatusOK {
			t.Fatal("a missing repository must not link")
		}
		chat2 := mustChat(t, st, "chat2")
		b2 := "/stacks/" + strconv.FormatInt(chat2.ID, 10) + "/git"
		awaitJob(t, ts)(postForm(t, ts, b2+"/link", url.Values{"repo": {repoURL}}, nil))
		mustGit(t, bare, "config", "http.receivepack", "false") // the remote refuses pushes
		defer mustGit(t, bare, "config", "http.receivepack", "true")
		resp, body := awaitJob(t, ts)(postForm(t, ts, b2+"/commit", url.Values{"message": {"refused"}}, nil))
		if resp.StatusCode < 400 || !strings.Contains(body, `data-job-state="failed"`) || !strings.Contains(body, `data-testid="commit-error"`) {
			t.Fatalf("a refused push: %d\n%s", resp.StatusCode, body)
		}
	})

	t.Run("OpenCancelAndOpen", func(t *testing.T) {
		parent.Cleanup(srv.hold("git-upload-pack"))
		resp, _ := postForm(t, ts, "/stacks/open", url.Values{"repo": {repoURL}, "folder": {"infra/chat"}, "name": {"opened"}}, nil)
		jobURL := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(jobURL, "/stacks/open/jobs/") {
			t.Fatalf("open must start a job: %d %q", resp.StatusCode, jobURL)
		}
		awaitProgress(t, ts, jobURL, "Listing the branches")
		resp, _ = postForm(t, ts, jobURL+"/cancel", nil, nil)
		_, page := do(t, ts, "GET", resp.Header.Get("Location"), nil)
		if !strings.Contains(page, "Cancelled") {
			t.Fatalf("a cancelled open:\n%s", page)
		}
		if _, err := st.StackByName(context.Background(), "opened"); err == nil {
			t.Fatal("a cancelled open created the stack")
		}
		srv.reopen("git-upload-pack")
		resp, _ = awaitJob(t, ts)(postForm(t, ts, "/stacks/open", url.Values{"repo": {repoURL}, "folder": {"infra/chat"}, "name": {"opened"}}, nil))
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/stacks/") {
			t.Fatalf("open: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, err := st.StackByName(context.Background(), "opened"); err != nil {
			t.Fatal(err)
		}
	})
}
