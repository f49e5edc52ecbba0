package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestBrowserStackPanel adds a parameter and an environment in the Stack
// panel, refuses an output that refers to nothing the template has, uses
// the parameter for a function's environment variable through the field's
// “parameter…” picker, and sees !Ref of it in the Template tab.
func TestBrowserStackPanel(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	bg := context.Background()
	s, _ := model.Example("echo", "designed")
	s, err := srv.store.CreateStack(bg, s)
	if err != nil {
		t.Fatal(err)
	}
	stack := func() *model.Stack {
		st, err := srv.store.Stack(bg, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	canvas := srv.url + "/stacks/" + strconv.FormatInt(s.ID, 10)
	allowConsoleErrors(t, "the server responded with a status of 422 (Unprocessable Entity) "+canvas+"/design/sections") // the refused output
	newParam := `[data-testid="form-new-parameter"] `
	run(t, ctx, "open the Stack panel and add a parameter",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(canvas),
		chromedp.WaitVisible(`.editor.ready #node-fn3`),
		chromedp.Click(`[data-testid=stack-panel-button]`),
		chromedp.WaitVisible(`[data-testid=stack-panel]`),
		chromedp.SendKeys(newParam+`[data-testid=param-name]`, "Greeting"),
		chromedp.SendKeys(newParam+`[data-testid=param-default]`, "hello"),
		chromedp.SendKeys(newParam+`[data-testid=param-description]`, "what the echo says first"),
		chromedp.Click(newParam+`[data-testid=param-add]`),
		chromedp.WaitVisible(`[data-testid="form-parameter:Greeting"] [data-testid=saved]`),
	)
	if p := stack().Parameter("Greeting"); p == nil || p.Default == nil || *p.Default != "hello" || p.Description != "what the echo says first" {
		t.Fatalf("parameter saved as %+v", p)
	}

	run(t, ctx, "add an environment and give it a value",
		chromedp.SendKeys(`[data-testid="form-new-environment"] [data-testid=env-name]`, "dev"),
		chromedp.Click(`[data-testid="form-new-environment"] [data-testid=env-create]`),
		chromedp.WaitVisible(`[data-testid="form-environment:dev"] [data-testid=env-value-Greeting]`),
		chromedp.SendKeys(`[data-testid="form-environment:dev"] [data-testid=env-value-Greeting]`, "hi from dev"),
		chromedp.Click(`[data-testid="form-environment:dev"] [data-testid=env-save]`),
	)
	waitFor(t, func() bool { e := stack().Environment("dev"); return e != nil && e.Values["Greeting"] == "hi from dev" })
	// Run locally's picker offers the new environment at once.
	run(t, ctx, "the Run picker offers dev", waitJS(`[...document.querySelectorAll('[data-testid=run-env] option')].some(o => o.value === 'dev')`))

	newOutput := `[data-testid="form-new-section:Outputs"] `
	run(t, ctx, "an output referring to nothing is refused",
		chromedp.SendKeys(newOutput+`[data-testid=entry-key]`, "GreetingOut"),
		chromedp.SendKeys(newOutput+`[data-testid=entry-body]`, "Value: !Ref Nothing"),
		chromedp.Click(newOutput+`[data-testid=entry-add]`),
		chromedp.WaitVisible(newOutput+`[data-testid=design-error]`),
	)
	if msg := evalString(t, ctx, `document.querySelector('[data-testid="form-new-section:Outputs"] [data-testid=design-error]').textContent`); !strings.Contains(msg, "parameter or resource Nothing") {
		t.Fatalf("refusal: %q", msg)
	}
	if stack().Section("Outputs") != nil {
		t.Fatal("the refused output was saved")
	}
	run(t, ctx, "a good output is saved",
		chromedp.Evaluate(`document.querySelector('[data-testid="form-new-section:Outputs"] [data-testid=entry-body]').select()`, nil),
		chromedp.SendKeys(newOutput+`[data-testid=entry-body]`, "Value: !Ref Greeting"),
		chromedp.Click(newOutput+`[data-testid=entry-add]`),
		chromedp.WaitVisible(`[data-testid="form-section:Outputs:GreetingOut"] [data-testid=saved]`),
	)
	screenshot(t, ctx, "1-stack-panel")

	run(t, ctx, "a function's environment variable takes the parameter",
		chromedp.Click(`#node-fn3 .node-name`),
		chromedp.WaitVisible(`[data-testid=env-add]`),
		chromedp.Click(`[data-testid=env-add]`),
		chromedp.SendKeys(`[data-testid=env-row]:last-of-type input[name="env.name"]`, "GREETING"),
		chromedp.Evaluate(`document.activeElement.blur()`, nil),
	)
	waitFor(t, func() bool { _, ok := stack().Function("fn3").Environment["GREETING"]; return ok })
	run(t, ctx, "pick parameter… Greeting",
		waitJS(`document.querySelector('[data-testid=env-row]:last-of-type input[name="env.was"]').value === 'GREETING'`),
		chromedp.Evaluate(`(() => {
			const pick = document.querySelector('[data-testid=env-row]:last-of-type [data-testid=param-pick]')
			pick.value = 'Greeting'
			pick.dispatchEvent(new Event('change', {bubbles: true}))
		})()`, nil),
	)
	waitFor(t, func() bool { return stack().Function("fn3").Environment["GREETING"] == "${Greeting}" })

	run(t, ctx, "the Template tab shows !Ref",
		chromedp.Click(`[data-testid=tab-template]`),
		waitJS(`(document.querySelector('[data-testid=template-text]')?.textContent || '').includes('GREETING: !Ref Greeting')`),
	)
	tpl := evalString(t, ctx, `document.querySelector('[data-testid=template-text]').textContent`)
	for _, want := range []string{"Greeting:\n    Type: String\n    Default: hello", "GreetingOut:", "Value: !Ref Greeting"} {
		if !strings.Contains(tpl, want) {
			t.Errorf("the template lacks %q:\n%s", want, tpl)
		}
	}
	screenshot(t, ctx, "2-template")
}
