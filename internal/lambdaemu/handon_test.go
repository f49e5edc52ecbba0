package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestQueuedCallsAreHandedOnInOrder: calls queued for a busy process of
// their function go to it first come, first served, each with its own
// event, as the call before ends (the invocation stream sends the next at
// once); a caller that leaves while queued neither loses the process nor
// runs, and no call is run twice.
func TestQueuedCallsAreHandedOnInOrder(t *testing.T) {
	t.Parallel() // waits on a process, not the CPU, much of the time
	open := make(chan struct{})
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-open:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(gate.Close)
	fn := nodeFunction(t, "Order", map[string]string{"index.mjs": `
		const seen = [];
		export const handler = async (event) => {
			seen.push(event.n);
			if (event.gate) await fetch(process.env.GATE_URL);
			return { n: event.n, pid: process.pid, seen: [...seen] };
		};`})
	fn.Env = map[string]string{"GATE_URL": gate.URL}
	const calls = 8
	fn.Timeout = 20 * time.Second
	// Room for a process per call, but the machine is taken to be busy
	// (the sample is set, and not taken again), so the calls queue.
	fn.MaxConcurrency = calls
	p := MustPool(t, Options{MemoryCheckInterval: time.Hour}, fn)
	p.ownCPU.Store(math.Float64bits(float64(runtime.NumCPU())))
	p.mu.Lock()
	f := p.fns["Order"]
	p.mu.Unlock()

	type answer struct {
		N    int   `json:"n"`
		PID  int   `json:"pid"`
		Seen []int `json:"seen"`
	}
	answers := make([]answer, calls+1)
	errs := make([]error, calls+1)
	var wg sync.WaitGroup
	call := func(ctx context.Context, n int, event string) {
		wg.Go(func() {
			out, err := p.Invoke(ctx, "Order", []byte(event))
			if errs[n] = err; err == nil {
				errs[n] = json.Unmarshal(out, &answers[n])
			}
		})
	}
	// Call 1 holds the process at the gate while 2..8 queue, in order.
	call(context.Background(), 1, `{"n":1,"gate":true}`)
	waitFor(t, f, func() bool { return len(f.idle) == 0 })
	leaving, leave := context.WithCancel(context.Background())
	for n := 2; n <= calls; n++ {
		ctx := context.Background()
		if n == 4 {
			ctx = leaving
		}
		call(ctx, n, fmt.Sprintf(`{"n":%d}`, n))
		waitFor(t, f, func() bool {
			// No process comes free meanwhile: none is started for
			// calls that stall.
			f.lastFreed = time.Now().Add(time.Hour)
			return len(f.waiters) == n-1
		})
	}
	leave()
	waitFor(t, f, func() bool { return len(f.waiters) == calls-2 })
	close(open)
	wg.Wait()

	var ran []int
	for n := 1; n <= calls; n++ {
		switch {
		case n == 4:
			if !errors.Is(errs[n], context.Canceled) {
				t.Errorf("call 4 left the queue: got %v, want context.Canceled", errs[n])
			}
		case errs[n] != nil:
			t.Errorf("call %d: %v", n, errs[n])
		case answers[n].N != n || answers[n].PID != answers[1].PID:
			t.Errorf("call %d answered %+v; want its own n from process %d", n, answers[n], answers[1].PID)
		case len(answers[n].Seen) > len(ran):
			ran = answers[n].Seen
		}
	}
	if want := []int{1, 2, 3, 5, 6, 7, 8}; !slices.Equal(ran, want) {
		t.Errorf("the process ran %v; want %v (first come, first served, once each, without the call that left)", ran, want)
	}
	if n := len(p.pids()); n != 1 {
		t.Errorf("%d processes; want the one", n)
	}
}

// waitFor waits until cond, called under f.mu, holds.
func waitFor(tb testing.TB, f *function, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.mu.Lock()
		ok := cond()
		f.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal("the calls did not queue within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}
