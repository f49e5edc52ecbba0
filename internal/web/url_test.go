package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestIDURLsStayOnePathSegment: whatever an ID holds, the URLs built from
// it, resolved as a browser resolves them (dot segments removed), stay
// under the stack's node, route or wire prefix, with no query or fragment.
func TestIDURLsStayOnePathSegment(t *testing.T) {
	page, _ := url.Parse("http://127.0.0.1:8080/stacks/7")
	for _, id := range []string{"fn1", "../../../stacks/1/delete?confirm=yes&z=", "..", ".", "", "a/b", "a?b#c", "%2e%2e", "a b", `"]]`} {
		for prefix, u := range map[string]string{
			"/stacks/7/nodes/":  NodeURL("/stacks/7", id) + "/move",
			"/stacks/7/routes/": RouteURL("/stacks/7", id),
			"/stacks/7/wires/":  WireURL("/stacks/7", id),
		} {
			ref, err := url.Parse(u)
			if err != nil {
				t.Fatalf("%q: %v", u, err)
			}
			got := page.ResolveReference(ref)
			rest, ok := strings.CutPrefix(got.EscapedPath(), prefix)
			if !ok || got.RawQuery != "" || got.Fragment != "" || strings.Trim(rest, "/") == "" || strings.HasPrefix(rest, "../") {
				t.Errorf("ID %q: %s resolves to %s, outside %s", id, u, got, prefix)
			}
		}
	}
}
