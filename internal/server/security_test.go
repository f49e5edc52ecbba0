package server_test

// The app-side attack tests of issue 10, together so the threat model reads
// in one place (docs/security.md): a web page the user merely visits must
// not drive the app (DNS rebinding), the app must not be reachable from the
// network without a secret, and IDs from a shared file must not steer the
// canvas's requests.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// rawRequest sends a request to the server at base (http://127.0.0.1:PORT)
// with the Host header set to host, as a browser does for a name rebound to
// 127.0.0.1. Redirects are not followed.
func rawRequest(tb testing.TB, method, base, host, path string, form url.Values, header http.Header) (*http.Response, string) {
	tb.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Host = host
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
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
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// noStack fails unless the store has no stack of that name.
func noStack(tb testing.TB, st *store.Store, name string) {
	tb.Helper()
	if s, err := st.StackByName(context.Background(), name); model.ErrorCode(err) != model.ENOTFOUND {
		tb.Fatalf("stack %q: got %v, %v; the attack created it", name, s, err)
	}
}

// TestDNSRebindingRefused replays the audit's attack with raw requests: a
// page on evil.test, its name rebound to 127.0.0.1, is same-origin with
// the app in the browser's eyes and sends what the browser would. It tries
// to create a stack, to give a function NODE_OPTIONS=--import=data:… and to
// run it locally. Every request, even for a page or asset, gets 421 and the
// database is unchanged; the same requests naming 127.0.0.1 do work, so the
// refusal is the Host check's.
func TestDNSRebindingRefused(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	victim := mustCreate(t, srv.store, "chat", "victim")
	fn := victim.Functions[0].ID
	u, _ := url.Parse(srv.url)
	evil := "evil.test:" + u.Port()
	attacker := http.Header{
		"Origin":         {"http://" + evil},
		"Sec-Fetch-Site": {"same-origin"},
		"Hx-Request":     {"true"},
	}
	base := "/stacks/" + strconv.FormatInt(victim.ID, 10)
	withRev := func(h http.Header) http.Header {
		h = h.Clone()
		h.Set("X-Base-Revision", strconv.FormatInt(victim.Revision, 10))
		return h
	}
	env := url.Values{"environment": {"NODE_OPTIONS=--import=data:text/javascript,process.exit(42)"}}
	attack := []struct {
		method, path string
		form         url.Values
		header       http.Header
	}{
		{"GET", "/", nil, attacker},
		{"GET", web.Asset("app.css"), nil, attacker},
		{"GET", "/no-such-page", nil, attacker},
		{"POST", "/stacks", url.Values{"name": {"pwned"}, "example": {"chat"}}, attacker},
		{"POST", base + "/nodes/" + fn, env, withRev(attacker)},
		{"POST", base + "/run", url.Values{}, attacker},
		{"GET", base + "/run/events", nil, attacker},
		{"GET", base + "/live?view=v1", nil, attacker},
		{"GET", base + "/changes?since=1", nil, attacker},
		{"POST", base + "/presence", url.Values{"view": {"v1"}, "selected": {"node-" + fn}}, attacker},
		{"POST", base + "/resolve", url.Values{"path": {"/description"}, "value": {`"pwned"`}}, withRev(attacker)},
	}
	for _, host := range []string{evil, "evil.test", "127.0.0.1.evil.test:" + u.Port(), "127.0.0.1:1"} {
		for _, a := range attack {
			resp, body := rawRequest(t, a.method, srv.url, host, a.path, a.form, a.header)
			if resp.StatusCode != http.StatusMisdirectedRequest {
				t.Errorf("%s %s with Host %s: got %d, want 421:\n%.300s", a.method, a.path, host, resp.StatusCode, body)
			}
		}
	}
	noStack(t, srv.store, "pwned")
	after := head(t, srv.store, victim.ID)
	if after.Revision != victim.Revision || len(after.Function(fn).Environment) != 0 {
		t.Fatalf("the attack changed the victim: revision %d → %d, environment %v", victim.Revision, after.Revision, after.Function(fn).Environment)
	}

	// The same requests from the app's own origin work: the test sends
	// what would succeed but for the Host.
	for _, host := range []string{u.Host, "localhost:" + u.Port()} {
		own := http.Header{"Origin": {"http://" + host}, "Sec-Fetch-Site": {"same-origin"}}
		resp, body := rawRequest(t, "GET", srv.url, host, "/", nil, own)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET / with Host %s = %d:\n%.300s", host, resp.StatusCode, body)
		}
	}
	own := http.Header{"Origin": {srv.url}, "Sec-Fetch-Site": {"same-origin"}, "Hx-Request": {"true"}}
	if resp, body := rawRequest(t, "POST", srv.url, u.Host, "/stacks", url.Values{"name": {"mine"}}, own); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("create from the app's own origin = %d:\n%.300s", resp.StatusCode, body)
	}
	if _, err := srv.store.StackByName(context.Background(), "mine"); err != nil {
		t.Fatalf("the control request created no stack: %v", err)
	}
	if resp, body := rawRequest(t, "POST", srv.url, u.Host, base+"/nodes/"+fn, env, withRev(own)); resp.StatusCode != http.StatusOK {
		t.Fatalf("the control edit = %d:\n%.300s", resp.StatusCode, body)
	}
}

// TestBrowserDNSRebindingRefused is the same attack in Chromium: the
// resolver maps evil.test to 127.0.0.1, as a rebinding DNS server would,
// and the attacker's page at http://evil.test:PORT/ tries to POST to the
// app with fetch(). The page itself and every request get 421, and no
// stack is created.
func TestBrowserDNSRebindingRefused(t *testing.T) {
	srv := mustServeReal(t)
	victim := mustCreate(t, srv.store, "chat", "victim")
	ctx, _ := newBrowserWith(t,
		chromedp.Flag("host-resolver-rules", "MAP evil.test 127.0.0.1"),
		// An upgrade attempt to https would only slow the test down.
		chromedp.Flag("disable-features", "HttpsUpgrades"),
	)
	u, _ := url.Parse(srv.url)
	evil := "http://evil.test:" + u.Port()
	// Every request under the rebound name is refused: that is the test.
	allowConsoleErrors(t, "the server responded with a status of 421 (Misdirected Request) "+evil+"/")
	var text string
	run(t, ctx, "open the attacker's page",
		chromedp.Navigate(evil+"/"),
		chromedp.Text(`body`, &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "421") || strings.Contains(text, "victim") {
		t.Fatalf("the rebound name reached the app:\n%.300s", text)
	}
	base := "/stacks/" + strconv.FormatInt(victim.ID, 10)
	script := `(async () => {
		const form = (o) => ({method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded', 'HX-Request': 'true', 'X-Base-Revision': '` + strconv.FormatInt(victim.Revision, 10) + `'}, body: new URLSearchParams(o)})
		const out = []
		for (const [path, body] of [
			['/stacks', {name: 'pwned', example: 'chat'}],
			['` + base + `/nodes/` + victim.Functions[0].ID + `', {environment: 'NODE_OPTIONS=--import=data:text/javascript,process.exit(42)'}],
			['` + base + `/run', {}],
		]) {
			const r = await fetch(path, form(body))
			out.push(r.status)
		}
		return out.join(',')
	})()`
	var statuses string
	run(t, ctx, "fetch from the attacker's page", chromedp.Evaluate(script, &statuses, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	if statuses != "421,421,421" {
		t.Fatalf("fetch() statuses %s, want 421 each", statuses)
	}
	noStack(t, srv.store, "pwned")
	if after := head(t, srv.store, victim.ID); after.Revision != victim.Revision {
		t.Fatalf("the attack changed the victim: revision %d → %d", victim.Revision, after.Revision)
	}
}

// serveAnywhere starts the server on every interface with ListenAnywhere,
// answering also to switchboard.lan, and returns it with its token URL.
func serveAnywhere(tb testing.TB) (*server.Server, *store.Store, *url.URL) {
	tb.Helper()
	st, err := store.Open(context.Background(), storetest.Path(tb, "anywhere.db"))
	if err != nil {
		tb.Fatal(err)
	}
	srv := server.New(server.Options{Addr: "0.0.0.0:0", Store: st, ListenAnywhere: true, AllowHosts: []string{"switchboard.lan"}})
	if err := srv.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = srv.Close(context.Background())
		st.Close()
	})
	urls := srv.OpenURLs()
	if !srv.TokenRequired() || len(urls) != 2 || !strings.Contains(urls[1], "//switchboard.lan:") {
		tb.Fatalf("want a token and URLs for 127.0.0.1 and switchboard.lan, got %v", urls)
	}
	u, err := url.Parse(urls[0])
	if err != nil || u.Hostname() != "127.0.0.1" || len(u.Query().Get("token")) < 32 {
		tb.Fatalf("token URL %q: %v", urls[0], err)
	}
	return srv, st, u
}

// TestListenBeyondLoopbackRefused: an address other machines can reach
// needs ListenAnywhere (the CLI's --listen-anywhere), whatever its form.
func TestListenBeyondLoopbackRefused(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), storetest.Path(t, "refused.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", ":0", "192.0.2.1:0", "[2001:db8::1]:0", "[::ffff:192.0.2.1]:0"} {
		err := server.New(server.Options{Addr: addr, Store: st}).Open()
		if !errors.Is(err, server.ErrNotLoopback) || !strings.Contains(err.Error(), "--listen-anywhere") {
			t.Errorf("Open(%s) = %v, want ErrNotLoopback naming --listen-anywhere", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::ffff:127.0.0.1]:0"} {
		srv := server.New(server.Options{Addr: addr, Store: st})
		if err := srv.Open(); err != nil {
			t.Errorf("Open(%s) = %v; loopback needs no flag", addr, err)
			continue
		}
		if srv.TokenRequired() {
			t.Errorf("Open(%s) asks for a token on loopback", addr)
		}
		_ = srv.Close(context.Background())
	}
}

// TestListenAnywhereNeedsToken: beyond loopback, every request needs the
// token printed at start-up, as Jupyter's: the URL with ?token= sets an
// HttpOnly, SameSite=Strict cookie and redirects to the same URL without
// it; Authorization: Bearer works too; anything else is refused, and a Host
// outside the allowed names still gets 421.
func TestListenAnywhereNeedsToken(t *testing.T) {
	t.Parallel()
	srv, st, tokenURL := serveAnywhere(t)
	base := srv.URL()
	host := tokenURL.Host
	token := tokenURL.Query().Get("token")

	for _, path := range []string{"/", web.Asset("app.css"), "/no-such-page"} {
		resp, body := rawRequest(t, "GET", base, host, path, nil, nil)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "token") || resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("GET %s without the token = %d:\n%s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := rawRequest(t, "POST", base, host, "/stacks", url.Values{"name": {"nope"}}, http.Header{"Sec-Fetch-Site": {"same-origin"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("POST without the token = %d", resp.StatusCode)
	}
	wrong := strings.Repeat("0", len(token))
	if resp, _ := rawRequest(t, "GET", base, host, "/?token="+wrong, nil, nil); resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
		t.Fatalf("a wrong token = %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	for _, auth := range []string{"Bearer " + wrong, "Basic " + token, token} {
		if resp, _ := rawRequest(t, "GET", base, host, "/", nil, http.Header{"Authorization": {auth}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("Authorization %q = %d", auth, resp.StatusCode)
		}
	}
	if resp, _ := rawRequest(t, "GET", base, host, "/", nil, http.Header{"Cookie": {"switchboard-token-" + tokenURL.Port() + "=" + wrong}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong cookie = %d", resp.StatusCode)
	}
	noStack(t, st, "nope")

	// The printed URL: a cookie, and a redirect without the token.
	resp, _ := rawRequest(t, "GET", base, host, "/stacks/1/git?token="+token+"&x=1", nil, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/stacks/1/git?x=1" {
		t.Fatalf("token URL = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "switchboard-token-"+tokenURL.Port() {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" {
		t.Fatalf("token cookie %+v; want HttpOnly, SameSite=Strict, Path=/", cookie)
	}
	// A path the browser would read as another host is not redirected to.
	if resp, _ := rawRequest(t, "GET", base, host, "//evil.test/?token="+token, nil, nil); resp.Header.Get("Location") != "/" {
		t.Fatalf("//evil.test/?token= redirects to %q", resp.Header.Get("Location"))
	}

	// With the cookie, the app works, edits included; so does a bearer
	// token, also under an allowed name.
	withCookie := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}}
	if resp, body := rawRequest(t, "GET", base, host, "/", nil, withCookie); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Switchboard") {
		t.Fatalf("GET / with the cookie = %d:\n%.300s", resp.StatusCode, body)
	}
	create := withCookie.Clone()
	create.Set("Origin", "http://"+host)
	create.Set("Sec-Fetch-Site", "same-origin")
	if resp, body := rawRequest(t, "POST", base, host, "/stacks", url.Values{"name": {"mine"}}, create); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create with the cookie = %d:\n%.300s", resp.StatusCode, body)
	}
	if _, err := st.StackByName(context.Background(), "mine"); err != nil {
		t.Fatal(err)
	}
	bearer := http.Header{"Authorization": {"Bearer " + token}}
	lan := "switchboard.lan:" + tokenURL.Port()
	if resp, _ := rawRequest(t, "GET", base, lan, "/", nil, bearer); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / as %s with a bearer token = %d", lan, resp.StatusCode)
	}

	// A name outside the allowed ones: 421, token or not.
	for _, h := range []string{"evil.test:" + tokenURL.Port(), "switchboard.lan:1"} {
		if resp, _ := rawRequest(t, "GET", base, h, "/?token="+token, nil, bearer); resp.StatusCode != http.StatusMisdirectedRequest {
			t.Fatalf("Host %s = %d, want 421", h, resp.StatusCode)
		}
	}
}

// hostileID is the audit's node ID: in a URL built by concatenation, a
// nudge of the node posted to /stacks/1/delete?confirm=yes&z=/move.
const hostileID = "../../../stacks/1/delete?confirm=yes&z="

// TestInvalidIDsRefused: a node, route or wire ID in a path, or a wire end
// in a form, that is not a model.ValidID gets 400 and a message saying
// what an ID is, before any handler uses it; a valid ID that names nothing
// is still 404.
func TestInvalidIDsRefused(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "chat", "chat")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	h := htmxAt(s.Revision)
	for _, c := range []struct{ method, path string }{
		{"POST", base + "/nodes/..%2F..%2F..%2Fstacks%2F1%2Fdelete%3Fconfirm=yes&z=/move"},
		{"GET", base + "/nodes/fn6.x"},
		{"POST", base + "/nodes/fn6%3Fx"},
		{"DELETE", base + "/nodes/fn%206"},
		{"POST", base + "/nodes/6fn/routes"},
		{"DELETE", base + "/routes/rt2%2F..%2Fx"},
		{"GET", base + "/wires/w10%23x"},
		{"POST", base + "/wires/w10;x"},
		{"DELETE", base + "/wires/" + strings.Repeat("w", 65)},
	} {
		resp, body := send(t, ts, c.method, c.path, url.Values{"x": {"1"}}, h)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "is not a valid") || !strings.Contains(body, "ID is a letter") {
			t.Errorf("%s %s = %d, want 400 saying what an ID is:\n%.400s", c.method, c.path, resp.StatusCode, body)
		}
	}
	for _, form := range []url.Values{
		{"from": {hostileID}, "to": {"fn6"}},
		{"from": {"rt2"}, "to": {"fn6/../x"}},
	} {
		resp, body := send(t, ts, "POST", base+"/wires", form, h)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "is not a valid wire end ID") {
			t.Errorf("wire %v = %d, want 400:\n%.400s", form, resp.StatusCode, body)
		}
	}
	if after := head(t, st, s.ID); after.Revision != s.Revision {
		t.Fatalf("a refused request changed the stack: revision %d → %d", s.Revision, after.Revision)
	}
	if resp, _ := send(t, ts, "GET", base+"/nodes/fn99", nil, h); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a valid ID naming nothing = %d, want 404", resp.StatusCode)
	}
}

// TestOpenHostileStackFileRefused: a shared switchboard.json whose node
// ID would steer requests is refused when opened from a repository, with
// the reason shown on the page, and no stack is created.
func TestOpenHostileStackFileRefused(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	victim := mustCreate(t, st, "chat", "victim")
	chat, _ := model.Example("chat", "shared")
	data, err := model.MarshalStackFile(chat)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte(`"fn6"`), []byte(strconv.Quote(hostileID)))
	if !bytes.Contains(data, []byte("delete?confirm")) {
		t.Fatalf("the hostile ID is not in the file:\n%s", data)
	}
	repo := t.TempDir()
	mustGit(t, repo, "init", "-q", "-b", "main")
	if err := os.MkdirAll(filepath.Join(repo, "stacks", "shared"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "stacks", "shared", "switchboard.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit(t, repo, "add", ".")
	mustGit(t, repo, "commit", "-q", "-m", "a stack to share")

	// Opening runs as a Git job; its page shows the outcome.
	resp, body := awaitJob(t, ts)(postForm(t, ts, "/stacks/open", url.Values{"repo": {repo}, "folder": {"stacks/shared"}, "name": {"opened"}}, nil))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="open-error"`) || !strings.Contains(body, "delete?confirm") {
		t.Fatalf("open of the hostile file = %d, want 422 naming the ID:\n%s", resp.StatusCode, body)
	}
	noStack(t, st, "opened")
	noStack(t, st, "shared")
	if _, err := st.Stack(context.Background(), victim.ID); err != nil {
		t.Fatalf("the victim is gone: %v", err)
	}
}

// TestBrowserHostileIDCannotSteerCanvas renders the canvas of a stack
// whose node has the audit's ID (as if it had slipped past every check)
// and nudges and deletes that node in Chromium with the real canvas
// script. The requests must go to the node's own URL, its ID escaped as
// one path segment; nothing else on the server is asked for.
func TestBrowserHostileIDCannotSteerCanvas(t *testing.T) {
	t.Parallel()
	chat, _ := model.Example("chat", "chat")
	chat.ID, chat.Revision = 7, 3
	// The second ID would be selector syntax if the script built a CSS
	// selector from it; the nudge then threw before it saved.
	quoting := `fn7"]]`
	for old, id := range map[string]string{"fn6": hostileID, "fn7": quoting} {
		chat.Function(old).ID = id
		for _, w := range chat.Wires {
			if w.From == old {
				w.From = id
			}
			if w.To == old {
				w.To = id
			}
		}
	}
	type hit struct{ method, uri string }
	var mu sync.Mutex
	var hits []hit
	assets := http.StripPrefix("/static/"+web.AssetHash()+"/", http.FileServerFS(web.Static))
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "GET" && r.URL.Path == "/stacks/7":
			_ = web.CanvasPage(web.NewCanvasView(chat)).Render(r.Context(), w)
		case strings.HasPrefix(r.URL.Path, "/static/"):
			assets.ServeHTTP(w, r)
		case r.URL.Path == "/favicon.ico":
			http.NotFound(w, r)
		case r.URL.Path == "/stacks/7/live":
			// The live stream (issue 15): open, with nothing to say.
			w.Header().Set("Content-Type", "text/event-stream")
		case r.URL.Path == "/stacks/7/presence":
			// What the view has selected: not an edit.
		default:
			mu.Lock()
			hits = append(hits, hit{r.Method, r.RequestURI})
			mu.Unlock()
		}
	}))
	defer ts.Close()
	edits := func() []hit {
		mu.Lock()
		defer mu.Unlock()
		var out []hit
		for _, h := range hits {
			if h.method != "GET" {
				out = append(out, h)
			}
		}
		return out
	}

	ctx, _ := newBrowser(t)
	node := `.node[data-name="ConnectionHandler"]`
	run(t, ctx, "open the canvas",
		chromedp.Navigate(ts.URL+"/stacks/7"),
		chromedp.WaitVisible(`.editor.ready `+node),
	)
	run(t, ctx, "select and nudge the node", chromedp.Focus(node), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(node+`.selected`), chromedp.KeyEvent(kb.ArrowRight))
	waitFor(t, func() bool { return len(edits()) == 1 })
	run(t, ctx, "delete the node", chromedp.KeyEvent(kb.Delete))
	waitFor(t, func() bool { return len(edits()) == 2 })
	other := `.node[data-name="DefaultHandler"]`
	run(t, ctx, "select and nudge the other node", chromedp.Focus(other), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(other+`.selected`), chromedp.KeyEvent(kb.ArrowDown))
	waitFor(t, func() bool { return len(edits()) == 3 })

	own := "/stacks/7/nodes/" + url.PathEscape(hostileID)
	want := []hit{{"POST", own + "/move"}, {"DELETE", own}, {"POST", "/stacks/7/nodes/" + url.PathEscape(quoting) + "/move"}}
	if got := edits(); !slices.Equal(got, want) {
		t.Fatalf("the canvas sent %v, want %v", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(hits, hit{"GET", own}) {
		t.Errorf("selecting the node did not load its panel from %s: %v", own, hits)
	}
	for _, h := range hits {
		if !strings.HasPrefix(h.uri, "/stacks/7/") || strings.Contains(h.uri, "?confirm") {
			t.Errorf("a request left the stack's URLs: %s %s", h.method, h.uri)
		}
	}
}

// TestBrowserListenAnywhereToken: beyond loopback, Chromium opens the
// printed token URL, lands on the app without the token in the address
// bar or in reach of scripts (HttpOnly), and the canvas works: its assets
// load and its htmx edits carry the SameSite=Strict cookie.
func TestBrowserListenAnywhereToken(t *testing.T) {
	t.Parallel()
	srv, st, tokenURL := serveAnywhere(t)
	s := mustCreate(t, st, "", "anywhere")
	ctx, _ := newBrowser(t)
	var href, cookies string
	run(t, ctx, "open the token URL",
		chromedp.Navigate(tokenURL.String()),
		chromedp.WaitVisible(`[data-testid=stack-row]`),
		chromedp.Location(&href),
		chromedp.Evaluate(`document.cookie`, &cookies),
	)
	if href != srv.URL()+"/" || cookies != "" {
		t.Fatalf("after the token URL: at %s, document.cookie %q; want the bare URL and no cookie for scripts", href, cookies)
	}
	run(t, ctx, "edit on the canvas",
		chromedp.Navigate(srv.URL()+"/stacks/"+strconv.FormatInt(s.ID, 10)),
		chromedp.WaitVisible(`.editor.ready`),
		chromedp.Focus(`[data-testid=palette-function]`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`#node-fn1.selected`),
	)
	waitFor(t, func() bool { return len(head(t, st, s.ID).Functions) == 1 })
}
