package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// chromiumPath finds Chromium, skipping the test when it is missing unless
// SWITCHBOARD_REQUIRE_TOOLS=1 (CI) makes that a failure.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	p := testtool.ChromiumPath()
	if p == "" {
		testtool.Require(tb, testtool.ChromiumMissing)
	}
	return p
}

// artifactDir is where screenshots go: $SWITCHBOARD_ARTIFACTS or a temp dir.
func artifactDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("SWITCHBOARD_ARTIFACTS")
	if dir == "" {
		dir = tb.TempDir()
	}
	dir = filepath.Join(dir, strings.ReplaceAll(tb.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// browserServer is the real server on 127.0.0.1:0 over a real SQLite file.
type browserServer struct {
	url   string
	store *store.Store
}

func mustServeReal(tb testing.TB) browserServer {
	tb.Helper()
	return mustServeRealOn(tb, storetest.Path(tb, "browser.db"))
}

// mustServeBig is mustServeReal over a database holding the big
// stack (bigStackModel), which it returns too.
func mustServeBig(tb testing.TB) (browserServer, *model.Stack) {
	tb.Helper()
	srv := mustServeRealOn(tb, storetest.PathWith(tb, "browser.db", "big", bigStackModel))
	st, err := srv.store.StackByName(context.Background(), "big")
	if err != nil {
		tb.Fatal(err)
	}
	return srv, st
}

// mustServeRealOn serves the database at path.
func mustServeRealOn(tb testing.TB, path string) browserServer {
	tb.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	srv := server.New(server.Options{Addr: "127.0.0.1:0", Store: st, Logger: testtool.Logger(tb)})
	if err := srv.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = srv.Close(context.Background())
		st.Close()
	})
	return browserServer{url: srv.URL(), store: st}
}

// newBrowser returns a context for one tab of a fresh browser context (its
// own cookies and storage) in the Chromium the tests share, plus a function
// opening another tab of it.
func newBrowser(tb testing.TB) (context.Context, func() context.Context) {
	tb.Helper()
	return browserTabs(tb, testtool.Browser(tb))
}

// newBrowserWith starts a Chromium of the test's own with more options,
// such as host-resolver-rules for the attack tests.
func newBrowserWith(tb testing.TB, extra ...chromedp.ExecAllocatorOption) (context.Context, func() context.Context) {
	tb.Helper()
	path := chromiumPath(tb)
	// Not tb.TempDir: Chromium's helpers may still be writing to the
	// profile for a moment after the browser exits, which t.TempDir
	// reports as a failure. The profile is removed best-effort instead.
	profile, err := os.MkdirTemp("", "switchboard-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(testtool.ChromiumFlags(path, profile), extra...)...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithLogf(tb.Logf), chromedp.WithErrorf(testtool.BrowserErrorf))
	tb.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Run(ctx); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return browserTabs(tb, ctx)
}

// browserTabs watches the console of ctx's tab and of every tab the
// returned function opens beside it.
func browserTabs(tb testing.TB, ctx context.Context) (context.Context, func() context.Context) {
	tb.Helper()
	acceptDialogs(ctx)
	watch := watchConsole(tb, ctx)
	newTab := func() context.Context {
		tab := testtool.NewTab(tb, ctx)
		acceptDialogs(tab)
		watch.listen(tb, tab)
		return tab
	}
	return ctx, newTab
}

// consoleWatch fails a browser test on anything a page reports as wrong:
// console.error, an uncaught exception, a browser log entry of level error
// (a failed load, a refused request) or a Content Security Policy
// violation. A test that provokes an error on purpose names it with
// allowConsoleErrors.
type consoleWatch struct {
	mu       sync.Mutex
	problems []string
	allowed  []string
}

// consoleWatches maps a test to the watch of its browser, for
// allowConsoleErrors.
var consoleWatches sync.Map // testing.TB → *consoleWatch

// reportCSPViolations turns every securitypolicyviolation event into a
// console error. DevTools injects it, so the page's CSP does not apply.
const reportCSPViolations = `document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + e.sourceFile + ':' + e.lineNumber + ' ' + e.sample)
}, true)`

func watchConsole(tb testing.TB, ctx context.Context) *consoleWatch {
	tb.Helper()
	w := &consoleWatch{}
	consoleWatches.Store(tb, w)
	w.listen(tb, ctx)
	// Registered after the browser's cleanup, so it runs first, while the
	// events of the test's last steps can still arrive.
	tb.Cleanup(func() {
		consoleWatches.Delete(tb)
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, p := range w.problems {
			if !w.isAllowed(p) {
				tb.Errorf("browser console: %s", p)
			}
		}
	})
	return w
}

// listen watches one tab, from its next navigation on.
func (w *consoleWatch) listen(tb testing.TB, tab context.Context) {
	tb.Helper()
	chromedp.ListenTarget(tab, func(ev any) {
		switch ev := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			if ev.Type != cdpruntime.APITypeError && ev.Type != cdpruntime.APITypeAssert {
				return
			}
			var args []string
			for _, a := range ev.Args {
				if a.Value != nil {
					args = append(args, strings.Trim(string(a.Value), `"`))
				} else {
					args = append(args, a.Description)
				}
			}
			w.add("console." + string(ev.Type) + ": " + strings.Join(args, " "))
		case *cdpruntime.EventExceptionThrown:
			d := ev.ExceptionDetails
			what := d.Text
			if d.Exception != nil {
				what += " " + d.Exception.Description
			}
			w.add(fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, what))
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.LevelError {
				w.add(fmt.Sprintf("%s error: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	step, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	if err := chromedp.Run(step, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(reportCSPViolations).Do(ctx)
		return err
	})); err != nil {
		tb.Fatalf("watch the console for CSP violations: %v", err)
	}
}

func (w *consoleWatch) add(problem string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.problems = append(w.problems, problem)
}

// isAllowed reports whether problem was allowed; w.mu is held.
func (w *consoleWatch) isAllowed(problem string) bool {
	for _, a := range w.allowed {
		if strings.Contains(problem, a) {
			return true
		}
	}
	return false
}

// allowConsoleErrors lets the browser of tb report errors containing any of
// substrings, for a test that provokes them on purpose. Keep them narrow
// (the URL or status of the one refused request) and say why at the call.
func allowConsoleErrors(tb testing.TB, substrings ...string) {
	tb.Helper()
	v, ok := consoleWatches.Load(tb)
	if !ok {
		tb.Fatal("allowConsoleErrors before newBrowser")
	}
	w := v.(*consoleWatch)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.allowed = append(w.allowed, substrings...)
}

// acceptDialogs answers every confirm() with OK, as a user deciding to go on.
func acceptDialogs(ctx context.Context) {
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go func() { _ = chromedp.Run(ctx, page.HandleJavaScriptDialog(true)) }()
		}
	})
}

func run(tb testing.TB, ctx context.Context, what string, actions ...chromedp.Action) {
	tb.Helper()
	runWithin(tb, ctx, 30*time.Second, what, actions...)
}

// runWithin is run with a longer deadline, for a step that waits on more
// than the page (an SDK install from npm's cache on a busy machine).
func runWithin(tb testing.TB, ctx context.Context, deadline time.Duration, what string, actions ...chromedp.Action) {
	tb.Helper()
	// Each step has its own deadline, so a failed step still leaves time
	// for the screenshot that shows why.
	step, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	if err := chromedp.Run(step, actions...); err != nil {
		shot := filepath.Join(artifactDir(tb), "failure.png")
		var buf []byte
		shotCtx, cancelShot := context.WithTimeout(ctx, 10*time.Second)
		defer cancelShot()
		if chromedp.Run(shotCtx, chromedp.CaptureScreenshot(&buf)) == nil {
			_ = os.WriteFile(shot, buf, 0o644)
			tb.Logf("screenshot of the failure: %s", shot)
		}
		tb.Fatalf("%s: %v", what, err)
	}
}

// center returns the middle of the first element matching sel, in CSS pixels.
func center(tb testing.TB, ctx context.Context, sel string) (float64, float64) {
	tb.Helper()
	var box []float64
	run(tb, ctx, "locate "+sel, chromedp.WaitVisible(sel), chromedp.Evaluate(fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return [r.left + r.width/2, r.top + r.height/2] })()`, sel), &box))
	return box[0], box[1]
}

// drag presses at (x1,y1), moves to (x2,y2) in steps, and releases, as a
// hand on a mouse would.
func drag(x1, y1, x2, y2 float64) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		if err := chromedp.MouseEvent(input.MouseMoved, x1, y1).Do(ctx); err != nil {
			return err
		}
		if err := chromedp.MouseEvent(input.MousePressed, x1, y1, chromedp.ButtonType(input.Left), chromedp.ClickCount(1)).Do(ctx); err != nil {
			return err
		}
		const steps = 12
		for i := 1; i <= steps; i++ {
			x := x1 + (x2-x1)*float64(i)/steps
			y := y1 + (y2-y1)*float64(i)/steps
			if err := chromedp.MouseEvent(input.MouseMoved, x, y, chromedp.ButtonType(input.Left), chromedp.ButtonModifiers(input.ModifierNone)).Do(ctx); err != nil {
				return err
			}
			time.Sleep(10 * time.Millisecond)
		}
		return chromedp.MouseEvent(input.MouseReleased, x2, y2, chromedp.ButtonType(input.Left), chromedp.ClickCount(1)).Do(ctx)
	})
}

func screenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	var buf []byte
	run(tb, ctx, "screenshot "+name, chromedp.CaptureScreenshot(&buf))
	path := filepath.Join(artifactDir(tb), name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("screenshot: %s", path)
}

// clickLive clicks sel in a part of the page that refreshes by itself (the
// Run tab's data): a swap between finding the node and clicking it makes
// Chromium forget the node, and the click is tried again on the new one.
func clickLive(sel string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		for range 5 {
			if err = chromedp.Click(sel, chromedp.NodeVisible).Do(ctx); err == nil || !strings.Contains(err.Error(), "Could not find node") {
				return err
			}
		}
		return err
	})
}

// waitViewStill waits until the canvas's view (pan and zoom) holds still
// for 100 ms and has settled: Fit, zoom and Find fly there in an animation,
// and a point read during it is not where the node ends up.
func waitViewStill() chromedp.Action {
	return chromedp.Poll(`(() => {
  const v = document.getElementById('world').style.transform + ' ' + document.querySelector('[data-zoom]').textContent
  const still = window.__lastView === v
  window.__lastView = v
  // Settled too: drawn at the new view, culled and crisp (viewport.js).
  return still && !document.querySelector('.viewport.moving')
})()`, nil, chromedp.WithPollingInterval(100*time.Millisecond))
}

// clickLiveUntil clicks sel in the Run tab's self-refreshing data until the
// page says cond: a click that lands while a refresh is in flight can be
// dropped with it (htmx keeps one request per element), as a user's would,
// and a user clicks again.
func clickLiveUntil(sel, cond string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		for range 5 {
			if err = clickLive(sel).Do(ctx); err != nil {
				return err
			}
			tctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			err = chromedp.Poll(cond, nil).Do(tctx)
			cancel()
			if err == nil {
				return nil
			}
		}
		return err
	})
}
