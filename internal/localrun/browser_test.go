package localrun

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// chromium returns the Chromium executable, or skips (see testtool.Require).
func chromium(t *testing.T) string {
	t.Helper()
	p := testtool.ChromiumPath()
	if p == "" {
		testtool.Require(t, "Chromium is not installed: the rebinding test drives a real browser")
	}
	return p
}

// attackPage tries a WebSocket to each URL in the hash (comma-separated)
// and records "open" or "refused" for each in window.results.
const attackPage = `<!doctype html><script>
const urls = location.hash.slice(1).split(",");
window.results = {};
let left = urls.length;
for (const u of urls) {
  const ws = new WebSocket(u);
  const done = (what) => { if (u in window.results) return; window.results[u] = what; ws.close(); if (--left === 0) window.done = true; };
  ws.onopen = () => done("open");
  ws.onerror = () => done("refused");
  ws.onclose = () => done("refused");
}
</script>`

// TestRebindingBrowserCannotUseRun: in Chromium, with evil.test resolving
// to 127.0.0.1 as after DNS rebinding, the attacker's page reaches the
// run's port neither under its own name (421) nor under 127.0.0.1 from its
// own origin (403); a loopback page still connects.
func TestRebindingBrowserCannotUseRun(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run's function is a Node.js handler")
	path := chromium(t)
	root := t.TempDir()
	r := MustRun(t, Config{Stack: probeStack(t, root, nil), CodeDir: root})
	events, stop := r.Gateway().Subscribe(64)
	defer stop()
	_, wsPort, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(r.Endpoints()[0].URL, "/dev"), "ws://"))

	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(attackPage))
	}))
	defer attacker.Close()
	_, pagePort, _ := net.SplitHostPort(attacker.Listener.Addr().String())

	profile, err := os.MkdirTemp("", "switchboard-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(profile) }()
	// A Chromium of its own: the shared one cannot resolve evil.test.
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(testtool.ChromiumFlags(path, profile), chromedp.Flag("host-resolver-rules", "MAP evil.test 127.0.0.1"))...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()
	console := watchConsole(ctx)

	// visit opens page and fails the test on any console error but the
	// refusals the caller expects (substrings of the browser's message).
	visit := func(page string, expected []string, urls ...string) map[string]string {
		t.Helper()
		var results map[string]string
		if err := chromedp.Run(ctx,
			chromedp.Navigate(page+"#"+strings.Join(urls, ",")),
			chromedp.Poll(`window.done === true`, nil),
			chromedp.Evaluate(`window.results`, &results),
		); err != nil {
			t.Fatalf("visit %s: %v", page, err)
		}
		for _, p := range console.take() {
			if !containsAny(p, expected) {
				t.Errorf("visit %s: browser console: %s", page, p)
			}
		}
		return results
	}
	rebound := "ws://evil.test:" + wsPort + "/dev"
	loopback := "ws://127.0.0.1:" + wsPort + "/dev"
	// The two refusals are the point of the test; Chromium logs each with
	// the status the gateway answered (421 wrong Host, 403 wrong Origin).
	got := visit("http://evil.test:"+pagePort+"/", []string{
		"WebSocket connection to '" + rebound + "' failed: Error during WebSocket handshake: Unexpected response code: 421",
		"WebSocket connection to '" + loopback + "' failed: Error during WebSocket handshake: Unexpected response code: 403",
	}, rebound, loopback)
	for _, u := range []string{rebound, loopback} {
		if got[u] != "refused" {
			t.Errorf("the attacker's page at evil.test: WebSocket to %s was %q, want refused", u, got[u])
		}
	}
	if got := visit("http://127.0.0.1:"+pagePort+"/", nil, loopback); got[loopback] != "open" {
		t.Errorf("a loopback page: WebSocket to %s was %q, want open (the test could not tell a refusal)", loopback, got[loopback])
	}
	// Of the three attempts only the loopback page's connected.
	connects := 0
	for drained := false; !drained; {
		select {
		case e := <-events:
			if e.Kind == apigw.EventConnect {
				connects++
			}
		default:
			drained = true
		}
	}
	if connects != 1 {
		t.Errorf("%d connections were made, want 1 (the loopback page's)", connects)
	}
}

// consoleErrors collects what the browser reports as an error: console
// errors, uncaught exceptions and log entries of level error.
type consoleErrors struct {
	mu       sync.Mutex
	problems []string
}

func watchConsole(ctx context.Context) *consoleErrors {
	c := &consoleErrors{}
	chromedp.ListenTarget(ctx, func(ev any) {
		var problem string
		switch ev := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			if ev.Type != cdpruntime.APITypeError {
				return
			}
			for _, a := range ev.Args {
				problem += " " + string(a.Value) + a.Description
			}
			problem = "console.error:" + problem
		case *cdpruntime.EventExceptionThrown:
			problem = "uncaught exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				problem += " " + ev.ExceptionDetails.Exception.Description
			}
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level != cdplog.LevelError {
				return
			}
			problem = string(ev.Entry.Source) + " error: " + ev.Entry.Text
		default:
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.problems = append(c.problems, problem)
	})
	return c
}

// take returns the problems seen so far and forgets them.
func (c *consoleErrors) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.problems
	c.problems = nil
	return p
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
