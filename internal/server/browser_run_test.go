package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestBrowserRunLocally presses Run locally on the echo example, connects
// the test client, sends a message, and sees the reply, the function's log
// and the route and wire lit up; then stops the run.
func TestBrowserRunLocally(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "Run locally starts Node.js handlers")
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	echo, _ := model.Example("echo", "echo")
	if _, err := srv.store.CreateStack(context.Background(), echo); err != nil {
		t.Fatal(err)
	}
	var url, reply, logText string
	run(t, ctx, "start the run",
		chromedp.Navigate(srv.url+"/stacks/echo"),
		chromedp.WaitVisible(`.editor.ready #node-api1`),
		chromedp.Click(`[data-testid=run-locally]`),
		chromedp.WaitVisible(`[data-testid=run-url]`),
		chromedp.Text(`[data-testid=run-url]`, &url),
	)
	if !strings.HasPrefix(url, "ws://127.0.0.1:") || !strings.HasSuffix(url, "/dev") {
		t.Fatalf("run URL = %q", url)
	}
	run(t, ctx, "connect the test client and send",
		chromedp.Click(`[data-testid=run-connect]`),
		chromedp.WaitEnabled(`[data-testid=run-send]`),
		chromedp.SetValue(`[data-testid=run-message]`, `{"action":"test","n":42}`),
		chromedp.Click(`[data-testid=run-send]`),
		chromedp.WaitVisible(`[data-testid=run-messages] li[data-kind=reply]`),
		chromedp.Text(`[data-testid=run-messages] li[data-kind=reply]`, &reply),
		// The message lit the route, its integration wire and the function.
		chromedp.WaitReady(`[data-route="rt2"][data-hits]`),
		chromedp.WaitReady(`#wire-w4[data-hits]`),
		chromedp.WaitReady(`#node-fn3[data-hits]`),
		chromedp.Poll(`document.querySelector('[data-testid=run-log]').textContent.includes('EchoFunction {"routeKey":"test"')`, nil),
		chromedp.Text(`[data-testid=run-log]`, &logText),
	)
	if reply != `← reply: {"action":"test","n":42}` {
		t.Errorf("reply = %q", reply)
	}

	// A push through @connections, as a handler's SDK would send it, shows
	// as a push.
	var connID, pushed string
	run(t, ctx, "learn the connection ID",
		chromedp.WaitReady(`[data-testid=run-panel][data-connection-id]`),
		chromedp.AttributeValue(`[data-testid=run-panel]`, "data-connection-id", &connID, nil))
	httpURL := "http" + strings.TrimPrefix(url, "ws") + "/@connections/" + connID
	req, _ := http.NewRequest(http.MethodPost, httpURL, strings.NewReader("pushed!"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s = %d", httpURL, resp.StatusCode)
	}
	run(t, ctx, "see the push",
		chromedp.WaitVisible(`[data-testid=run-messages] li[data-kind=push]`),
		chromedp.Text(`[data-testid=run-messages] li[data-kind=push]`, &pushed))
	if pushed != "← push: pushed!" {
		t.Errorf("push = %q", pushed)
	}

	// Filtering by the connection ID leaves that connection's log.
	var shown []string
	run(t, ctx, "filter the log by connection",
		chromedp.SendKeys(`[data-testid=run-filter]`, connID),
		chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=run-log] li:not([hidden])')].map((li) => li.textContent)`, &shown))
	if len(shown) < 3 {
		t.Errorf("filtered log shows %d lines: %q", len(shown), shown)
	}
	for _, line := range shown {
		if !strings.Contains(line, connID) {
			t.Errorf("filtered log shows %q", line)
		}
	}
	if !strings.Contains(logText, "reply test") {
		t.Errorf("log lacks the reply event:\n%s", logText)
	}
	screenshot(t, ctx, "run-locally")
	run(t, ctx, "stop",
		chromedp.Click(`[data-testid=run-stop]`),
		chromedp.WaitVisible(`[data-testid=run-start]`),
	)
}
