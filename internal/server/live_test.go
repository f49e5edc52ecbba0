package server_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// sseEvent is one server-sent event.
type sseEvent struct{ name, data string }

// subscribe opens the stack's live stream as the view and returns its
// events as they come.
func subscribe(tb testing.TB, base string, stackID int64, view string) <-chan sseEvent {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/stacks/"+strconv.FormatInt(stackID, 10)+"/live?view="+view, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		tb.Fatalf("subscribe: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan sseEvent, 64)
	go func() {
		defer resp.Body.Close()
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			case line == "" && ev.name != "":
				events <- ev
				ev = sseEvent{}
			}
		}
	}()
	return events
}

// next returns the next event of the name, skipping others.
func next(tb testing.TB, events <-chan sseEvent, name string, want func(string) bool) string {
	tb.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				tb.Fatalf("the stream ended before a %s event", name)
			}
			if ev.name == name && (want == nil || want(ev.data)) {
				return ev.data
			}
		case <-timeout:
			tb.Fatalf("no %s event", name)
		}
	}
}

// TestLiveSeesEveryWriter: a view is told the head revision when it
// subscribes and whenever it changes, by this server, by another Store on
// the same file (another process) or by an undo.
func TestLiveSeesEveryWriter(t *testing.T) {
	t.Parallel()
	srv, dbPath := liveServer(t)
	st := mustCreate(t, srv.store, "chat", "live")
	events := subscribe(t, srv.url, st.ID, "v1")
	rev := strconv.FormatInt(st.Revision, 10)
	next(t, events, "revision", func(d string) bool { return d == rev })

	// Another process (this test binary again) edits the file.
	cmd := exec.Command(os.Args[0], "-test.run=^TestLiveWriterProcess$")
	cmd.Env = append(os.Environ(), "SWITCHBOARD_LIVE_WRITER="+dbPath, "SWITCHBOARD_LIVE_STACK="+strconv.FormatInt(st.ID, 10))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the writer process: %v\n%s", err, out)
	}
	other, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	edited, err := other.Stack(context.Background(), st.ID)
	if err != nil || edited.Description != "elsewhere" {
		t.Fatalf("the writer process did not edit: %v", err)
	}
	want := strconv.FormatInt(edited.Revision, 10)
	next(t, events, "revision", func(d string) bool { return d == want })

	// What changed since: the answer names the new revision and morphs
	// only what changed (the description is not on the canvas: nothing).
	resp, body := rawRequest(t, "GET", srv.url, hostOf(srv.url), "/stacks/"+strconv.FormatInt(st.ID, 10)+"/changes?since="+rev, nil,
		http.Header{"Origin": {srv.url}, "Sec-Fetch-Site": {"same-origin"}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Switchboard-Revision") != want || strings.Contains(body, "node-fn6") {
		t.Fatalf("changes since %s: %d revision %q\n%.300s", rev, resp.StatusCode, resp.Header.Get("X-Switchboard-Revision"), body)
	}
	moved, err := other.MoveNode(context.Background(), st.ID, edited.Revision, "fn6", model.Position{X: 7, Y: 8})
	if err != nil {
		t.Fatal(err)
	}
	_, body = rawRequest(t, "GET", srv.url, hostOf(srv.url), "/stacks/"+strconv.FormatInt(st.ID, 10)+"/changes?since="+want, nil, nil)
	if !strings.Contains(body, `hx-swap-oob="morph:#node-fn6"`) || strings.Contains(body, "node-fn7") {
		t.Fatalf("changes after a move: want fn6 alone:\n%.500s", body)
	}
	movedRev := strconv.FormatInt(moved.Revision, 10)
	next(t, events, "revision", func(d string) bool { return d == movedRev })
}

// TestLiveWriterProcess is the other process of TestLiveSeesEveryWriter:
// run by it, it edits the stack in the database it names.
func TestLiveWriterProcess(t *testing.T) {
	t.Parallel()
	path := os.Getenv("SWITCHBOARD_LIVE_WRITER")
	if path == "" {
		t.Skip("run by TestLiveSeesEveryWriter")
	}
	id, _ := strconv.ParseInt(os.Getenv("SWITCHBOARD_LIVE_STACK"), 10, 64)
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	head, err := st.Stack(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Edit(context.Background(), id, head.Revision, func(s *model.Stack) error { s.Description = "elsewhere"; return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestLivePresence: each view is told the others and what each has
// selected; a view that leaves is gone from the others' count.
func TestLivePresence(t *testing.T) {
	t.Parallel()
	srv, _ := liveServer(t)
	st := mustCreate(t, srv.store, "chat", "presence")
	one := subscribe(t, srv.url, st.ID, "vone")
	next(t, one, "presence", func(d string) bool { return d == "[]" })
	two := subscribe(t, srv.url, st.ID, "vtwo")
	next(t, one, "presence", func(d string) bool { return strings.Count(d, "color") == 1 })
	next(t, two, "presence", func(d string) bool { return strings.Count(d, "color") == 1 })

	own := http.Header{"Origin": {srv.url}, "Sec-Fetch-Site": {"same-origin"}}
	resp, _ := rawRequest(t, "POST", srv.url, hostOf(srv.url), "/stacks/"+strconv.FormatInt(st.ID, 10)+"/presence",
		url.Values{"view": {"vtwo"}, "selected": {"node-fn6"}}, own)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("presence: %d", resp.StatusCode)
	}
	data := next(t, one, "presence", func(d string) bool { return strings.Contains(d, "node-fn6") })
	var peers []struct {
		Color    int
		Selected string
	}
	if err := json.Unmarshal([]byte(data), &peers); err != nil || len(peers) != 1 || peers[0].Selected != "node-fn6" {
		t.Fatalf("presence = %s (%v)", data, err)
	}
	// The view's own selection is not among its peers.
	select {
	case ev := <-two:
		if ev.name == "presence" && strings.Contains(ev.data, "node-fn6") {
			t.Fatalf("a view is told its own selection: %s", ev.data)
		}
	case <-time.After(100 * time.Millisecond):
	}
}

// TestLiveRefusesOtherSites: a page on another site can neither watch a
// stack nor read its changes (the browser sends its Origin and
// Sec-Fetch-Site), nor say what it selected.
func TestLiveRefusesOtherSites(t *testing.T) {
	t.Parallel()
	srv, _ := liveServer(t)
	st := mustCreate(t, srv.store, "chat", "private")
	base := "/stacks/" + strconv.FormatInt(st.ID, 10)
	host := hostOf(srv.url)
	for _, h := range []http.Header{
		{"Origin": {"http://evil.test"}},
		{"Origin": {"http://evil.test"}, "Sec-Fetch-Site": {"cross-site"}},
		{"Sec-Fetch-Site": {"cross-site"}},
		{"Origin": {"null"}},
	} {
		for _, path := range []string{base + "/live?view=v1", base + "/changes?since=1"} {
			if resp, body := rawRequest(t, "GET", srv.url, host, path, nil, h); resp.StatusCode != http.StatusForbidden {
				t.Errorf("GET %s with %v: %d, want 403\n%.200s", path, h, resp.StatusCode, body)
			}
		}
		if resp, _ := rawRequest(t, "POST", srv.url, host, base+"/presence", url.Values{"view": {"v1"}}, h); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST presence with %v: %d, want 403", h, resp.StatusCode)
		}
		if resp, _ := rawRequest(t, "POST", srv.url, host, base+"/resolve", url.Values{"path": {"/description"}, "value": {`"x"`}}, h); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST resolve with %v: %d, want 403", h, resp.StatusCode)
		}
	}
	if after := head(t, srv.store, st.ID); after.Revision != st.Revision {
		t.Fatalf("another site changed the stack: revision %d → %d", st.Revision, after.Revision)
	}
}

func hostOf(base string) string {
	u, _ := url.Parse(base)
	return u.Host
}

// TestLiveChangesGzipped: a catch-up is sent gzipped to a view that
// accepts it (compressed once for all of them) and as it is to one that
// does not; both say the same.
func TestLiveChangesGzipped(t *testing.T) {
	t.Parallel()
	srv, _ := liveServer(t)
	st := mustCreate(t, srv.store, "chat", "gzipped")
	moved, err := srv.store.MoveNode(context.Background(), st.ID, st.Revision, "fn6", model.Position{X: 7, Y: 8})
	if err != nil {
		t.Fatal(err)
	}
	path := "/stacks/" + strconv.FormatInt(st.ID, 10) + "/changes?since=" + strconv.FormatInt(st.Revision, 10)
	ask := func(encoding string) (*http.Response, string) {
		return rawRequest(t, "GET", srv.url, hostOf(srv.url), path, nil, http.Header{"Accept-Encoding": {encoding}})
	}
	plainResp, plain := ask("identity")
	zipped, raw := ask("gzip, deflate")
	if plainResp.Header.Get("Content-Encoding") != "" || zipped.Header.Get("Content-Encoding") != "gzip" ||
		!strings.Contains(zipped.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("Content-Encoding %q and %q (Vary %q)", plainResp.Header.Get("Content-Encoding"), zipped.Header.Get("Content-Encoding"), zipped.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(unzipped) != plain || !strings.Contains(plain, `hx-swap-oob="morph:#node-fn6"`) {
		t.Fatalf("gzipped answer differs or lacks the move:\n%.300s\n%.300s", unzipped, plain)
	}
	for _, resp := range []*http.Response{plainResp, zipped} {
		if resp.Header.Get("X-Switchboard-Revision") != strconv.FormatInt(moved.Revision, 10) {
			t.Fatalf("revision %q, want %d", resp.Header.Get("X-Switchboard-Revision"), moved.Revision)
		}
	}
}

// TestLiveStreamNotGzipped: the live stream is sent as it is, also to a
// view that accepts gzip: its events are too small for gzip's flush after
// each to shrink, and a compressor held open per view costs most of a
// megabyte.
func TestLiveStreamNotGzipped(t *testing.T) {
	t.Parallel()
	srv, _ := liveServer(t)
	st := mustCreate(t, srv.store, "chat", "plain-stream")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.url+"/stacks/"+strconv.FormatInt(st.ID, 10)+"/live?view=vplain", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("live stream: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "retry: 250\n" {
		t.Fatalf("first line %q (%v)", line, err)
	}
}
