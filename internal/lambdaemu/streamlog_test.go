package lambdaemu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConsoleLinesGoWithTheOutcome: the Node.js bootstrap sends an
// invocation's console lines on the invocation stream, in the write of its
// outcome, so that each keeps its request id, stream and level and
// nothing of it is read from stdout or stderr. Lines before an await show
// while the handler waits (and before a timeout), and lines just before
// the process exits still show. Before, each line was a write to stdout of its
// own and a read of it here.
func TestConsoleLinesGoWithTheOutcome(t *testing.T) {
	logs := newLogSink()
	fn := nodeFunction(t, "Logger", map[string]string{"index.mjs": `import fs from "node:fs";
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
export const handler = async (event, context) => {
	if (event.then === "compute") {
		// Never yields to the event loop until the test says so.
		console.log("computing");
		pause(20);
		console.log("still computing");
		while (!fs.existsSync(process.env.GO_ON)) pause(5);
	}
	console.log("hello %s", event.n);
	console.error("multi\nline " + event.n);
	if (event.then === "hang") { console.warn("hanging"); await new Promise(() => setTimeout(() => {}, 1e9)); }
	if (event.then === "wait") { console.warn("waiting"); await fetch(process.env.GATE_URL); }
	if (event.then === "exit") { console.info("exiting"); process.exit(2); }
	return context.awsRequestId;
};`})
	open := make(chan struct{})
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-open:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(gate.Close)
	goOn := filepath.Join(t.TempDir(), "go-on")
	fn.Env = map[string]string{"GATE_URL": gate.URL, "GO_ON": goOn}
	fn.Timeout = 10 * time.Second
	short := fn
	short.Name, short.Timeout = "Short", time.Second
	p := MustPool(t, Options{OnLog: logs.add}, fn, short)
	line := func(l LogLine) string { return fmt.Sprintf("%s %s %s %q", l.RequestID, l.Stream, l.Level, l.Text) }
	for n := range 5 {
		id := MustInvoke[string](t, p, "Logger", map[string]int{"n": n})
		for _, want := range []LogLine{
			{RequestID: id, Stream: "stdout", Level: "INFO", Text: fmt.Sprintf("hello %d", n)},
			{RequestID: id, Stream: "stderr", Level: "ERROR", Text: fmt.Sprintf("multi\nline %d", n)},
		} {
			logs.wait(t, func(l LogLine) bool { return line(l) == line(want) })
		}
	}
	p.mu.Lock()
	f := p.fns["Logger"]
	p.mu.Unlock()
	f.mu.Lock()
	for s := range f.live {
		if n := s.outLines.Load(); n != 0 {
			t.Errorf("%d lines read from the process's stdout and stderr; want none", n)
		}
	}
	f.mu.Unlock()

	// A line before an await shows while the handler waits.
	waited := make(chan error, 1)
	go func() {
		_, err := p.Invoke(context.Background(), "Logger", []byte(`{"n":4,"then":"wait"}`))
		waited <- err
	}()
	logs.wait(t, func(l LogLine) bool { return l.Level == "WARN" && l.Text == "waiting" })
	close(open)
	if err := <-waited; err != nil {
		t.Fatal(err)
	}

	// A handler that computes shows its lines as it goes, though it never
	// lets the event loop run.
	go func() {
		_, err := p.Invoke(context.Background(), "Logger", []byte(`{"n":3,"then":"compute"}`))
		waited <- err
	}()
	logs.wait(t, func(l LogLine) bool { return l.Text == "computing" })
	if err := os.WriteFile(goOn, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatal(err)
	}

	_, err := p.Invoke(context.Background(), "Short", []byte(`{"n":5,"then":"hang"}`))
	var fe *FunctionError
	if !errors.As(err, &fe) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want a timeout", err)
	}
	logs.wait(t, func(l LogLine) bool { return l.RequestID == fe.RequestID && l.Level == "WARN" && l.Text == "hanging" })

	_, err = p.Invoke(context.Background(), "Logger", []byte(`{"n":6,"then":"exit"}`))
	if !errors.As(err, &fe) || !errors.Is(err, ErrCrash) {
		t.Fatalf("got %v, want a crash", err)
	}
	for _, text := range []string{"hello 6", "exiting"} {
		logs.wait(t, func(l LogLine) bool {
			return l.RequestID == fe.RequestID && l.Stream == "stdout" && l.Level == "INFO" && l.Text == text
		})
	}
	logs.wait(t, func(l LogLine) bool {
		return l.RequestID == fe.RequestID && l.Stream == "stderr" && strings.HasPrefix(l.Text, "multi\nline 6")
	})
}
