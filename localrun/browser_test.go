package localrun

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/apigw"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// chromium returns the Chromium executable, or skips (see testtool.Require).
func chromium(t *testing.T) string {
	t.Helper()
	for _, c := range []string{os.Getenv("SWITCHBOARD_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	testtool.Require(t, "Chromium is not installed: the rebinding test drives a real browser")
	return ""
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
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(profile),
		chromedp.Flag("host-resolver-rules", "MAP evil.test 127.0.0.1"))
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()

	visit := func(page string, urls ...string) map[string]string {
		t.Helper()
		var results map[string]string
		if err := chromedp.Run(ctx,
			chromedp.Navigate(page+"#"+strings.Join(urls, ",")),
			chromedp.Poll(`window.done === true`, nil),
			chromedp.Evaluate(`window.results`, &results),
		); err != nil {
			t.Fatalf("visit %s: %v", page, err)
		}
		return results
	}
	rebound := "ws://evil.test:" + wsPort + "/dev"
	loopback := "ws://127.0.0.1:" + wsPort + "/dev"
	got := visit("http://evil.test:"+pagePort+"/", rebound, loopback)
	for _, u := range []string{rebound, loopback} {
		if got[u] != "refused" {
			t.Errorf("the attacker's page at evil.test: WebSocket to %s was %q, want refused", u, got[u])
		}
	}
	if got := visit("http://127.0.0.1:"+pagePort+"/", loopback); got[loopback] != "open" {
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
