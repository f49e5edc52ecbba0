package server_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A function wired to a layer with the pointer: a function and a layer from
// the palette, the function's port dragged to the layer, the wire described
// in its panel, and the template listing the layer in the function's Layers
// with the layer version's Content its folder.
func TestBrowserFunctionToLayer(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	ctx, _ := newBrowser(t)
	id := createBlank(t, ctx, srv.url, "layered")

	x, y := center(t, ctx, `[data-testid=palette-function]`)
	run(t, ctx, "drag a function", drag(x, y, 420, 300), chromedp.WaitVisible(`#nodes .node-function`))
	x, y = center(t, ctx, `[data-testid=palette-layer]`)
	run(t, ctx, "drag a layer", drag(x, y, 860, 420), chromedp.WaitVisible(`#nodes .node-layer`))
	fx, fy := center(t, ctx, `#nodes .node-function .port-out[data-port]`)
	lx, ly := center(t, ctx, `#nodes .node-layer .node-body`)
	run(t, ctx, "wire the function to the layer", drag(fx, fy, lx, ly),
		chromedp.WaitVisible(`#wires svg.wire-layer`),
		chromedp.WaitVisible(`[data-testid=wire-panel]`),
		waitJS(`document.querySelector('[data-testid=wire-panel]').textContent.includes('Function uses layer Layer')`),
		waitJS(`document.querySelector('#nodes .node-layer .node-body').textContent.includes('1 function')`),
	)
	screenshot(t, ctx, "1-wired")
	s := head(t, srv.store, id)
	if len(s.Wires) != 1 || s.Wires[0].Kind != model.WireLayer || s.Wires[0].From != s.Functions[0].ID || s.Wires[0].To != s.Layers[0].ID {
		t.Fatalf("wires %+v", s.Wires)
	}

	run(t, ctx, "read the template",
		chromedp.Click(`[data-testid=tab-template]`),
		waitJS(`(document.querySelector('[data-testid=template-text]')?.textContent || '').includes('AWS::Lambda::LayerVersion')`),
	)
	tpl := evalString(t, ctx, `document.querySelector('[data-testid=template-text]').textContent`)
	for _, want := range []string{"Layers:\n        - !Ref Layer", "Type: AWS::Lambda::LayerVersion", "Content: layers/layer"} {
		if !strings.Contains(tpl, want) {
			t.Fatalf("the template lacks %q:\n%s", want, tpl)
		}
	}
	screenshot(t, ctx, "2-template")
}
