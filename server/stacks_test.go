package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/model"
)

// TestStackDelete_ConfirmOnlyInBody: a delete is confirmed by a form field
// in the POST body, never by the query string, which a link or an ID spliced
// into a URL could carry. GET only asks.
func TestStackDelete_ConfirmOnlyInBody(t *testing.T) {
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
