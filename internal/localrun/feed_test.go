package localrun

import (
	"strings"
	"testing"
	"time"
)

// TestTableWritesTold: a burst of writes to a table is told at once and
// once more after it, so a page refreshes without missing the last write
// and the feed's history is not flooded.
func TestTableWritesTold(t *testing.T) {
	t.Parallel()
	f := newFeed()
	for range 50 {
		f.addTableWrite("chat-Connections")
	}
	items, wake, _ := f.Since(0)
	if len(items) != 1 || !strings.Contains(string(items[0].JSON), `"type":"table"`) || !strings.Contains(string(items[0].JSON), "chat-Connections") {
		t.Fatalf("after a burst: %d items; want one table item", len(items))
	}
	select {
	case <-wake:
	case <-time.After(10 * time.Second):
		t.Fatal("the burst's last write was never told")
	}
	if items, _, _ = f.Since(0); len(items) != 2 {
		t.Fatalf("after the burst: %d items; want 2", len(items))
	}
}
