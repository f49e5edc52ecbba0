package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// mustServe starts the real router on a real SQLite file.
func mustServe(tb testing.TB) (*httptest.Server, *store.Store) {
	tb.Helper()
	st, err := store.Open(context.Background(), storetest.Path(tb, "test.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	ts := httptest.NewServer(server.New(server.Options{Store: st}).Handler())
	tb.Cleanup(ts.Close)
	return ts, st
}

func do(tb testing.TB, ts *httptest.Server, method, path string, header http.Header) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, ts.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestStackIndex(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	_, body := do(t, ts, "GET", "/", nil)
	if !strings.Contains(body, `data-testid="no-stacks"`) {
		t.Fatalf("an empty database should say so:\n%s", body)
	}
	chat, _ := model.Example("chat", "chat")
	chat.Description = `<script>alert("x")</script>`
	if _, err := st.CreateStack(context.Background(), chat); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, ts, "GET", "/", nil)
	if resp.StatusCode != http.StatusOK || strings.Count(body, `data-testid="stack-row"`) != 1 {
		t.Fatalf("GET / = %d:\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, `<script>alert`) || !strings.Contains(body, "&lt;script&gt;") {
		t.Fatal("stack descriptions must be escaped")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Fatalf("missing CSP: %q", csp)
	}
}

func TestStaticAssets(t *testing.T) {
	t.Parallel()
	ts, _ := mustServe(t)
	resp, body := do(t, ts, "GET", web.Asset("app.css"), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "--accent") {
		t.Fatalf("GET %s = %d", web.Asset("app.css"), resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Fatalf("hashed assets should be cached for good, got %q", cc)
	}
	resp, _ = do(t, ts, "GET", "/static/0123456789ab/app.css", nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != web.Asset("app.css") {
		t.Fatalf("a stale hash should redirect to the current asset, got %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	ts, _ := mustServe(t)
	t.Run("NotFound", func(t *testing.T) {
		resp, body := do(t, ts, "GET", "/nope", nil)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "No such page") {
			t.Fatalf("got %d:\n%s", resp.StatusCode, body)
		}
	})
	t.Run("CrossOriginPostRefused", func(t *testing.T) {
		resp, _ := do(t, ts, "POST", "/", http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a cross-origin POST must be refused, got %d", resp.StatusCode)
		}
	})
	t.Run("SameOriginPostReachesRouter", func(t *testing.T) {
		resp, _ := do(t, ts, "POST", "/", http.Header{"Sec-Fetch-Site": {"same-origin"}})
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("want 405 from the router, got %d", resp.StatusCode)
		}
	})
}

func TestOpenRefusesBusyAddress(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	srv := server.New(server.Options{Addr: strings.TrimPrefix(ts.URL, "http://"), Store: st})
	if err := srv.Open(); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("want a listen error, got %v", err)
	}
}
