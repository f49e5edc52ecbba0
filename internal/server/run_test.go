package server_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

func post(tb testing.TB, url string) (int, string) {
	tb.Helper()
	resp, err := http.Post(url, "application/x-www-form-urlencoded", nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// sseReader reads server-sent events from a stream response.
type sseReader struct {
	resp *http.Response
	sc   *bufio.Scanner
}

func openEvents(tb testing.TB, url, lastID string) *sseReader {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		tb.Fatalf("Content-Type = %q", ct)
	}
	return &sseReader{resp: resp, sc: bufio.NewScanner(resp.Body)}
}

// next returns the next event's id, name and data.
func (r *sseReader) next(tb testing.TB) (id, name, data string) {
	tb.Helper()
	for r.sc.Scan() {
		line := r.sc.Text()
		switch {
		case line == "" && (data != "" || name != ""):
			return id, name, data
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
	tb.Fatalf("event stream ended: %v", r.sc.Err())
	return
}

var runURL = regexp.MustCompile(`ws://127\.0\.0\.1:\d+/dev`)

// TestRunStreamsEventsAndStops starts a run over HTTP, sees a message's
// events on the stream, resumes the stream after the last event seen, and
// stops the run.
func TestRunStreamsEventsAndStops(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "Run locally starts Node.js handlers")
	srv := mustServeReal(t)
	echo, _ := model.Example("echo", "echo")
	st, err := srv.store.CreateStack(context.Background(), echo)
	if err != nil {
		t.Fatal(err)
	}
	base := srv.url + "/stacks/" + strconv.FormatInt(st.ID, 10)
	status, body := post(t, base+"/run")
	ws := runURL.FindString(body)
	if status != http.StatusOK || ws == "" {
		t.Fatalf("POST run = %d:\n%s", status, body)
	}

	events := openEvents(t, base+"/run/events", "")
	c, err := wsload.Dial(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := c.RoundTrip([]byte(`{"action":"test"}`)); err != nil || string(got) != `{"action":"test"}` {
		t.Fatalf("echo = %q, %v", got, err)
	}
	var lastID string
	for deadline := time.Now().Add(20 * time.Second); ; {
		id, _, data := events.next(t)
		lastID = id
		if strings.Contains(data, `"kind":"reply"`) && strings.Contains(data, `"routeId":"rt2"`) && strings.Contains(data, `"wireIds":["w4"]`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no reply event on the stream")
		}
	}

	// Resuming after the reply sends only what came later.
	if _, err := c.RoundTrip([]byte(`{"action":"test","n":2}`)); err != nil {
		t.Fatal(err)
	}
	resumed := openEvents(t, base+"/run/events", lastID)
	id, _, _ := resumed.next(t)
	if n, _ := strconv.Atoi(id); n <= mustAtoi(t, lastID) {
		t.Errorf("resumed stream started at id %s, after %s", id, lastID)
	}

	status, body = post(t, base+"/run/stop")
	if status != http.StatusOK || !strings.Contains(body, `data-testid="run-start"`) {
		t.Fatalf("POST stop = %d:\n%s", status, body)
	}
	if _, name, _ := openEvents(t, base+"/run/events", "").next(t); name != "end" {
		t.Errorf("events of a stopped run: %q, want end", name)
	}
	if _, err := wsload.Dial(context.Background(), ws); err == nil {
		t.Errorf("the API still accepts connections after stop")
	}
}

func mustAtoi(tb testing.TB, s string) int {
	tb.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestRunRefusesStackWithProblems: a stack that cannot deploy cannot run,
// and the panel names the problem.
func TestRunRefusesStackWithProblems(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	s, _ := model.Example("echo", "broken")
	s.Wires = nil // the test route has no handler
	st, err := srv.store.CreateStack(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	status, body := post(t, srv.url+"/stacks/"+strconv.FormatInt(st.ID, 10)+"/run")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="run-error"`) || !strings.Contains(body, "has no handler") {
		t.Fatalf("POST run = %d:\n%s", status, body)
	}
}

// TestRunUsesLinkedLocalRepo runs a stack linked to a repository on this
// machine from that repository's code, not from starter handlers.
func TestRunUsesLinkedLocalRepo(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "Run locally starts Node.js handlers")
	ctx := context.Background()
	srv := mustServeReal(t)
	echo, _ := model.Example("echo", "echo")
	st, err := srv.store.CreateStack(ctx, echo)
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	if err := publish.New(srv.store, nil).SaveLink(ctx, st, publish.LinkInput{GitLink: model.GitLink{Repo: repo, Folder: "stacks/echo"}}); err != nil {
		t.Fatal(err)
	}
	// The user's own handler, where the stack's code path says.
	fn := st.Functions[0]
	code := filepath.Join(repo, "stacks", "echo", filepath.FromSlash(fn.CodePath))
	if err := os.MkdirAll(code, 0o755); err != nil {
		t.Fatal(err)
	}
	handler := `export const handler = async (event) => ({ statusCode: 200, body: "from the repo: " + event.body });`
	if err := os.WriteFile(filepath.Join(code, "index.mjs"), []byte(handler), 0o644); err != nil {
		t.Fatal(err)
	}

	base := srv.url + "/stacks/" + strconv.FormatInt(st.ID, 10)
	status, body := post(t, base+"/run")
	ws := runURL.FindString(body)
	if status != http.StatusOK || ws == "" {
		t.Fatalf("POST run = %d:\n%s", status, body)
	}
	t.Cleanup(func() { post(t, base+"/run/stop") })
	if !strings.Contains(body, filepath.Join(repo, "stacks", "echo")) {
		t.Errorf("the run panel does not name the repository's folder:\n%s", body)
	}
	c, err := wsload.Dial(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := c.RoundTrip([]byte(`{"action":"test"}`)); err != nil || string(got) != `from the repo: {"action":"test"}` {
		t.Fatalf("reply = %q, %v", got, err)
	}
}

// requireNode skips (or fails under SWITCHBOARD_REQUIRE_TOOLS=1) without node.
func requireNode(t *testing.T) {
	t.Helper()
	testtool.Command(t, "node", "Run locally starts Node.js handlers")
}

// tempFolders lists the run folders (scaffolds, runtime bootstraps) in dir.
func tempFolders(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// processesUnder counts the processes whose LAMBDA_TASK_ROOT lies in dir
// (Linux only: it reads /proc).
func processesUnder(dir string) int {
	entries, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range entries {
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && strings.Contains(string(env), "\x00LAMBDA_TASK_ROOT="+dir+string(filepath.Separator)) {
			n++
		}
	}
	return n
}

// TestConcurrentRunStartsShareOneRun: starts while a run is starting or
// running return that run; before, five concurrent starts left five runs,
// four of them unreachable (their ports, processes and folders kept until
// the server stopped).
func TestConcurrentRunStartsShareOneRun(t *testing.T) {
	requireNode(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	srv := mustServeReal(t)
	echo, _ := model.Example("echo", "echo")
	st, err := srv.store.CreateStack(context.Background(), echo)
	if err != nil {
		t.Fatal(err)
	}
	base := srv.url + "/stacks/" + strconv.FormatInt(st.ID, 10)
	const n = 5
	urls := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			status, body := post(t, base+"/run")
			if status != http.StatusOK {
				t.Errorf("start %d = %d:\n%s", i, status, body)
			}
			urls[i] = runURL.FindString(body)
		})
	}
	wg.Wait()
	for i, u := range urls {
		if u == "" || u != urls[0] {
			t.Errorf("start %d answered %q, start 0 %q: want one run", i, u, urls[0])
		}
	}
	// One run: one scaffold folder and one runtime folder, one process.
	if got := tempFolders(t, tmp); len(got) != 2 {
		t.Errorf("temporary folders %v, want those of one run", got)
	}
	if n := processesUnder(tmp); n != 1 && runtime.GOOS == "linux" {
		t.Errorf("%d function processes run from %s, want 1", n, tmp)
	}
	if status, body := post(t, base+"/run/stop"); status != http.StatusOK {
		t.Fatalf("stop = %d:\n%s", status, body)
	}
	if _, err := wsload.Dial(context.Background(), urls[0]); err == nil {
		t.Errorf("the run still accepts connections after stop")
	}
	if got := tempFolders(t, tmp); len(got) != 0 {
		t.Errorf("after stop the temporary folders %v are left", got)
	}
}

// TestDeletingStackStopsItsRun: a deleted stack's run stops; nothing would
// stop it otherwise, since its page is gone.
func TestDeletingStackStopsItsRun(t *testing.T) {
	requireNode(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	srv := mustServeReal(t)
	echo, _ := model.Example("echo", "echo")
	st, err := srv.store.CreateStack(context.Background(), echo)
	if err != nil {
		t.Fatal(err)
	}
	base := srv.url + "/stacks/" + strconv.FormatInt(st.ID, 10)
	status, body := post(t, base+"/run")
	ws := runURL.FindString(body)
	if status != http.StatusOK || ws == "" {
		t.Fatalf("POST run = %d:\n%s", status, body)
	}
	c, err := wsload.Dial(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Post(base+"/delete", "application/x-www-form-urlencoded", strings.NewReader("confirm=yes"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete = %d", resp.StatusCode)
	}
	if _, err := c.Read(); err == nil {
		t.Errorf("the client of the deleted stack's run is still connected")
	}
	if _, err := wsload.Dial(context.Background(), ws); err == nil {
		t.Errorf("the deleted stack's run still accepts connections")
	}
	if got := tempFolders(t, tmp); len(got) != 0 {
		t.Errorf("after the delete the temporary folders %v are left", got)
	}
}

// TestRunStartJoinsAndRestartReplaces: a second start shows the running
// run and leaves its clients alone; restart=yes replaces it.
func TestRunStartJoinsAndRestartReplaces(t *testing.T) {
	t.Parallel()
	requireNode(t)
	srv := mustServeReal(t)
	echo, _ := model.Example("echo", "echo")
	st, err := srv.store.CreateStack(context.Background(), echo)
	if err != nil {
		t.Fatal(err)
	}
	base := srv.url + "/stacks/" + strconv.FormatInt(st.ID, 10)
	_, body := post(t, base+"/run")
	first := runURL.FindString(body)
	c, err := wsload.Dial(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, body := post(t, base+"/run"); runURL.FindString(body) != first {
		t.Fatalf("a second start showed %q, want the running %q", runURL.FindString(body), first)
	}
	if _, err := c.RoundTrip([]byte(`{"action":"test"}`)); err != nil {
		t.Fatalf("the client after a second start: %v", err)
	}
	resp, err := http.Post(base+"/run", "application/x-www-form-urlencoded", strings.NewReader("restart=yes"))
	if err != nil {
		t.Fatal(err)
	}
	restarted, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if _, err := c.Read(); err == nil {
		t.Errorf("the old run's client is still connected after a restart")
	}
	c2, err := wsload.Dial(context.Background(), runURL.FindString(string(restarted)))
	if err != nil {
		t.Fatalf("the restarted run: %v\n%s", err, restarted)
	}
	defer c2.Close()
	t.Cleanup(func() { post(t, base+"/run/stop") })
}
