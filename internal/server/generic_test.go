package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestGenericNodes drives a generic node through HTTP: the picker's search,
// adding one of a type goformation knows (and refusing one it does not),
// a save that is refused with the property's path, one that is saved, and
// an untouched save of an imported resource that keeps it byte for byte.
func TestGenericNodes(t *testing.T) {
	t.Parallel()
	ts, st := mustServe(t)
	s := mustCreate(t, st, "chat", "generic")
	base := "/stacks/" + strconv.FormatInt(s.ID, 10)

	resp, body := send(t, ts, http.MethodGet, base+"/resource-types?q="+url.QueryEscape("kinesis::stream"), nil, nil)
	expect(t, resp, body, http.StatusOK, `data-type="AWS::Kinesis::Stream"`, `data-testid="type-choice"`, `&#34;type&#34;:&#34;AWS::Kinesis::Stream&#34;`)
	resp, body = send(t, ts, http.MethodGet, base+"/resource-types?q=", nil, nil)
	expect(t, resp, body, http.StatusOK, "more: type more of the name")
	resp, body = send(t, ts, http.MethodGet, base+"/resource-types?q=nosuchthing", nil, nil)
	expect(t, resp, body, http.StatusOK, "No resource type has that name.")

	resp, _ = send(t, ts, http.MethodPost, base+"/nodes", url.Values{"kind": {"other"}, "type": {"AWS::Kinesis::Streams"}}, htmxAt(1))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Header.Get("HX-Trigger"), "Choose a resource type from the list") {
		t.Fatalf("an unknown type: %d %q", resp.StatusCode, resp.Header.Get("HX-Trigger"))
	}
	resp, body = send(t, ts, http.MethodPost, base+"/nodes", url.Values{"kind": {"other"}, "type": {"AWS::Kinesis::Stream"}}, htmxAt(1))
	expect(t, resp, body, http.StatusOK, `data-name="Stream"`, `data-testid="other-panel"`, "Properties: {}", "Checked against the properties of AWS::Kinesis::Stream")
	o := head(t, st, s.ID).Others[0]
	node := base + "/nodes/" + o.ID

	resp, body = send(t, ts, http.MethodPost, node, url.Values{"name": {"Stream"}, "resource": {"Properties:\r\n  ShardCount: 1\r\n  Encryption: KMS\r\n"}}, htmxAt(2))
	expect(t, resp, body, http.StatusUnprocessableEntity, `data-testid="error-resource"`, "Properties.Encryption (line 3, column 15): is not a property of kinesis Stream", "Encryption: KMS")
	if got := head(t, st, s.ID); got.Revision != 2 || string(got.Other(o.ID).Resource) != `{"Type":"AWS::Kinesis::Stream","Properties":{}}` {
		t.Fatalf("a refused resource was saved: revision %d, %s", got.Revision, got.Other(o.ID).Resource)
	}

	resp, body = send(t, ts, http.MethodPost, node, url.Values{"name": {"Stream"}, "resource": {"Properties:\r\n  Name: !GetAtt SendHandlr.Arn\r\n"}}, htmxAt(2))
	expect(t, resp, body, http.StatusUnprocessableEntity, "Properties.Name (line 2, column 9): !GetAtt of SendHandlr names no resource or parameter of this stack")

	resp, body = send(t, ts, http.MethodPost, node, url.Values{"name": {"Events"}, "resource": {"Properties:\r\n  ShardCount: 1\r\n  Name: !Ref ChatApi\r\n"}}, htmxAt(2))
	expect(t, resp, body, http.StatusOK, `data-testid="saved"`, "Events → ChatApi (Ref)")
	got := head(t, st, s.ID).Other(o.ID)
	if got.Name != "Events" || string(got.Resource) != `{"Type":"AWS::Kinesis::Stream","Properties":{"ShardCount":1,"Name":{"Ref":"ChatApi"}}}` {
		t.Fatalf("saved %s %s", got.Name, got.Resource)
	}
	resp, body = send(t, ts, http.MethodGet, base, nil, nil)
	expect(t, resp, body, http.StatusOK, `class="wire wire-reference"`, `data-from-node="`+o.ID+`"`, "Events → ChatApi (Ref)")

	// An imported resource, written with spacing of its own: a save that
	// only renames it leaves its resource as it was.
	imported := `{"Type": "AWS::SQS::Queue",  "Properties": {"DelaySeconds": 5}}`
	_, _, err := st.Edit(context.Background(), s.ID, 3, func(s *model.Stack) error {
		s.Others = append(s.Others, &model.Other{Node: model.Node{ID: "res90", Name: "Kept"}, Type: "AWS::SQS::Queue", Resource: []byte(imported)},
			&model.Other{Node: model.Node{ID: "res91", Name: "Custom"}, Type: "Custom::Thing", Resource: []byte(`{"Type":"Custom::Thing","Properties":{"Any":1}}`)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, body = send(t, ts, http.MethodGet, base+"/nodes/res90", nil, nil)
	text := regexp.MustCompile(`(?s)<textarea[^>]*data-testid="other-resource"[^>]*>\n(.*?)</textarea>`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || text == nil {
		t.Fatalf("panel: %d\n%s", resp.StatusCode, body)
	}
	// As a browser sends a textarea: CRLF line breaks.
	sent := strings.ReplaceAll(html.UnescapeString(text[1]), "\n", "\r\n")
	resp, body = send(t, ts, http.MethodPost, base+"/nodes/res90", url.Values{"name": {"KeptQueue"}, "resource": {sent}}, htmxAt(4))
	expect(t, resp, body, http.StatusOK, `data-testid="saved"`)
	if got := head(t, st, s.ID).Other("res90"); got.Name != "KeptQueue" || string(got.Resource) != imported {
		t.Fatalf("an untouched resource changed: %s %s", got.Name, got.Resource)
	}

	// A type goformation does not know is saved unchecked, and says so.
	resp, body = send(t, ts, http.MethodGet, base+"/nodes/res91", nil, nil)
	expect(t, resp, body, http.StatusOK, "Switchboard does not know the properties of Custom::Thing")
	resp, body = send(t, ts, http.MethodPost, base+"/nodes/res91", url.Values{"resource": {"Properties:\n  Whatever: [1, 2]\n"}}, htmxAt(5))
	expect(t, resp, body, http.StatusOK, `data-testid="saved"`)
	if got := string(head(t, st, s.ID).Other("res91").Resource); got != `{"Type":"Custom::Thing","Properties":{"Whatever":[1,2]}}` {
		t.Fatalf("saved %s", got)
	}
}
