package server_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// rawGet fetches url with the Accept-Encoding given ("" sends none) and
// returns the response with its body decoded as the header says. Go's
// transparent decompression is off, so the test sees what went on the wire.
func rawGet(tb testing.TB, url, acceptEncoding string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			tb.Fatalf("GET %s: Content-Encoding gzip but %v", url, err)
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	return resp, string(b)
}

// TestResponsesGzipped: pages and text assets go out gzipped to a client
// that accepts it, and plain to one that does not.
func TestResponsesGzipped(t *testing.T) {
	t.Parallel()
	ts, _ := mustServe(t)
	for _, c := range []struct{ path, want string }{
		{"/", `data-testid="no-stacks"`},
		{web.Asset("app.css"), "--accent"},
		{web.Asset("dist/app.js"), "htmx"},
		{web.Asset("favicon.svg"), "<svg"},
	} {
		resp, body := rawGet(t, ts.URL+c.path, "gzip")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(body, c.want) {
			t.Errorf("GET %s with gzip = %d, Content-Encoding %q, body has %q: %v", c.path, resp.StatusCode, resp.Header.Get("Content-Encoding"), c.want, strings.Contains(body, c.want))
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("GET %s: Vary = %q, caches must know the body depends on Accept-Encoding", c.path, resp.Header.Get("Vary"))
		}
		resp, body = rawGet(t, ts.URL+c.path, "")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" || !strings.Contains(body, c.want) {
			t.Errorf("GET %s without Accept-Encoding = %d, Content-Encoding %q, body has %q: %v", c.path, resp.StatusCode, resp.Header.Get("Content-Encoding"), c.want, strings.Contains(body, c.want))
		}
	}
}

// TestFavicon: /favicon.ico answers an image, and every page links the
// hashed icon.
func TestFavicon(t *testing.T) {
	t.Parallel()
	ts, _ := mustServe(t)
	resp, body := rawGet(t, ts.URL+"/favicon.ico", "")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") || !strings.HasPrefix(body, "<svg") {
		t.Fatalf("GET /favicon.ico = %d %q:\n%.80s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	_, page := rawGet(t, ts.URL+"/", "")
	if link := `<link rel="icon" type="image/svg+xml" href="` + web.Asset("favicon.svg") + `">`; !strings.Contains(page, link) {
		t.Fatalf("the page does not link the icon %s", link)
	}
	if resp, _ := rawGet(t, ts.URL+web.Asset("favicon.svg"), ""); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("GET %s = %d %q", web.Asset("favicon.svg"), resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestSSEFlushesUnderGzip: the Run tab's event stream, gzipped, still
// delivers each event when it happens rather than when the stream ends
// (20 s later): the reply to a message arrives within the request's
// 10-second limit only if every flush reaches the wire.
func TestSSEFlushesUnderGzip(t *testing.T) {
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
	t.Cleanup(func() { post(t, base+"/run/stop") })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/run/events", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("event stream: Content-Encoding %q, Content-Type %q; want a gzipped event stream", ce, resp.Header.Get("Content-Type"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatalf("the first flush (retry:) did not reach the wire: %v", err)
	}
	c, err := wsload.Dial(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.RoundTrip([]byte(`{"action":"test"}`)); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "data: ") && strings.Contains(line, `"kind":"reply"`) {
			return
		}
	}
	t.Fatalf("no reply event before the stream ended or 10 s passed: %v", sc.Err())
}
