package lambdaemu

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestLastLineBeforeAHangIsSeen: a handler that logs and then never yields
// the event loop times out, and the line it wrote just before is in the
// log, as on Lambda. It is what a developer reads to find where the time
// went; held back to travel with the outcome, it died with the process.
func TestLastLineBeforeAHangIsSeen(t *testing.T) {
	t.Parallel()
	logs := newLogSink()
	fn := nodeFunction(t, "Hang", map[string]string{"index.mjs": `export const handler = async () => {
  console.log("entering the loop");
  for (;;) {}
};
`})
	fn.Timeout = time.Second
	p := MustPool(t, Options{OnLog: logs.add}, fn)
	_, err := p.Invoke(context.Background(), "Hang", []byte(`{}`))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want a timeout", err)
	}
	logs.wait(t, func(l LogLine) bool { return strings.Contains(l.Text, "entering the loop") })
}
