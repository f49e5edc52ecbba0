package server_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A rule → function stack, built with the pointer: a rule and a function
// from the palette, the rule's port dragged to the function, the wire
// described in its panel, a schedule set in the rule's panel, and the
// template holding the rule with the function as its target and a
// permission for that rule alone to invoke it.
func TestBrowserRuleToFunction(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	id := createBlank(t, ctx, srv.url, "alerts")

	x, y := center(t, ctx, `[data-testid=palette-rule]`)
	run(t, ctx, "drag a rule", drag(x, y, 420, 300), chromedp.WaitVisible(`#nodes .node-rule`))
	x, y = center(t, ctx, `[data-testid=palette-function]`)
	run(t, ctx, "drag a function", drag(x, y, 860, 420), chromedp.WaitVisible(`#nodes .node-function`))
	rx, ry := center(t, ctx, `#nodes .node-rule [data-port]`)
	fx, fy := center(t, ctx, `#nodes .node-function .node-body`)
	run(t, ctx, "wire the rule to the function", drag(rx, ry, fx, fy),
		chromedp.WaitVisible(`#wires svg.wire-trigger`),
		chromedp.WaitVisible(`[data-testid=wire-panel]`),
		waitJS(`document.querySelector('[data-testid=wire-panel]').textContent.includes('Rule invokes Function')`),
	)
	screenshot(t, ctx, "1-wired")
	s := head(t, srv.store, id)
	if len(s.Wires) != 1 || s.Wires[0].Kind != model.WireTrigger || s.Wires[0].From != s.Rules[0].ID || s.Wires[0].To != s.Functions[0].ID {
		t.Fatalf("wires %+v", s.Wires)
	}

	run(t, ctx, "run the rule every five minutes",
		chromedp.Click(`#nodes .node-rule .node-name`),
		chromedp.WaitVisible(`[data-testid=f-schedule]`),
		change(`[data-testid=f-schedule]`, "rate(5 minutes)"),
		waitJS(`document.querySelector('#nodes .node-rule .node-body').textContent.includes('rate(5 minutes)')`),
	)
	if got := head(t, srv.store, id).Rules[0].Schedule; got != "rate(5 minutes)" {
		t.Fatalf("the rule's schedule is %q", got)
	}

	run(t, ctx, "read the template",
		chromedp.Click(`[data-testid=tab-template]`),
		waitJS(`(document.querySelector('[data-testid=template-text]')?.textContent || '').includes('AWS::Events::Rule')`),
	)
	tpl := evalString(t, ctx, `document.querySelector('[data-testid=template-text]').textContent`)
	for _, want := range []string{"Type: AWS::Events::Rule", `ScheduleExpression: "rate(5 minutes)"`, "- Arn: !GetAtt Function.Arn", "RuleToFunctionPermission:",
		"Principal: events.amazonaws.com", "SourceArn: !GetAtt Rule.Arn"} {
		if !strings.Contains(tpl, want) {
			t.Fatalf("the template lacks %q:\n%s", want, tpl)
		}
	}
	if strings.Contains(tpl, "- events:") || strings.Contains(tpl, "SourceAccount") {
		t.Fatalf("the function is granted more than this rule's invocation:\n%s", tpl)
	}
	screenshot(t, ctx, "2-template")
}
