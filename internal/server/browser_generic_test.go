package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestBrowserGenericResource adds a resource of a type Switchboard does not
// model, from the keyboard: "Any resource…" in the palette, a search for
// Kinesis::Stream, Enter on the result. Its properties are typed into its
// panel: a wrong one is refused with the problem next to the field and
// nothing saved; once fixed, its !GetAtt of a function is drawn as a
// reference wire, and the template writes it as typed.
func TestBrowserGenericResource(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	s, err := srv.store.CreateStack(context.Background(), &model.Stack{Name: "generic"})
	if err != nil {
		t.Fatal(err)
	}
	allowConsoleErrors(t, "the server responded with a status of 422 (Unprocessable Entity) "+srv.url+"/stacks/")
	run(t, ctx, "open, and add a function",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.url+"/stacks/"+strconv.FormatInt(s.ID, 10)),
		chromedp.WaitVisible(`.editor.ready`),
		chromedp.Focus(`[data-testid=palette-function]`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`#nodes .node-function`),
	)
	fn := head(t, srv.store, s.ID).Functions[0]

	run(t, ctx, "open the picker and search for the type",
		chromedp.Focus(`[data-testid=palette-any-open]`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`[data-testid=type-search]`),
		chromedp.KeyEvent(kb.Tab),
		waitJS(`document.activeElement === document.querySelector('[data-testid=type-search]')`),
		chromedp.KeyEvent("Kinesis::Stream"),
		waitJS(`document.querySelector('[data-testid=type-choice]')?.dataset.type === 'AWS::Kinesis::Stream'`),
	)
	screenshot(t, ctx, "1-picker")
	run(t, ctx, "ArrowDown to the first result, Enter to add it",
		chromedp.KeyEvent(kb.ArrowDown),
		waitJS(`document.activeElement?.dataset.type === 'AWS::Kinesis::Stream'`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`#nodes .node-other`),
		chromedp.WaitVisible(`[data-testid=other-resource]`),
	)
	st := head(t, srv.store, s.ID)
	if len(st.Others) != 1 || st.Others[0].Type != "AWS::Kinesis::Stream" || st.Others[0].Name != "Stream" {
		t.Fatalf("the stack's generic nodes are %+v", st.Others)
	}
	stream := st.Others[0]
	if got := evalString(t, ctx, `document.querySelector('#node-`+stream.ID+` .node-body').textContent`); got != "AWS::Kinesis::Stream" {
		t.Errorf("the node shows %q, want its type", got)
	}

	typeText := func(what, text string) chromedp.Tasks {
		return chromedp.Tasks{
			waitJS(`!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')`),
			waitJS(`!!document.querySelector('[data-testid=other-resource]')?.closest('form')?.['htmx-internal-data']`),
			chromedp.Focus(`[data-testid=other-resource]`),
			// Select what the field holds, so typing replaces it.
			chromedp.Evaluate(`document.querySelector('[data-testid=other-resource]').select()`, nil),
			chromedp.KeyEvent(text),
			// Leaving the field saves it, as every panel field does.
			chromedp.KeyEvent(kb.Tab),
		}
	}
	run(t, ctx, "type a wrong property",
		typeText("wrong", "Properties:\n  ShardCount: many\n"),
		chromedp.WaitVisible(`[data-testid=error-resource]`),
	)
	if got := evalString(t, ctx, `document.querySelector('[data-testid=error-resource]').textContent`); !strings.Contains(got, "Properties.ShardCount (line 2") || !strings.Contains(got, "must be a number") {
		t.Errorf("the problem shown is %q, want it to name Properties.ShardCount and say it must be a number", got)
	}
	if got := evalString(t, ctx, `document.querySelector('[data-testid=other-resource]').value`); got != "Properties:\n  ShardCount: many\n" {
		t.Errorf("the refused text was not kept in the field: %q", got)
	}
	if got := string(head(t, srv.store, s.ID).Other(stream.ID).Resource); got != `{"Type":"AWS::Kinesis::Stream","Properties":{}}` {
		t.Fatalf("a refused resource was saved: %s", got)
	}
	screenshot(t, ctx, "2-problem")

	run(t, ctx, "fix it, referring to the function",
		typeText("fixed", "Properties:\n  ShardCount: 1\n  Tags:\n    - Key: consumer\n      Value: !GetAtt "+fn.Name+".Arn\n"),
		waitJS(`!document.querySelector('[data-testid=error-resource]')`),
		chromedp.WaitVisible(`[data-testid=saved]`),
		waitJS(`!!document.querySelector('#wires svg.wire-reference[data-from-node="`+stream.ID+`"][data-to-node="`+fn.ID+`"]')`),
	)
	got := string(head(t, srv.store, s.ID).Other(stream.ID).Resource)
	if want := `{"Type":"AWS::Kinesis::Stream","Properties":{"ShardCount":1,"Tags":[{"Key":"consumer","Value":{"Fn::GetAtt":["` + fn.Name + `","Arn"]}}]}}`; got != want {
		t.Errorf("saved resource\n%s\nwant\n%s", got, want)
	}
	label := evalString(t, ctx, `document.querySelector('#wires svg.wire-reference title').textContent`)
	if want := "Stream → " + fn.Name + " (GetAtt Arn)"; label != want {
		t.Errorf("the reference wire is labelled %q, want %q", label, want)
	}
	// Read-only: a reference wire is not a tab stop nor selectable.
	if n := evalString(t, ctx, `String(document.querySelectorAll('#wires svg.wire-reference[tabindex], #wires svg.wire-reference[data-wire]').length)`); n != "0" {
		t.Errorf("%s reference wires can be selected", n)
	}
	screenshot(t, ctx, "3-wire")

	run(t, ctx, "read the template",
		chromedp.Click(`[data-testid=tab-template]`),
		waitJS(`(document.querySelector('[data-testid=template-text]')?.textContent || '').includes('AWS::Kinesis::Stream')`),
	)
	tpl := evalString(t, ctx, `document.querySelector('[data-testid=template-text]').textContent`)
	if want := "  Stream:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      ShardCount: 1\n      Tags:\n        - Key: consumer\n          Value: !GetAtt " + fn.Name + ".Arn\n"; !strings.Contains(tpl, want) {
		t.Errorf("the template lacks\n%s\nin\n%s", want, tpl)
	}

	run(t, ctx, "removing the reference removes the wire",
		chromedp.Click(`[data-testid=tab-properties]`),
		chromedp.Click(`#node-`+stream.ID+` .node-name`),
		chromedp.WaitVisible(`[data-testid=other-resource]`),
		typeText("no reference", "Properties:\n  ShardCount: 2\n"),
		waitJS(`!document.querySelector('#wires svg.wire-reference')`),
	)

	// Enter in the search, straight after typing, adds the first result of
	// what was typed, under a name of its own.
	run(t, ctx, "Enter in the search adds the first result",
		chromedp.Focus(`[data-testid=type-search]`),
		chromedp.Evaluate(`document.querySelector('[data-testid=type-search]').select()`, nil),
		chromedp.KeyEvent("sqs::queuepolicy"),
		chromedp.KeyEvent(kb.Enter),
		waitJS(`document.querySelectorAll('#nodes .node-other').length === 2`),
	)
	others := head(t, srv.store, s.ID).Others
	if len(others) != 2 || others[1].Type != "AWS::SQS::QueuePolicy" || others[1].Name != "QueuePolicy" {
		t.Fatalf("the second generic node is %+v", others[len(others)-1])
	}
}
