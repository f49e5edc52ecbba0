package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/server"
)

// changedLines returns the lines of b that differ from a's, failing when
// the two do not have the same number of lines.
func changedLines(tb testing.TB, a, b string) []string {
	tb.Helper()
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(al) != len(bl) {
		tb.Fatalf("%d lines became %d:\n%s", len(al), len(bl), b)
	}
	var out []string
	for i := range al {
		if al[i] != bl[i] {
			out = append(out, bl[i])
		}
	}
	return out
}

// TestTemplateEdit: export → edit one property → apply → export differs
// only by that property; the edit is one revision Undo names; the canvas
// answer carries the change; text that cannot be imported is never
// applied and is answered with its line and column; a stale base that
// changes what changed since is a conflict (issue 15 items 2, 4).
func TestTemplateEdit(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "chat", "chat")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)
	_, before := do(t, ts, "GET", base+"/template.yaml", nil)
	const from, to = "MemorySize: 128\n      Role: !GetAtt SendHandlerRole.Arn", "MemorySize: 1024\n      Role: !GetAtt SendHandlerRole.Arn"
	if !strings.Contains(before, from) {
		t.Fatalf("the template has no %q", from)
	}
	edited := strings.Replace(before, from, to, 1)

	resp, body := send(t, ts, "POST", base+"/template", url.Values{"text": {edited}}, htmxAt(s.Revision))
	expect(t, resp, body, http.StatusOK, `hx-swap-oob`)
	if trig := triggerOf(t, resp); trig["stackChanged"] == nil {
		t.Errorf("the answer does not say the stack changed: %v", trig)
	}
	_, after := do(t, ts, "GET", base+"/template.yaml", nil)
	if d := changedLines(t, before, after); len(d) != 1 || strings.TrimSpace(d[0]) != "MemorySize: 1024" {
		t.Fatalf("the export changed in %q, want only the memory size", d)
	}
	got := head(t, st, s.ID)
	if got.Revision != s.Revision+1 {
		t.Errorf("revision %d, want %d", got.Revision, s.Revision+1)
	}
	steps, err := st.Steps(context.Background(), s.ID)
	if err != nil || steps.Undo != "edit the template" {
		t.Errorf("Undo would %q (%v), want it to name the template edit", steps.Undo, err)
	}

	t.Run("InvalidTextIsNotApplied", func(t *testing.T) {
		broken := strings.Replace(after, "RouteKey: sendMessage", "RouteKey: sendMessage: x", 1)
		line := strings.Count(broken[:strings.Index(broken, "sendMessage: x")], "\n") + 1
		resp, body := send(t, ts, "POST", base+"/template", url.Values{"text": {broken}}, htmxAt(got.Revision))
		expect(t, resp, body, http.StatusUnprocessableEntity, `data-line="`+strconv.Itoa(line)+`"`, "mapping value")
		if m := regexp.MustCompile(`data-col="(\d+)"`).FindStringSubmatch(body); m == nil || m[1] == "0" {
			t.Errorf("the problem has no column:\n%s", body)
		}
		if resp.Header.Get("HX-Retarget") != "#template-edit-problems" {
			t.Errorf("the problems go to %q", resp.Header.Get("HX-Retarget"))
		}
		// A problem of the stack is placed at the resource at fault: the
		// route's, the line under its logical ID.
		clash := strings.Replace(after, "RouteKey: sendMessage", "RouteKey: $connect", 1)
		routeLine := strings.Count(clash[:strings.Index(clash, "  ChatApiSendMessageRoute:")], "\n") + 2
		resp, body = send(t, ts, "POST", base+"/template", url.Values{"text": {clash}}, htmxAt(got.Revision))
		expect(t, resp, body, http.StatusUnprocessableEntity, "is used twice", `data-line="`+strconv.Itoa(routeLine)+`"`)
		if head(t, st, s.ID).Revision != got.Revision {
			t.Fatal("invalid text was applied")
		}
	})
	t.Run("StaleBaseSameFieldIsAConflict", func(t *testing.T) {
		// Against the first revision, another memory size: the field the
		// edit since changed too, so it is a conflict, not a merge.
		other := strings.Replace(before, from, strings.Replace(to, "1024", "512", 1), 1)
		resp, body := send(t, ts, "POST", base+"/template", url.Values{"text": {other}}, htmxAt(s.Revision))
		expect(t, resp, body, http.StatusConflict)
		if head(t, st, s.ID).Revision != got.Revision {
			t.Fatal("a stale edit was applied")
		}
	})
	t.Run("SizeLimit", func(t *testing.T) {
		// A template as large as an import may be is read (and refused
		// for its size by the importer's rule, not the body limit)...
		big := before + "\n#" + strings.Repeat("x", importer.MaxSize)
		resp, body := send(t, ts, "POST", base+"/template", url.Values{"text": {big}}, htmxAt(got.Revision))
		expect(t, resp, body, http.StatusRequestEntityTooLarge, "at most 2 MB")
		// ...one beyond any template's encoding is not read at all.
		huge := strings.Repeat("x", server.MaxTemplateEditBody)
		resp, _ = send(t, ts, "POST", base+"/template", url.Values{"text": {huge}}, htmxAt(got.Revision))
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("a body over the limit: %d", resp.StatusCode)
		}
	})
}

// TestStyleNonce: each page's CSP allows style elements only with a nonce
// of its own, which the page names for the editor; nothing else inline.
func TestStyleNonce(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "chat", "chat")
	nonceOf := func() string {
		resp, body := do(t, ts, "GET", "/stacks/"+strconv.FormatInt(s.ID, 10), nil)
		csp := resp.Header.Get("Content-Security-Policy")
		m := regexp.MustCompile(`style-src 'self' 'nonce-([A-Za-z0-9_-]{22})';`).FindStringSubmatch(csp)
		if m == nil || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
			t.Fatalf("the CSP is %q", csp)
		}
		if !strings.Contains(body, `<meta name="style-nonce" content="`+m[1]+`">`) {
			t.Fatalf("the page does not name its nonce %s", m[1])
		}
		return m[1]
	}
	if a, b := nonceOf(), nonceOf(); a == b {
		t.Fatal("two pages have the same nonce")
	}
}
