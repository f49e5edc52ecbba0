//go:build race || !racesplit

// These tests drive the code from several goroutines: `make test` runs
// them under -race, and its race-free job (-tags racesplit) leaves them
// out (RACE_SPLIT in the Makefile).

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// TestServeRefusesBeyondLoopback: an --addr other machines can reach is a
// usage mistake unless --listen-anywhere says it is meant.
func TestServeRefusesBeyondLoopback(t *testing.T) {
	t.Parallel()
	db := storetest.Path(t, "stacks.db")
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		r := runCLI(t, db, "serve", "--addr", addr)
		if r.code != 2 || !strings.Contains(r.stderr, "--listen-anywhere") || !strings.Contains(r.stderr, "beyond this machine") {
			t.Fatalf("serve --addr %s: want exit 2 naming --listen-anywhere, got %+v", addr, r)
		}
	}
}

// serving is a serve command running in-process.
type serving struct {
	base, db       string
	stdout, stderr *bytes.Buffer
	stop           func()
}

// startServe runs serve with args and env until it listens; stop
// interrupts it and expects a clean exit.
func startServe(t *testing.T, args []string, env map[string]string) serving {
	t.Helper()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "chat", "--example", "chat")
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	s := serving{db: db, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	getenv := func(k string) string {
		if k == "SWITCHBOARD_DB" {
			return db
		}
		return env[k]
	}
	cli := &CLI{Stdout: s.stdout, Stderr: s.stderr, Getenv: getenv, Ready: func(u string) { ready <- u }}
	go func() { done <- cli.Run(ctx, append([]string{"serve"}, args...)) }()
	select {
	case s.base = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped: %v\n%s", err, s.stderr.String())
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	s.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve returned %v", err)
		}
	}
	return s
}

// hostStatus is the status of GET / naming host (with the server's port)
// and carrying the bearer token.
func hostStatus(t *testing.T, base, host, token string) int {
	t.Helper()
	u, _ := url.Parse(base)
	req, _ := http.NewRequest("GET", base+"/", nil)
	req.Host = host + ":" + u.Port()
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// tokenURLs returns the http://HOST:PORT/?token=… lines serve printed.
func tokenURLs(out string) []string {
	var urls []string
	for _, line := range strings.Split(out, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "http://") && strings.Contains(l, "/?token=") {
			urls = append(urls, l)
		}
	}
	return urls
}

// TestServeListenAnywhere: with --listen-anywhere, serve prints a URL with
// the token; a request without it is refused, the URL sets the cookie that
// lets the browser in, and --allow-host (or SWITCHBOARD_ALLOW_HOSTS) names
// the Host names it answers to besides loopback.
func TestServeListenAnywhere(t *testing.T) {
	t.Parallel()
	s := startServe(t, []string{"--addr", "0.0.0.0:0", "--listen-anywhere", "--allow-host", "box.lan", "--allow-host", "nas.lan"},
		map[string]string{"SWITCHBOARD_ALLOW_HOSTS": "ignored.lan"})
	defer s.stop()
	urls := tokenURLs(s.stdout.String())
	if len(urls) != 3 || !strings.HasPrefix(urls[0], "http://127.0.0.1:") || !strings.HasPrefix(urls[1], "http://box.lan:") {
		t.Fatalf("want token URLs for 127.0.0.1, box.lan and nas.lan on stdout, got:\n%s", s.stdout.String())
	}
	u, _ := url.Parse(urls[0])
	token := u.Query().Get("token")
	logs := s.stderr.String()
	if strings.Contains(logs, token) || !strings.Contains(logs, "listening beyond loopback") || !strings.Contains(logs, "Git credentials") || !strings.Contains(logs, "run code") {
		t.Fatalf("the log must warn what is exposed and never hold the token:\n%s", logs)
	}

	resp, err := http.Get(s.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET / without the token = %d", resp.StatusCode)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err = browser.Get(urls[0])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.RawQuery != "" || !strings.Contains(string(body), "WebSocket chat") {
		t.Fatalf("the token URL = %d at %s:\n%.300s", resp.StatusCode, resp.Request.URL, body)
	}
	for host, want := range map[string]int{"box.lan": http.StatusOK, "nas.lan": http.StatusOK, "ignored.lan": http.StatusMisdirectedRequest, "evil.test": http.StatusMisdirectedRequest} {
		if got := hostStatus(t, s.base, host, token); got != want {
			t.Errorf("Host %s = %d, want %d", host, got, want)
		}
	}
}

// TestServeAllowHostsFromEnvironment: without --allow-host, the names
// come from SWITCHBOARD_ALLOW_HOSTS, comma-separated; on loopback no token
// is asked for.
func TestServeAllowHostsFromEnvironment(t *testing.T) {
	t.Parallel()
	s := startServe(t, []string{"--addr", "127.0.0.1:0"}, map[string]string{"SWITCHBOARD_ALLOW_HOSTS": "box.lan, nas.lan"})
	defer s.stop()
	if urls := tokenURLs(s.stdout.String()); len(urls) != 0 {
		t.Fatalf("no token on loopback, got %v", urls)
	}
	for host, want := range map[string]int{"box.lan": http.StatusOK, "nas.lan": http.StatusOK, "evil.test": http.StatusMisdirectedRequest} {
		if got := hostStatus(t, s.base, host, ""); got != want {
			t.Errorf("Host %s = %d, want %d", host, got, want)
		}
	}
}

// TestImportReplaceReachesOpenViews: a replace from the command line while
// serve has the stack open is told to its live views (the canvas then
// catches up), as any other process's edit is.
func TestImportReplaceReachesOpenViews(t *testing.T) {
	t.Parallel()
	s := startServe(t, []string{"--addr", "127.0.0.1:0"}, nil)
	defer s.stop()
	st := mustOpenStore(t, s.db)
	before := stackNamed(t, st, "chat")
	exported := filepath.Join(t.TempDir(), "template.yaml")
	mustRun(t, s.db, "export", "chat", "-o", exported)
	text, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exported, editFunctionTimeout(t, text, "SendHandler", "10", "45"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/stacks/%d/live?view=vcli", s.base, before.ID), nil)
	req.Header.Set("Origin", s.base)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	revisions := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				event = name
			} else if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok && event == "revision" {
				revisions <- data
			}
		}
		close(revisions)
	}()
	wait := func(want int64) {
		t.Helper()
		for rev := range revisions {
			if rev == strconv.FormatInt(want, 10) {
				return
			}
		}
		t.Fatalf("the open view was not told of revision %d", want)
	}
	wait(before.Revision)
	mustRun(t, s.db, "import", "--replace", "chat", exported)
	wait(before.Revision + 1)
}

func TestServe(t *testing.T) {
	t.Parallel()
	t.Run("ServeCommand", func(t *testing.T) {
		testServe(t, []string{"serve", "--addr", "127.0.0.1:0"}, nil)
	})
	t.Run("NoCommandServes", func(t *testing.T) {
		testServe(t, nil, map[string]string{"SWITCHBOARD_ADDR": "127.0.0.1:0"})
	})
}

// testServe runs the program with args until it serves, checks the stacks
// page, then interrupts it and expects a clean shutdown.
func testServe(t *testing.T, args []string, env map[string]string) {
	t.Helper()
	db := storetest.Path(t, "stacks.db")
	mustRun(t, db, "new", "chat", "--example", "chat")

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stderr bytes.Buffer
	getenv := func(k string) string {
		if k == "SWITCHBOARD_DB" {
			return db
		}
		return env[k]
	}
	cli := &CLI{Stdout: io.Discard, Stderr: &stderr, Getenv: getenv, Ready: func(u string) { ready <- u }}
	go func() { done <- cli.Run(ctx, args) }()
	var url string
	select {
	case url = <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}

	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "chat") || !strings.Contains(string(body), "WebSocket chat") {
		t.Fatalf("GET / = %d:\n%s", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Fatalf("serve should log its shutdown:\n%s", stderr.String())
	}
}
