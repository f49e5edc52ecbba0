package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// wireMiddleJS finds the middle of the wire sel on the screen.
func wireMiddleJS(sel string) string {
	return `(() => { const p = document.querySelector('` + sel + ` .wire-hit'); const m = p.getScreenCTM(); const q = p.getPointAtLength(p.getTotalLength() / 2); return [q.x * m.a + m.e, q.y * m.d + m.f] })()`
}

// clickWireUntil clicks the middle of the wire sel, found at the moment of
// the click, until the page says cond: an edit's answer may still be
// redrawing the wires (a node's new summary can move them), or a request
// for the panel may be in flight and take the click's with it; a user
// clicks again.
func clickWireUntil(sel, cond string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		for range 5 {
			var mid []float64
			if err = chromedp.Evaluate(wireMiddleJS(sel), &mid).Do(ctx); err != nil {
				return err
			}
			if err = chromedp.MouseClickXY(mid[0], mid[1]).Do(ctx); err != nil {
				return err
			}
			tctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			err = chromedp.Poll(cond, nil).Do(tctx)
			cancel()
			if err == nil {
				return nil
			}
		}
		return err
	})
}

// change sets a field and tells the form, as picking a choice does, once
// the panel has stopped loading.
func change(sel, value string) chromedp.Tasks {
	return chromedp.Tasks{
		waitJS(`!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')`),
		// The form's change trigger is bound once htmx has processed it.
		waitJS(`!!document.querySelector('` + sel + `')?.closest('form')?.['htmx-internal-data']`),
		chromedp.SetValue(sel, value),
		chromedp.Evaluate(`document.querySelector('`+sel+`').dispatchEvent(new Event('change', {bubbles: true}))`, nil),
	}
}

// createBlank makes a blank stack and opens its canvas.
func createBlank(t *testing.T, ctx context.Context, url, name string) int64 {
	t.Helper()
	run(t, ctx, "create a stack",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(`#create-name`),
		chromedp.SendKeys(`#create-name`, name),
		chromedp.Click(`[data-testid=create-form] button[type=submit]`),
		chromedp.WaitVisible(`.editor.ready`),
	)
	var id int64
	run(t, ctx, "the stack's ID", chromedp.Evaluate(`+location.pathname.split('/')[2]`, &id))
	return id
}

// A route → Step Functions stack, built on the canvas with the pointer: an
// API and a state machine from the palette, a route wired straight to the
// machine, switched to a synchronous start (refused until the machine is
// express), its integration's timeout set in the wire's panel, and the
// template showing the integration and its least-privilege role.
func TestBrowserRouteToStepFunctions(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	id := createBlank(t, ctx, srv.url, "flows")

	x, y := center(t, ctx, `[data-testid=palette-api]`)
	run(t, ctx, "drag an API", drag(x, y, 420, 260), chromedp.WaitVisible(`#nodes .node-api`))
	x, y = center(t, ctx, `[data-testid=palette-statemachine]`)
	run(t, ctx, "drag a state machine", drag(x, y, 860, 420), chromedp.WaitVisible(`#nodes .node-statemachine`))
	run(t, ctx, "add route run",
		chromedp.Click(`#nodes .node-api .node-name`),
		chromedp.WaitVisible(`#f-newRoute`),
		// Once htmx has taken the new panel's form, or Add route would
		// submit it as a page.
		waitJS(`!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')`),
		chromedp.SendKeys(`#f-newRoute`, "run"),
		chromedp.Click(`[data-testid=add-route]`),
		waitJS(`[...document.querySelectorAll('#nodes .node-api .route-key')].some(e => e.textContent === 'run')`),
	)
	px, py := center(t, ctx, `#nodes .node-api .route [data-port]`)
	mx, my := center(t, ctx, `#nodes .node-statemachine .node-body`)
	run(t, ctx, "wire the route to the state machine", drag(px, py, mx, my),
		chromedp.WaitVisible(`#wires svg.wire-start-execution`),
		chromedp.WaitVisible(`[data-testid=wire-panel]`))
	screenshot(t, ctx, "1-wired")

	wire := func() *model.Wire {
		s := head(t, srv.store, id)
		return s.RouteTarget(s.APIs[0].Routes[0].ID)
	}
	if w := wire(); w == nil || w.Kind != model.WireStartExecution || head(t, srv.store, id).StateMachine(w.To) == nil {
		t.Fatalf("the route's wire is %+v", w)
	}

	// A synchronous start needs an express machine: refused, with the reason.
	allowConsoleErrors(t, "the server responded with a status of 422 (Unprocessable Entity) "+srv.url+"/stacks/")
	run(t, ctx, "switch to a synchronous start",
		waitJS(`!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')`),
		clickWireUntil(`#wires svg.wire-start-execution`, `!!document.querySelector('[data-testid=wire-kind]')`),
		chromedp.WaitVisible(`[data-testid=wire-kind]`),
		change(`[data-testid=wire-kind]`, string(model.WireStartSyncExecution)),
		waitJS(`[...document.querySelectorAll('#toasts *')].some(e => e.textContent.includes('only an express state machine'))`),
	)
	if w := wire(); w.Kind != model.WireStartExecution {
		t.Fatalf("a synchronous start of a standard machine was saved: %+v", w)
	}
	run(t, ctx, "make the machine express",
		chromedp.Click(`#nodes .node-statemachine .node-name`),
		chromedp.WaitVisible(`[data-testid=f-type]`),
		change(`[data-testid=f-type]`, string(model.StateMachineExpress)),
		waitJS(`document.querySelector('#nodes .node-statemachine .node-body').textContent.includes('express')`),
	)
	run(t, ctx, "switch to a synchronous start again, and give it 5 s",
		waitJS(`!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')`),
		clickWireUntil(`#wires svg.wire-start-execution`, `!!document.querySelector('[data-testid=wire-kind]')`),
		chromedp.WaitVisible(`[data-testid=wire-kind]`),
		change(`[data-testid=wire-kind]`, string(model.WireStartSyncExecution)),
		chromedp.WaitVisible(`#wires svg.wire-start-sync-execution`),
		chromedp.WaitVisible(`[data-testid=integration-timeout]`),
		change(`[data-testid=integration-timeout]`, "5000"),
		waitJS(`document.querySelector('[data-testid=integration-timeout]').value === '5000'`),
	)
	waitFor(t, func() bool {
		s := head(t, srv.store, id)
		r := s.APIs[0].Routes[0]
		return wire().Kind == model.WireStartSyncExecution && r.Integration != nil && r.Integration.TimeoutMillis == 5000
	})

	run(t, ctx, "read the template",
		chromedp.Click(`[data-testid=tab-template]`),
		waitJS(`(document.querySelector('[data-testid=template-text]')?.textContent || '').includes('StartSyncExecution')`),
	)
	tpl := evalString(t, ctx, `document.querySelector('[data-testid=template-text]').textContent`)
	for _, want := range []string{
		"IntegrationType: AWS", "states:action/StartSyncExecution", "TimeoutInMillis: 5000",
		"CredentialsArn: !GetAtt WebSocketApiRunIntegrationRole.Arn", "- states:StartSyncExecution", "- !Ref StateMachine",
		"StateMachineType: EXPRESS", "DefinitionS3Location: statemachines/state-machine.asl.json",
	} {
		if !strings.Contains(tpl, want) {
			t.Fatalf("the template lacks %q:\n%s", want, tpl)
		}
	}
	screenshot(t, ctx, "2-template")
}

// A queue → function stack, built with the pointer: a queue and a function
// from the palette, the queue's port dragged to the function, the wire
// described in its panel, the function's port dragged back to the queue (it
// may send to it), the function's role allowed to receive from the queue and
// send to it and nothing more, and the queue's visibility timeout refused when
// shorter than the function's.
func TestBrowserQueueToFunction(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	id := createBlank(t, ctx, srv.url, "jobs")

	x, y := center(t, ctx, `[data-testid=palette-queue]`)
	run(t, ctx, "drag a queue", drag(x, y, 420, 300), chromedp.WaitVisible(`#nodes .node-queue`))
	x, y = center(t, ctx, `[data-testid=palette-function]`)
	run(t, ctx, "drag a function", drag(x, y, 860, 420), chromedp.WaitVisible(`#nodes .node-function`))
	qx, qy := center(t, ctx, `#nodes .node-queue [data-port]`)
	fx, fy := center(t, ctx, `#nodes .node-function .node-body`)
	run(t, ctx, "wire the queue to the function", drag(qx, qy, fx, fy),
		chromedp.WaitVisible(`#wires svg.wire-consume`),
		chromedp.WaitVisible(`[data-testid=wire-panel]`),
		waitJS(`document.querySelector('[data-testid=wire-panel]').textContent.includes('Function receives the messages of queue Queue')`),
	)
	screenshot(t, ctx, "1-wired")
	s := head(t, srv.store, id)
	if len(s.Wires) != 1 || s.Wires[0].Kind != model.WireConsume || s.Wires[0].From != s.Queues[0].ID || s.Wires[0].To != s.Functions[0].ID {
		t.Fatalf("wires %+v", s.Wires)
	}

	// The function's port dragged back to the queue: it may send to it.
	fpx, fpy := center(t, ctx, `#nodes .node-function [data-port]`)
	qbx, qby := center(t, ctx, `#nodes .node-queue .node-body`)
	run(t, ctx, "wire the function to the queue", drag(fpx, fpy, qbx, qby),
		chromedp.WaitVisible(`#wires svg.wire-send-to-queue`),
		waitJS(`document.querySelector('[data-testid=wire-panel]')?.textContent.includes('Function sends messages to queue Queue')`),
	)
	s = head(t, srv.store, id)
	if len(s.Wires) != 2 || s.Wires[1].Kind != model.WireSendToQueue || s.Wires[1].From != s.Functions[0].ID || s.Wires[1].To != s.Queues[0].ID {
		t.Fatalf("wires %+v", s.Wires)
	}

	// The queue hides a message for less time than the function may take.
	allowConsoleErrors(t, "the server responded with a status of 422 (Unprocessable Entity) "+srv.url+"/stacks/")
	run(t, ctx, "shorten the visibility timeout",
		chromedp.Click(`#nodes .node-queue .node-name`),
		chromedp.WaitVisible(`[data-testid=f-visibilityTimeout]`),
		change(`[data-testid=f-visibilityTimeout]`, "5"),
		waitJS(`(document.querySelector('#panel').textContent || '').includes('must be at least the timeout of function')`),
	)
	if got := head(t, srv.store, id).Queues[0].VisibilityTimeout; got != model.DefaultVisibilityTimeout {
		t.Fatalf("a visibility timeout shorter than the function's was saved: %d", got)
	}

	run(t, ctx, "read the template",
		chromedp.Click(`[data-testid=tab-template]`),
		waitJS(`(document.querySelector('[data-testid=template-text]')?.textContent || '').includes('AWS::Lambda::EventSourceMapping')`),
	)
	tpl := evalString(t, ctx, `document.querySelector('[data-testid=template-text]').textContent`)
	for _, want := range []string{"Type: AWS::SQS::Queue", "QueueToFunction:", "EventSourceArn: !GetAtt Queue.Arn", "FunctionName: !Ref Function", "- sqs:ReceiveMessage", "PolicyName: QueueConsume",
		"PolicyName: QueueSendMessage", "- sqs:SendMessage\n", "QUEUE_QUEUE_URL: !Ref Queue"} {
		if !strings.Contains(tpl, want) {
			t.Fatalf("the template lacks %q:\n%s", want, tpl)
		}
	}
	if strings.Contains(tpl, "sqs:*") || strings.Contains(tpl, "sqs:GetQueueUrl") || strings.Count(tpl, "sqs:SendMessage") != 1 {
		t.Fatalf("the function may do more with the queue than receive and send:\n%s", tpl)
	}
	screenshot(t, ctx, "2-template")
}
