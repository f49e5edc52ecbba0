package server_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// TestStackDelete_ConfirmOnlyInBody: a delete is confirmed by a form field
// in the POST body, never by the query string, which a link or an ID spliced
// into a URL could carry. GET only asks.
func TestStackDelete_ConfirmOnlyInBody(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	ctx := context.Background()
	created, err := st.CreateStack(ctx, &model.Stack{Name: "victim"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/stacks/" + strconv.FormatInt(created.ID, 10) + "/delete"
	stillThere := func(when string) {
		t.Helper()
		if _, err := st.Stack(ctx, created.ID); err != nil {
			t.Fatalf("%s: the stack is gone: %v", when, err)
		}
	}

	resp, body := do(t, ts, "GET", path+"?confirm=yes", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Delete victim?") {
		t.Fatalf("GET %s?confirm=yes = %d, want the question:\n%s", path, resp.StatusCode, body)
	}
	stillThere("after GET ?confirm=yes")

	resp, body = postForm(t, ts, path+"?confirm=yes", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Delete victim?") {
		t.Fatalf("POST %s?confirm=yes with no body = %d, want the question:\n%s", path, resp.StatusCode, body)
	}
	stillThere("after POST ?confirm=yes")

	resp, _ = postForm(t, ts, path, url.Values{"confirm": {"yes"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST with confirm=yes in the body = %d, want 303", resp.StatusCode)
	}
	if _, err := st.Stack(ctx, created.ID); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("after a confirmed delete: %v", err)
	}
}

// TestStackIndex_PagesAndSearches lists 130 stacks 50 at a time with
// keyset links both ways, searches names (also as the search box asks,
// for the list alone) and treats LIKE's wildcards as plain characters.
func TestStackIndex_PagesAndSearches(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	ctx := context.Background()
	for i := range 120 {
		if _, err := st.CreateStack(ctx, &model.Stack{Name: fmt.Sprintf("s%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		if _, err := st.CreateStack(ctx, &model.Stack{Name: fmt.Sprintf("Chat-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(body string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<strong>([^<]+)</strong>`).FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	link := func(body, testid string) string {
		m := regexp.MustCompile(`<a href="([^"]*)" [^>]*data-testid="` + testid + `"`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}
	get := func(path string, header http.Header) string {
		t.Helper()
		resp, body := do(t, ts, "GET", path, header)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		return body
	}

	body := get("/", nil)
	got := names(body)
	if len(got) != 50 || got[0] != "Chat-0" || got[49] != "s039" {
		t.Fatalf("first page: %d stacks, %v … %v", len(got), got[0], got[len(got)-1])
	}
	if !strings.Contains(body, "130 stacks") || link(body, "prev-page") != "" {
		t.Fatalf("first page: want 130 stacks and no previous link")
	}
	next := link(body, "next-page")
	if next != "/?after=s039" {
		t.Fatalf("next link %q", next)
	}
	body = get(next, nil)
	if got := names(body); len(got) != 50 || got[0] != "s040" || got[49] != "s089" {
		t.Fatalf("second page: %v", got)
	}
	prev := link(body, "prev-page")
	if got := names(get(prev, nil)); len(got) != 50 || got[0] != "Chat-0" || got[49] != "s039" {
		t.Fatalf("previous from the second page (%s): %v", prev, got)
	}
	body = get(link(body, "next-page"), nil)
	if got := names(body); len(got) != 30 || got[29] != "s119" || link(body, "next-page") != "" {
		t.Fatalf("last page: %v, next %q", got, link(body, "next-page"))
	}

	body = get("/?q=CHAT", nil)
	if got := names(body); len(got) != 10 || !strings.Contains(body, "10 stacks") || link(body, "next-page") != "" {
		t.Fatalf("search chat: %v", got)
	}
	body = get("/?q=s11", http.Header{"Hx-Request": {"true"}, "Hx-Target": {"stack-list"}})
	if strings.Contains(body, "<html") || !strings.Contains(body, `id="stack-list"`) {
		t.Fatalf("the search box's request should get the list alone:\n%s", body)
	}
	if got := names(body); len(got) != 10 || got[0] != "s110" {
		t.Fatalf("search s11: %v", got)
	}
	if body := get("/?q=%25", nil); len(names(body)) != 0 || !strings.Contains(body, `data-testid="no-match"`) {
		t.Fatalf("a %% must match itself, not everything: %v", names(body))
	}
}

// TestStorageErrors_ReadOnlyDatabase serves a database file made read-only
// (chmod 0444): the stacks page still lists, and a create, a rename and a
// canvas move answer 503 with a message saying the database is read-only,
// on the error page and in the alert the canvas's toast shows.
func TestStorageErrors_ReadOnlyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.Path(t, "ro.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	chat, _ := model.Example("chat", "chat")
	created, err := st.CreateStack(ctx, chat)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	ro, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	ts := httptest.NewServer(server.New(server.Options{Store: ro}).Handler())
	defer ts.Close()

	if resp, body := do(t, ts, "GET", "/", nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, ">chat<") {
		t.Fatalf("GET / on a read-only database = %d", resp.StatusCode)
	}
	base := "/stacks/" + strconv.FormatInt(created.ID, 10)
	for _, c := range []struct {
		path   string
		form   url.Values
		header http.Header
	}{
		{"/stacks", url.Values{"name": {"new"}}, nil},
		{base + "/rename", url.Values{"name": {"renamed"}, "rev": {"1"}}, nil},
		{base + "/nodes/" + created.APIs[0].ID + "/move", url.Values{"x": {"5"}, "y": {"5"}},
			http.Header{"Hx-Request": {"true"}, "X-Base-Revision": {"1"}}},
	} {
		resp, body := postForm(t, ts, c.path, c.form, c.header)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `role="alert">The database `+path+` is read-only`) {
			t.Errorf("POST %s = %d, want 503 saying the database is read-only:\n%s", c.path, resp.StatusCode, body)
		}
		if strings.Contains(body, "Internal error") {
			t.Errorf("POST %s says Internal error", c.path)
		}
	}
	// A Git job's outcome goes through the same failure path: saving a
	// link the repository accepts but the database cannot keep is 503 with
	// the same message, not 500.
	_, repoURL := mustBareRepo(t)
	resp, body := awaitJob(t, ts)(postForm(t, ts, base+"/git/link", url.Values{"repo": {repoURL}}, nil))
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "The database "+path+" is read-only") {
		t.Errorf("link save on a read-only database = %d, want 503 saying the database is read-only:\n%s", resp.StatusCode, body)
	}
}
