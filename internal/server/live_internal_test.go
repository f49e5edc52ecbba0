package server

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// TestChangesMadeOnceForEveryView: views asking for the same catch-up while
// it is being made wait for it, rather than each read, diff, render and
// compress the stack again (fifty views told of one edit ask at once).
func TestChangesMadeOnceForEveryView(t *testing.T) {
	t.Parallel()
	var c changesCache
	k := changesKey{stack: 1, since: 4, head: 5}
	var renders atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	render := func() (changesAnswer, error) {
		if renders.Add(1) == 1 {
			close(started)
		}
		<-release
		return newChangesAnswer(5, []byte("<g id=\"node-fn1\"></g>"), ""), nil
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	answers := make([]changesAnswer, 50)
	wg.Go(func() { answers[0], _ = c.do(ctx, k, render) })
	<-started
	for i := 1; i < len(answers); i++ {
		wg.Go(func() { answers[i], _ = c.do(ctx, k, render) })
	}
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Fatalf("made %d times for %d views, want once", n, len(answers))
	}
	for i, a := range answers {
		if a.head != 5 || string(a.body) != `<g id="node-fn1"></g>` || len(a.gzipped) == 0 {
			t.Fatalf("view %d got %+v", i, a)
		}
	}
	// A view asking later gets the kept answer.
	if _, err := c.do(ctx, k, render); err != nil || renders.Load() != 1 {
		t.Fatalf("asked again: %v, made %d times", err, renders.Load())
	}
}

// TestChangesMadeAcrossAnUndoAreNotKept: an answer being made while the
// head went back (an undo, after which revision numbers are given again
// to other states) may describe a revision that is no longer the one by
// that number; it is not kept for the views that ask next.
func TestChangesMadeAcrossAnUndoAreNotKept(t *testing.T) {
	t.Parallel()
	var c changesCache
	k := changesKey{stack: 1, since: 4, head: 5}
	ctx := context.Background()
	_, err := c.do(ctx, k, func() (changesAnswer, error) {
		c.forgetAbove(1, 4) // the undo, while this answer is made
		return newChangesAnswer(5, []byte("old"), ""), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := c.do(ctx, k, func() (changesAnswer, error) { return newChangesAnswer(5, []byte("new"), ""), nil })
	if string(got.body) != "new" {
		t.Fatalf("after the undo a view got %q, made before it", got.body)
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]bool{
		"":                        false,
		"gzip":                    true,
		"gzip, deflate, br, zstd": true,
		"br;q=1.0, gzip;q=0.8":    true,
		"gzip;q=0":                false,
		"deflate, gzip; q=0.000":  false,
		"identity":                false,
		"x-gzip":                  false,
		"GZIP":                    true,
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: acceptsGzip %v, want %v", header, got, want)
		}
	}
}

func TestIsLiveStream(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{
		"/stacks/12/live":         true,
		"/stacks/chat/live":       true,
		"/stacks/live":            false, // the canvas of a stack named live
		"/stacks/live/":           false,
		"/stacks//live":           false,
		"/stacks/12/live/x":       false,
		"/stacks/12/changes":      false,
		"/static/x/stacks/1/live": false,
	} {
		if got := isLiveStream(path); got != want {
			t.Errorf("isLiveStream(%q) = %v, want %v", path, got, want)
		}
	}
}
