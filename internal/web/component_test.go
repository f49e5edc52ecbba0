package web

// Expectation tests for the templ components (templ examples/blog, STYLE.md
// §1 item 10): each renders a view model and checks the [data-testid]
// elements the browser tests and the scripts rely on, parsed as a browser
// parses them rather than matched as text.

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// render renders c and parses the result as an HTML document.
func render(t *testing.T, c templ.Component) *html.Node {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// testIDs returns the elements under n whose data-testid is id, in
// document order. Like querySelectorAll, it does not look inside a
// <template>, whose content is inert.
func testIDs(n *html.Node, id string) []*html.Node {
	var out []*html.Node
	for c := range n.ChildNodes() {
		if c.Type != html.ElementNode {
			continue
		}
		if attr(c, "data-testid") == id {
			out = append(out, c)
		}
		if c.Data != "template" {
			out = append(out, testIDs(c, id)...)
		}
	}
	return out
}

// one returns the only element with data-testid id, failing otherwise.
func one(t *testing.T, n *html.Node, id string) *html.Node {
	t.Helper()
	found := testIDs(n, id)
	if len(found) != 1 {
		t.Fatalf("%d elements with data-testid=%q, want 1", len(found), id)
	}
	return found[0]
}

// none fails when an element with data-testid id is there.
func none(t *testing.T, n *html.Node, id string) {
	t.Helper()
	if found := testIDs(n, id); len(found) != 0 {
		t.Errorf("%d elements with data-testid=%q, want none", len(found), id)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// text is the element's text with runs of white space made one space.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func texts(ns []*html.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = text(n)
	}
	return out
}

func TestStacksPageComponent(t *testing.T) {
	rows := []StackRow{
		{ID: 3, Name: "chat", Description: "Chat app", Resources: 5, Revision: 2},
		{ID: 9, Name: "echo", Resources: 2, Revision: 1},
	}
	doc := render(t, StacksPage(StacksView{Rows: rows, Total: 7, HasNext: true, Form: "create", Name: "chat", Error: "a stack named chat exists"}))
	got := testIDs(doc, "stack-row")
	if len(got) != 2 || attr(got[0], "id") != "stack-3" || attr(got[1], "id") != "stack-9" {
		t.Fatalf("stack rows %v", texts(got))
	}
	if !strings.Contains(text(got[0]), "chat") || !strings.Contains(text(got[1]), "echo") {
		t.Errorf("stack rows %q", texts(got))
	}
	if got := text(one(t, doc, "create-error")); got != "a stack named chat exists" {
		t.Errorf("create error %q", got)
	}
	if got := text(one(t, doc, "stack-total")); got != "7 stacks" {
		t.Errorf("total %q", got)
	}
	if got := attr(one(t, doc, "next-page"), "href"); got != "/?after=echo" {
		t.Errorf("next page %q", got)
	}
	none(t, doc, "prev-page")
	none(t, doc, "no-stacks")
	none(t, doc, "open-error")
	one(t, doc, "import-form")

	doc = render(t, StacksPage(StacksView{}))
	one(t, doc, "no-stacks")
	none(t, doc, "pager")
	doc = render(t, StackList(StacksView{Search: "zz"}))
	if got := text(one(t, doc, "no-match")); !strings.Contains(got, "zz") {
		t.Errorf("no match %q", got)
	}
}

// TestNodePanelComponent renders the properties panel of every node of
// the chat example, one kind after another, as the server builds it.
func TestNodePanelComponent(t *testing.T) {
	s, _ := model.Example("chat", "chat")
	s.ID = 7
	seen := map[model.Kind]bool{}
	for _, n := range s.Nodes() {
		t.Run(string(n.Kind)+"/"+n.ID, func(t *testing.T) {
			p := PanelView{Base: StackURL(s.ID), Stack: s, Kind: n.Kind,
				API: s.API(n.ID), Function: s.Function(n.ID), Table: s.Table(n.ID)}
			doc := render(t, NodePanel(p))
			panel := one(t, doc, "node-panel")
			if attr(panel, "data-node") != n.ID {
				t.Errorf("data-node %q", attr(panel, "data-node"))
			}
			if got := attr(one(t, doc, "f-name"), "value"); got != n.Name {
				t.Errorf("name field %q, want %q", got, n.Name)
			}
			if got := attr(one(t, doc, "panel-form"), "hx-post"); got != NodeURL(StackURL(7), n.ID) {
				t.Errorf("form posts to %q", got)
			}
			if got := text(one(t, doc, "delete-node")); got != "Delete "+KindLabel(n.Kind) {
				t.Errorf("delete button %q", got)
			}
			none(t, doc, "saved")
			none(t, doc, "panel-errors")
			switch n.Kind {
			case model.KindAPI:
				if got := len(testIDs(doc, "route-edit")); got != len(s.API(n.ID).Routes) {
					t.Errorf("%d route rows, want %d", got, len(s.API(n.ID).Routes))
				}
				one(t, doc, "new-route")
				none(t, doc, "env")
			case model.KindFunction:
				f := s.Function(n.ID)
				if got := attr(one(t, doc, "f-memorySize"), "value"); got != strconv.Itoa(f.MemorySize) {
					t.Errorf("memory %q, want %d", got, f.MemorySize)
				}
				one(t, doc, "env")
				if got := len(testIDs(doc, "env-row")); got != len(f.Environment) {
					t.Errorf("%d env rows, want %d", got, len(f.Environment))
				}
				none(t, doc, "route-edit")
			case model.KindTable:
				none(t, doc, "route-edit")
				none(t, doc, "env")
			}
			seen[n.Kind] = true
		})
	}
	for _, k := range []model.Kind{model.KindAPI, model.KindFunction, model.KindTable} {
		if !seen[k] {
			t.Errorf("the chat example has no %s node", k)
		}
	}

	// A refused save shows the values sent, with the errors next to them.
	fn := s.Functions[0]
	doc := render(t, NodePanel(PanelView{Base: StackURL(7), Stack: s, Kind: model.KindFunction, Function: fn,
		Errors: map[string]string{"name": "name is taken"}, General: []string{"stack changed"}, Saved: false,
		EnvRows: []EnvRow{{Name: "A", Value: "1"}, {Name: "bad name", Value: "2", Error: "not a variable name"}}}))
	if got := text(one(t, doc, "error-name")); got != "name is taken" {
		t.Errorf("name error %q", got)
	}
	if got := text(one(t, doc, "panel-errors")); got != "stack changed" {
		t.Errorf("general errors %q", got)
	}
	if got := len(testIDs(doc, "env-row")); got != 2 {
		t.Errorf("%d env rows, want the 2 sent", got)
	}
	if got := text(one(t, doc, "error-env-1")); got != "not a variable name" {
		t.Errorf("env row error %q", got)
	}

	// A generic node: its name and its resource's YAML, with the problems
	// of a refused save one to a line.
	other := &model.Other{Node: model.Node{ID: "o1", Name: "Queue"}, Type: "AWS::SQS::Queue", Resource: []byte(`{"Type":"AWS::SQS::Queue"}`)}
	doc = render(t, NodePanel(PanelView{Base: StackURL(7), Stack: s, Kind: model.KindOther, Other: other,
		OtherText: "Properties:\n  Delay: 1\n", Errors: map[string]string{"resource": "Properties.Delay: is not a property\nProperties.X: is not one either"}}))
	form := one(t, doc, "other-panel")
	if attr(form, "hx-post") != NodeURL(StackURL(7), "o1") {
		t.Errorf("the generic node's form posts to %q", attr(form, "hx-post"))
	}
	if got := text(one(t, doc, "other-type")); got != "AWS::SQS::Queue" {
		t.Errorf("other type %q", got)
	}
	if got := text(one(t, doc, "other-resource")); got != "Properties: Delay: 1" { // text() folds spaces
		t.Errorf("other resource text %q", got)
	}
	if got := text(one(t, doc, "error-resource")); !strings.Contains(got, "Properties.Delay") || !strings.Contains(got, "Properties.X") {
		t.Errorf("resource problems %q", got)
	}
}

func TestWirePanelComponent(t *testing.T) {
	s, _ := model.Example("chat", "chat")
	for _, w := range s.Wires {
		doc := render(t, WirePanel(WirePanelView{Base: StackURL(7), Stack: s, Wire: w}))
		form := one(t, doc, "wire-panel")
		if attr(form, "data-wire") != w.ID || attr(form, "hx-post") != WireURL(StackURL(7), w.ID) {
			t.Errorf("wire %s panel: data-wire %q, posts to %q", w.ID, attr(form, "data-wire"), attr(form, "hx-post"))
		}
		one(t, doc, "delete-wire")
		kinds := (WirePanelView{Wire: w}).Kinds()
		if len(kinds) == 1 {
			none(t, doc, "wire-kind")
			continue
		}
		var options, selected []string
		for d := range one(t, doc, "wire-kind").Descendants() {
			if d.Type == html.ElementNode && d.Data == "option" {
				options = append(options, attr(d, "value"))
				if hasAttr(d, "selected") {
					selected = append(selected, attr(d, "value"))
				}
			}
		}
		if len(options) != len(kinds) || len(selected) != 1 || selected[0] != string(w.Kind) {
			t.Errorf("wire %s (%s): options %v, selected %v", w.ID, w.Kind, options, selected)
		}
	}
}

func TestGitPageComponent(t *testing.T) {
	// Not linked: only the link form, with what was sent and why it failed.
	doc := render(t, GitPage(GitView{StackID: 4, StackName: "chat", Link: LinkForm{Repo: "https://example.com/r.git"}, LinkError: "repository not found"}))
	if got := attr(one(t, doc, "back-to-canvas"), "href"); got != "/stacks/4" {
		t.Errorf("back link %q", got)
	}
	if got := attr(one(t, doc, "link-repo"), "value"); got != "https://example.com/r.git" {
		t.Errorf("repo field %q", got)
	}
	if got := text(one(t, doc, "link-error")); got != "repository not found" {
		t.Errorf("link error %q", got)
	}
	if got := attr(one(t, doc, "link-token"), "value"); got != "" {
		t.Errorf("the token field must never carry a value: %q", got)
	}
	none(t, doc, "commit-section")

	// Linked, with a preview holding a conflict: the diffs and the form.
	preview := &CommitPreview{Message: "Update stacks/chat", Changes: []ChangeView{
		{Path: "stacks/chat/template.yaml", Status: "modified", Diff: "-a\n+b\n", Conflict: true},
		{Path: "stacks/chat/switchboard.json", Status: "kept"},
	}}
	doc = render(t, GitPage(GitView{StackID: 4, StackName: "chat", Link: LinkForm{Linked: true, Repo: "/r", HasToken: true},
		Notice: "Link saved.", Preview: preview, History: []HistoryRow{}}))
	if got := text(one(t, doc, "git-notice")); got != "Link saved." {
		t.Errorf("notice %q", got)
	}
	one(t, doc, "commit-section")
	one(t, doc, "token-saved")
	if got := texts(testIDs(doc, "diff")); len(got) != 1 || got[0] != "-a +b" {
		t.Errorf("diffs %q", got)
	}
	if got := text(one(t, doc, "commit-message")); got != "Update stacks/chat" {
		t.Errorf("message %q", got)
	}
	one(t, doc, "commit")
	none(t, doc, "preview-commit")
	none(t, doc, "nothing-to-commit")

	// A commit made; then one refused for upstream changes.
	doc = render(t, GitPage(GitView{StackID: 4, Link: LinkForm{Linked: true}, Committed: &CommitDone{Hash: "abc123"}}))
	if got := text(one(t, doc, "commit-hash")); got != "abc123" {
		t.Errorf("hash %q", got)
	}
	doc = render(t, GitPage(GitView{StackID: 4, Link: LinkForm{Linked: true}, CommitError: "changed upstream", Conflicts: []string{"template.yaml"}}))
	if got := text(one(t, doc, "overwrite")); got != "Overwrite upstream changes" {
		t.Errorf("overwrite %q", got)
	}
	one(t, doc, "commit-error")
	one(t, doc, "preview-commit")
}

func TestRunPanelComponent(t *testing.T) {
	doc := render(t, RunPanel(RunView{Base: "/stacks/2", Error: "node not found"}))
	panel := one(t, doc, "run-panel")
	if hasAttr(panel, "data-running") || attr(panel, "data-events-url") != "/stacks/2/run/events" {
		t.Errorf("stopped panel attributes %v", panel.Attr)
	}
	if got := text(one(t, doc, "run-error")); got != "node not found" {
		t.Errorf("error %q", got)
	}
	if got := attr(one(t, doc, "run-start"), "hx-post"); got != "/stacks/2/run" {
		t.Errorf("start posts to %q", got)
	}
	none(t, doc, "run-client")
	none(t, doc, "run-stop")

	doc = render(t, RunPanel(RunView{Base: "/stacks/2", Running: true, CodeDir: "/tmp/code", SampleMessage: `{"action":"sendMessage"}`,
		Endpoints: []RunEndpoint{{Name: "chat", URL: "ws://127.0.0.1:4001/prod"}, {Name: "admin", URL: "ws://127.0.0.1:4002/prod"}}}))
	if !hasAttr(one(t, doc, "run-panel"), "data-running") {
		t.Error("running panel lacks data-running")
	}
	if got := texts(testIDs(doc, "run-url")); strings.Join(got, " ") != "ws://127.0.0.1:4001/prod ws://127.0.0.1:4002/prod" {
		t.Errorf("endpoints %q", got)
	}
	if got := text(one(t, doc, "run-message")); got != `{"action":"sendMessage"}` {
		t.Errorf("sample message %q", got)
	}
	for _, id := range []string{"run-client", "run-stop", "run-restart", "run-log", "run-filter"} {
		one(t, doc, id)
	}
	if !hasAttr(one(t, doc, "run-send"), "disabled") {
		t.Error("Send must wait for a connection")
	}
	none(t, doc, "run-start")
	none(t, doc, "run-error")
	none(t, doc, "run-starting")

	// A start under way: what it did so far, a stop, no start button, and
	// a poll of the panel that answers with what comes next.
	doc = render(t, RunPanel(RunView{Base: "/stacks/2", Starting: true, Setup: []string{"installing the AWS SDK <v3>", "tables on http://127.0.0.1:9"}}))
	one(t, doc, "run-starting")
	var lines []*html.Node
	for li := range one(t, doc, "run-setup").ChildNodes() {
		if li.Type == html.ElementNode {
			lines = append(lines, li)
		}
	}
	if got := texts(lines); strings.Join(got, "|") != "installing the AWS SDK <v3>|tables on http://127.0.0.1:9" {
		t.Errorf("setup lines %q", got)
	}
	if got := attr(one(t, doc, "run-stop"), "hx-post"); got != "/stacks/2/run/stop" {
		t.Errorf("stop posts to %q", got)
	}
	none(t, doc, "run-start")
	none(t, doc, "run-client")
	if hasAttr(one(t, doc, "run-panel"), "data-running") {
		t.Error("a starting panel claims to be running")
	}
	polls := 0
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "hx-get") == "/stacks/2/run" && strings.HasPrefix(attr(n, "hx-trigger"), "load delay:") && attr(n, "hx-target") == "#run-tab" {
			polls++
		}
	}
	if polls != 1 {
		t.Errorf("the starting panel has %d polls of itself, want 1", polls)
	}
}

func TestImportPreviewComponent(t *testing.T) {
	p := ImportPreview{File: "template.yaml", Encoded: "H4sI", Format: "CloudFormation", Name: "chat",
		APIs:      []ImportAPI{{Name: "ChatApi", Routes: []string{"$connect", "sendMessage"}}},
		Functions: []string{"OnConnect", "Send"}, Tables: []string{"Connections"},
		Wires:  []string{"ChatApi $connect → OnConnect", "Send reads Connections"},
		Others: []string{"Queue"}, Notes: []string{"Outputs are kept"}, Error: "a stack named chat exists"}
	doc := render(t, ImportPreviewPage(p))
	one(t, doc, "import-preview")
	created := text(one(t, doc, "import-created"))
	for _, want := range []string{"ChatApi", "$connect, sendMessage", "2 functions", "OnConnect", "Connections"} {
		if !strings.Contains(created, want) {
			t.Errorf("created section lacks %q: %s", want, created)
		}
	}
	if got := texts(testIDs(doc, "import-wire")); len(got) != 2 || got[1] != "Send reads Connections" {
		t.Errorf("wires %q", got)
	}
	if got := text(one(t, doc, "import-kept")); !strings.Contains(got, "Queue") {
		t.Errorf("kept %q", got)
	}
	if got := text(one(t, doc, "import-notes")); got != "Outputs are kept" {
		t.Errorf("notes %q", got)
	}
	name := one(t, doc, "import-name")
	if attr(name, "value") != "chat" || !hasAttr(name, "aria-invalid") {
		t.Errorf("name field %v", name.Attr)
	}
	if got := text(one(t, doc, "import-create-error")); got != "a stack named chat exists" {
		t.Errorf("create error %q", got)
	}
	if got := attr(one(t, doc, "import-create-form"), "action"); got != "/stacks/import/create" {
		t.Errorf("create posts to %q", got)
	}

	// Nothing kept, no error: those parts are left out.
	doc = render(t, ImportPreviewPage(ImportPreview{File: "t.yaml", Name: "t", Functions: []string{"F"}}))
	none(t, doc, "import-kept")
	none(t, doc, "import-notes")
	none(t, doc, "import-create-error")
	none(t, doc, "import-wire")
}
