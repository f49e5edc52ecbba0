package server_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestBrowserStacksSearch: the stacks page shows a page of stacks with a
// link to the next, and typing in the search box narrows the list in place
// (htmx swaps the list alone) and puts the search in the address.
func TestBrowserStacksSearch(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	for i := range 60 {
		if _, err := srv.store.CreateStack(context.Background(), &model.Stack{Name: fmt.Sprintf("s%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, _ := newBrowser(t)
	run(t, ctx, "open the stacks page",
		chromedp.Navigate(srv.url+"/"),
		chromedp.WaitVisible(`[data-testid=next-page]`),
		waitJS(`document.querySelectorAll('[data-testid=stack-row]').length === 50`),
	)
	run(t, ctx, "search",
		// A marker on the page survives only if the list alone is swapped.
		chromedp.Evaluate(`document.body.dataset.marker = 'kept'`, nil),
		chromedp.SendKeys(`#stack-search`, "s5"),
		waitJS(`document.querySelectorAll('[data-testid=stack-row]').length === 10`),
		waitJS(`location.search === '?q=s5'`),
	)
	if got := evalString(t, ctx, `document.body.dataset.marker + ' ' + document.querySelector('[data-testid=stack-row] strong').textContent`); got != "kept s50" {
		t.Fatalf("after the search: %q, want the page kept and s50 first", got)
	}
}
