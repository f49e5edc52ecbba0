package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/localrun"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// mustServeRun is mustServeReal with options for Run locally.
func mustServeRun(tb testing.TB, opts server.RunOptions) browserServer {
	tb.Helper()
	st, err := store.Open(context.Background(), storetest.Path(tb, "browser.db"))
	if err != nil {
		tb.Fatal(err)
	}
	srv := server.New(server.Options{Addr: "127.0.0.1:0", Store: st, Run: opts, Logger: testtool.Logger(tb)})
	if err := srv.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = srv.Close(context.Background())
		st.Close()
	})
	return browserServer{url: srv.URL(), store: st}
}

// createChat creates the chat example from the stacks page at url, as a
// new user does, and waits for its canvas.
func createChat(url string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Navigate(url + "/"),
		chromedp.WaitVisible(`#create-name`),
		chromedp.SendKeys(`#create-name`, "chat"),
		chromedp.SetValue(`#create-example`, "chat"),
		chromedp.Click(`[data-testid=create-form] button[type=submit]`),
		chromedp.WaitVisible(`.editor.ready #node-api1`),
	}
}

// count is the number of elements matching sel.
func count(tb testing.TB, ctx context.Context, sel string) int {
	tb.Helper()
	var n int
	run(tb, ctx, "count "+sel, chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n))
	return n
}

// TestBrowserRunShowsItsStart: a start that takes long (the first run
// installs the SDK, a minute on a slow network) answers at once with the
// start under way and what it is doing, follows it without holding a
// request open, and ends with what went wrong and the command that fixes
// it when the install fails.
func TestBrowserRunShowsItsStart(t *testing.T) {
	t.Parallel()
	// An npm that waits for the test's word, then fails as npm does
	// offline without the package in its cache.
	dir := t.TempDir()
	release := filepath.Join(dir, "release")
	npm := filepath.Join(dir, "npm")
	script := "#!/bin/sh\nwhile [ ! -e " + release + " ]; do sleep 0.05; done\necho 'npm error code ENOTCACHED' >&2\nexit 1\n"
	if err := os.WriteFile(npm, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	srv := mustServeRun(t, server.RunOptions{CADir: filepath.Join(dir, "ca"),
		SDK: localrun.SDKOptions{CacheDir: filepath.Join(dir, "sdk"), NPM: npm}})
	ctx, _ := newBrowser(t)
	run(t, ctx, "create the chat example and run it",
		createChat(srv.url),
		chromedp.Click(`[data-testid=run-locally]`),
		chromedp.WaitVisible(`[data-testid=run-starting]`),
		chromedp.Poll(`document.querySelector('[data-testid=run-setup]').textContent.includes('installing the AWS SDK for JavaScript v3')`, nil),
	)
	// The panel keeps following the start: still starting, one poll later.
	run(t, ctx, "keep following the start",
		chromedp.Evaluate(`document.querySelector('[data-testid=run-setup]').dataset.seen = 'yes'`, nil),
		chromedp.Poll(`!document.querySelector('[data-testid=run-setup]')?.dataset.seen && !!document.querySelector('[data-testid=run-starting]')`, nil),
	)
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var msg string
	run(t, ctx, "see why the start failed",
		chromedp.WaitVisible(`[data-testid=run-error]`),
		chromedp.Text(`[data-testid=run-error]`, &msg),
		chromedp.WaitVisible(`[data-testid=run-start]`),
	)
	for _, want := range []string{"ENOTCACHED", lambdaemu.SDKInstallCommand} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failed start says %q; want it to name %q", msg, want)
		}
	}
	if n := count(t, ctx, `[data-testid=run-starting]`); n != 0 {
		t.Errorf("the failed start still shows %d starting panels", n)
	}
}

// TestBrowserChatFromScratch is a new user's first run: no DynamoDB, no
// moto, no CA yet. They create the chat example, press Run locally, and two
// WebSocket clients in the page talk through the starter handlers; the Run
// tab shows both connections and the table rows $connect stored, sends to
// one through @connections and disconnects the other.
func TestBrowserChatFromScratch(t *testing.T) {
	// An empty SDK cache: the run installs the SDK the starter handlers
	// import, as on a fresh machine, from npm's cache (npm ci filled it),
	// never from the network.
	t.Parallel()
	testtool.Command(t, "npm", "the run installs the AWS SDK with npm")
	sdkCache := filepath.Join(t.TempDir(), "sdk")
	srv := mustServeRun(t, server.RunOptions{CADir: filepath.Join(t.TempDir(), "fresh-ca"),
		SDK: localrun.SDKOptions{CacheDir: sdkCache, Env: []string{"npm_config_offline=true"}}})
	ctx, _ := newBrowser(t)

	var url string
	run(t, ctx, "create the chat example", createChat(srv.url))
	// The first run installs the SDK (npm, from its cache): 3 s on a quiet
	// machine, over 30 s while the rest of the suite runs beside it; the
	// panel follows the start meanwhile (TestBrowserRunShowsItsStart).
	runWithin(t, ctx, 2*time.Minute, "run it, installing the SDK on first need",
		chromedp.Click(`[data-testid=run-locally]`),
		chromedp.WaitVisible(`[data-testid=run-url]`),
		chromedp.Text(`[data-testid=run-url]`, &url),
		chromedp.WaitVisible(`[data-testid=run-data]`),
	)
	if !strings.HasPrefix(url, "ws://127.0.0.1:") {
		t.Fatalf("run URL = %q", url)
	}
	// The log keeps what the start did, the install among it.
	run(t, ctx, "see the install in the run's log",
		chromedp.Poll(`document.querySelector('[data-testid=run-log]').textContent.includes('installed the AWS SDK for JavaScript v3')`, nil))
	if installed, _ := filepath.Glob(filepath.Join(sdkCache, "*", "node_modules", "@aws-sdk", "client-dynamodb")); len(installed) == 0 {
		t.Errorf("the run did not install the SDK into the empty cache %s", sdkCache)
	}
	if ep := evalString(t, ctx, `document.querySelector('[data-testid=run-dynamodb]').textContent`); !strings.HasPrefix(ep, "http://127.0.0.1:") {
		t.Errorf("the Run tab names the tables' endpoint %q", ep)
	}

	// Two clients, one after the other, so the oldest row is a's.
	open := func(name string) chromedp.Action {
		return chromedp.Evaluate(fmt.Sprintf(`(() => {
  const ws = new WebSocket(%q);
  window.%s = { ws, got: [], open: false, closed: 0 };
  ws.onopen = () => { window.%s.open = true };
  ws.onmessage = (e) => window.%s.got.push(e.data);
  ws.onclose = (e) => { window.%s.closed = e.code };
  return true;
})()`, url, name, name, name, name), nil)
	}
	run(t, ctx, "connect two clients from the page",
		open("a"), chromedp.Poll(`window.a.open`, nil),
		open("b"), chromedp.Poll(`window.b.open`, nil),
		// The Run tab lists both connections and the two items $connect
		// stored in the built-in table.
		chromedp.Poll(`document.querySelectorAll('[data-testid=run-connection]').length === 2`, nil),
		chromedp.Poll(`document.querySelectorAll('[data-testid=run-item]').length === 2`, nil),
	)

	run(t, ctx, "a sends, b receives through the SendHandler's @connections posts",
		chromedp.Evaluate(`window.a.ws.send(JSON.stringify({action: "sendMessage", data: "hello from a"}))`, nil),
		chromedp.Poll(`window.b.got.includes("hello from a")`, nil),
		chromedp.Poll(`window.a.got.includes("hello from a")`, nil),
		// a's row shows its last route.
		chromedp.Poll(`document.querySelector('[data-testid=run-connection]').textContent.includes('sendMessage')`, nil),
	)
	items := evalString(t, ctx, `[...document.querySelectorAll('[data-testid=run-item]')].map((r) => r.textContent).join(' | ')`)
	rows := evalString(t, ctx, `[...document.querySelectorAll('[data-testid=run-connection]')].map((r) => r.dataset.connectionId).join(' ')`)
	for _, id := range strings.Fields(rows) {
		if !strings.Contains(items, id) {
			t.Errorf("table items %q lack connection %s", items, id)
		}
	}

	run(t, ctx, "send to a through @connections from the Run tab",
		chromedp.SetValue(`[data-testid=run-push-message]`, "from the canvas"),
		chromedp.Click(`[data-testid=run-connection]:first-child [data-testid=run-connection-send]`),
		chromedp.Poll(`window.a.got.includes("from the canvas")`, nil),
		// The post reached a before the answer swapped the tab in.
		chromedp.Poll(`!document.querySelector('[data-testid=run-data] .htmx-request, [data-testid=run-data].htmx-request, .htmx-settling')`, nil),
	)
	if got := evalString(t, ctx, `JSON.stringify(window.b.got)`); strings.Contains(got, "from the canvas") {
		t.Errorf("b got the message sent to a: %s", got)
	}

	t.Cleanup(func() {
		if t.Failed() {
			var state string
			_ = chromedp.Run(ctx, chromedp.Evaluate(`JSON.stringify({a: window.a && {got: window.a.got, closed: window.a.closed}, b: window.b && {got: window.b.got, closed: window.b.closed}, rows: [...document.querySelectorAll('[data-testid=run-connection]')].map((r) => r.textContent), items: [...document.querySelectorAll('[data-testid=run-item]')].map((r) => r.textContent), log: document.querySelector('[data-testid=run-log]')?.innerText})`, &state))
			t.Logf("page state: %s", state)
		}
	})
	run(t, ctx, "disconnect b from the Run tab",
		chromedp.Click(`[data-testid=run-connection]:nth-child(2) [data-testid=run-connection-disconnect]`),
		chromedp.Poll(`window.b.closed === 1000`, nil),
		// Its $disconnect removed its item; the tab follows.
		chromedp.Poll(`document.querySelectorAll('[data-testid=run-connection]').length === 1`, nil),
		chromedp.Poll(`document.querySelectorAll('[data-testid=run-item]').length === 1`, nil),
	)
	run(t, ctx, "a client connecting while another tab is shown is listed on return",
		chromedp.Click(`[data-testid=tab-properties]`),
		open("c"), chromedp.Poll(`window.c.open`, nil),
		chromedp.Click(`[data-testid=tab-run]`),
		chromedp.Poll(`document.querySelectorAll('[data-testid=run-connection]').length === 2`, nil),
	)
	if n := count(t, ctx, `[data-testid=run-data-error]`); n != 0 {
		t.Errorf("the Run tab shows %d errors", n)
	}
	screenshot(t, ctx, "run-data")
	run(t, ctx, "stop", chromedp.Click(`[data-testid=run-stop]`), chromedp.WaitVisible(`[data-testid=run-start]`))
}

// TestBrowserRunTablePages pages through a table of 30 items in the Run
// tab: Next, Previous and First, 25 items a page, the page kept when the
// data refreshes.
func TestBrowserRunTablePages(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run starts the echo example's Node.js handler")
	srv := mustServeRun(t, server.RunOptions{CADir: filepath.Join(t.TempDir(), "ca")})
	s, _ := model.Example("echo", "echo")
	s.Tables = append(s.Tables, model.NewTable("tb9", "Notes"))
	if _, err := srv.store.CreateStack(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	ctx, _ := newBrowser(t)
	var endpoint string
	run(t, ctx, "run the stack",
		chromedp.Navigate(srv.url+"/stacks/echo"),
		chromedp.WaitVisible(`.editor.ready #node-api1`),
		chromedp.Click(`[data-testid=run-locally]`),
		chromedp.WaitVisible(`[data-testid=run-dynamodb]`),
		chromedp.Text(`[data-testid=run-dynamodb]`, &endpoint),
	)
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")})
	for i := range 30 {
		if _, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("echo-Notes"),
			Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: fmt.Sprintf("note-%02d", i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	rangeJS := func(want string) string {
		return fmt.Sprintf(`document.querySelector('[data-testid=run-items-range]')?.textContent.replace(/\s+/g, ' ').trim().startsWith(%q)`, want)
	}
	rangeIs := func(want string) chromedp.Action { return chromedp.Poll(rangeJS(want), nil) }
	seen := map[string]bool{}
	collect := func() {
		var ids []string
		run(t, ctx, "read the page", chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=run-item] td:first-child')].map((td) => td.textContent)`, &ids))
		for _, id := range ids {
			seen[id] = true
		}
	}
	run(t, ctx, "the first page", rangeIs("Items 1–25"))
	collect()
	run(t, ctx, "next page",
		clickLiveUntil(`[data-testid=run-items-next]`, rangeJS("Items 26–30")),
	)
	collect()
	if len(seen) != 30 {
		t.Errorf("two pages showed %d distinct items; want 30", len(seen))
	}
	run(t, ctx, "the page stays when the data refreshes",
		chromedp.Evaluate(`htmx.trigger(document.querySelector('[data-run-data]'), 'refresh')`, nil),
		chromedp.Poll(`!document.querySelector('.htmx-request')`, nil),
		rangeIs("Items 26–30"),
	)
	run(t, ctx, "previous page",
		clickLiveUntil(`[data-testid=run-items-previous]`, rangeJS("Items 1–25")),
		chromedp.Poll(`!document.querySelector('[data-testid=run-items-previous]')`, nil),
	)
	run(t, ctx, "next, then first",
		clickLiveUntil(`[data-testid=run-items-next]`, rangeJS("Items 26–30")),
		clickLiveUntil(`[data-testid=run-items-first]`, rangeJS("Items 1–25")),
	)
	run(t, ctx, "stop", chromedp.Click(`[data-testid=run-stop]`), chromedp.WaitVisible(`[data-testid=run-start]`))
}
