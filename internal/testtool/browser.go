package testtool

import (
	"context"
	"log"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// ChromiumURLEnv names the DevTools URL of a Chromium that every test
// package shares. `make test` starts one (see sharedtools) so the packages
// that drive a browser do not each start their own; without it, each test
// binary starts one of its own, once.
const ChromiumURLEnv = "SWITCHBOARD_CHROMIUM_URL"

// ChromiumMissing is what a browser test says when there is no Chromium.
const ChromiumMissing = "browser tests need Chromium at /usr/bin/chromium (or SWITCHBOARD_CHROMIUM); install it with apt-get install chromium"

// ChromiumPath finds Chromium, or returns "".
func ChromiumPath() string {
	for _, c := range []string{os.Getenv("SWITCHBOARD_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	return ""
}

// ChromiumFlags are the flags every test Chromium runs with: headless, no
// first-run or background traffic, a 1440×900 window.
func ChromiumFlags(path, profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1440, 900),
	}
}

var shared struct {
	once    sync.Once
	browser context.Context
	err     error
}

// Browser returns a context for a new, isolated browser context (its own
// cookies, storage and cache) in the shared Chromium: the one `make test`
// names in SWITCHBOARD_CHROMIUM_URL, else one this test binary starts on
// first use and keeps until it exits. Tabs made from the returned context
// (chromedp.NewContext) open in the same browser context. Starting
// Chromium per test cost a second or more of CPU each, the largest share of
// the browser tests on two cores.
func Browser(tb testing.TB) context.Context {
	tb.Helper()
	shared.once.Do(func() {
		var alloc context.Context
		if url := os.Getenv(ChromiumURLEnv); url != "" {
			alloc, _ = chromedp.NewRemoteAllocator(context.Background(), url)
		} else {
			path := ChromiumPath()
			if path == "" {
				return
			}
			profile, err := os.MkdirTemp("", "switchboard-chromium-")
			if err != nil {
				shared.err = err
				return
			}
			// Never cancelled: Chromium dies with this process
			// (chromedp sets Pdeathsig on Linux).
			alloc, _ = chromedp.NewExecAllocator(context.Background(), ChromiumFlags(path, profile)...)
		}
		browser, _ := chromedp.NewContext(alloc, chromedp.WithErrorf(BrowserErrorf))
		if err := chromedp.Run(browser); err != nil {
			shared.err = err
			return
		}
		shared.browser = browser
	})
	if shared.err != nil {
		tb.Fatalf("start chromium: %v", shared.err)
	}
	if shared.browser == nil {
		Require(tb, ChromiumMissing)
	}
	var id cdp.BrowserContextID
	if err := chromedp.Run(shared.browser, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		id, err = target.CreateBrowserContext().Do(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser))
		return err
	})); err != nil {
		tb.Fatalf("create a browser context: %v", err)
	}
	tb.Cleanup(func() {
		_ = chromedp.Run(shared.browser, chromedp.ActionFunc(func(ctx context.Context) error {
			return target.DisposeBrowserContext(id).Do(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser))
		}))
	})
	return openTab(tb, shared.browser, id)
}

// NewTab opens another tab beside ctx's, in the same browser context.
func NewTab(tb testing.TB, ctx context.Context) context.Context {
	tb.Helper()
	id, ok := browserContexts.Load(chromedp.FromContext(ctx))
	if !ok {
		tab, cancel := chromedp.NewContext(ctx)
		tb.Cleanup(cancel)
		// The first Run opens the tab and ties it to the context it gets:
		// give it the tab's own, not a step's deadline.
		if err := chromedp.Run(tab, emulation.SetFocusEmulationEnabled(true)); err != nil {
			tb.Fatalf("open a tab: %v", err)
		}
		return tab
	}
	return openTab(tb, ctx, id.(cdp.BrowserContextID))
}

// openTab opens a tab in the browser context id. Chromium refuses a tab in
// a browser context of its own but in a new window ("no browser is open"),
// which chromedp does not ask for; so the target is made here and attached.
func openTab(tb testing.TB, parent context.Context, id cdp.BrowserContextID) context.Context {
	tb.Helper()
	var tid target.ID
	if err := chromedp.Run(parent, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		tid, err = target.CreateTarget("about:blank").WithBrowserContextID(id).WithNewWindow(true).
			Do(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser))
		return err
	})); err != nil {
		tb.Fatalf("open a tab: %v", err)
	}
	tab, cancel := chromedp.NewContext(parent, chromedp.WithTargetID(tid))
	tb.Cleanup(cancel)
	// Every tab behaves as the focused one, as a user's window would while
	// they work in it: tests run side by side, and only one window of a
	// browser has the real focus (document.hasFocus, focus events,
	// CodeMirror's hasFocus).
	if err := chromedp.Run(tab, emulation.SetFocusEmulationEnabled(true)); err != nil {
		tb.Fatalf("attach to a tab: %v", err)
	}
	c := chromedp.FromContext(tab)
	browserContexts.Store(c, id)
	tb.Cleanup(func() { browserContexts.Delete(c) })
	return tab
}

// browserContexts maps each tab openTab made to its browser context, which
// chromedp does not record for a tab it attached to.
var browserContexts sync.Map // *chromedp.Context → cdp.BrowserContextID

// GrantPermissions grants the page permissions (the clipboard, say) in the
// browser context of ctx's tab: a grant without it would go to the
// browser's default context, which the shared Chromium's tests are not in.
func GrantPermissions(ctx context.Context, perms ...browser.PermissionType) chromedp.Action {
	grant := browser.GrantPermissions(perms)
	if id, ok := browserContexts.Load(chromedp.FromContext(ctx)); ok {
		grant = grant.WithBrowserContextID(id.(cdp.BrowserContextID))
	}
	return grant
}

// BrowserErrorf is chromedp's error log without the events of newer
// Chromiums it does not know (dom.EventTopLayerElementsUpdated), which it
// reports for every dialog and popover and which drown real errors.
func BrowserErrorf(format string, args ...any) {
	if strings.HasPrefix(format, "unhandled node event") {
		return
	}
	log.Printf("ERROR: "+format, args...)
}
