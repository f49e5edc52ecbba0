package lambdaemu

import (
	"math"
	"runtime"
	"testing"
	"time"
)

// TestDefaultConcurrencyScalesPastTen: without a cap from the function or
// the run, a function runs as many processes at once as the machine
// allows (DefaultConcurrency), no longer a fixed 10: twelve calls that
// each wait for all twelve finish.
func TestDefaultConcurrencyScalesPastTen(t *testing.T) {
	t.Parallel() // waits on npm, pip and node processes much of the time
	const calls = 12
	fn := nodeFunction(t, "Gate", map[string]string{"index.mjs": gateHandler})
	if n := DefaultConcurrency(fn.MemoryMB); n < calls {
		t.Skipf("this machine allows %d processes of %d MB", n, fn.MemoryMB)
	}
	b := newBarrier(t, calls)
	fn.Env = map[string]string{"BARRIER_URL": b.URL}
	// Twelve Node.js starts, as many at once as there are CPUs: on two
	// loaded cores (load 20-30) that took 6-10 s, against the default 10 s
	// the first call waits at the barrier.
	fn.Timeout = 30 * time.Second
	p := MustPool(t, Options{}, fn)
	distinct := map[int]bool{}
	for _, pid := range invokeAll(t, p, "Gate", calls) {
		distinct[pid] = true
	}
	if len(distinct) != calls || b.maxInFlight() != calls {
		t.Fatalf("%d processes, %d at once; want %d", len(distinct), b.maxInFlight(), calls)
	}
}

// TestDefaultConcurrencyFollowsTheMachine: several processes per CPU,
// fewer for functions with much memory, never below 2.
func TestDefaultConcurrencyFollowsTheMachine(t *testing.T) {
	if got, most := DefaultConcurrency(128), 8*runtime.NumCPU(); got > most || got < 2 {
		t.Fatalf("DefaultConcurrency(128) = %d, want 2..%d", got, most)
	}
	if avail, ok := availableMemory(); ok {
		huge := int(avail >> 20) // one process would take all the memory
		if got := DefaultConcurrency(huge); got != 2 {
			t.Fatalf("DefaultConcurrency(%d MB) = %d, want the floor of 2", huge, got)
		}
		if DefaultConcurrency(10240) > DefaultConcurrency(128) {
			t.Fatal("more memory per process must not allow more processes")
		}
	}
}

// TestComputingHandlersDoNotOutnumberTheCPUs: calls of a handler that
// computes (no I/O to wait on) share the CPUs whatever the process count,
// so a burst of them starts processes only while the CPUs have room; the
// cap (here the default, far above the CPUs) is for handlers that wait.
// Before, every waiting call started a process up to the cap.
func TestComputingHandlersDoNotOutnumberTheCPUs(t *testing.T) {
	if _, ok := ownDemand(); !ok {
		t.Skip("CPU demand is measured from /proc (Linux)")
	}
	calls := 6 * runtime.NumCPU()
	fn := nodeFunction(t, "Spin", map[string]string{"index.mjs": `export const handler = async () => {
		const end = Date.now() + 150;
		while (Date.now() < end) {}
		return process.pid;
	};`})
	if n := DefaultConcurrency(fn.MemoryMB); n < calls {
		t.Skipf("this machine allows %d processes of %d MB", n, fn.MemoryMB)
	}
	p := MustPool(t, Options{}, fn)
	distinct := map[int]bool{}
	for _, pid := range invokeAll(t, p, "Spin", calls) {
		distinct[pid] = true
	}
	// A process per CPU, and one or two more started while the demand
	// of the first was still being measured.
	if most := runtime.NumCPU() + 2; len(distinct) > most {
		t.Fatalf("%d processes for %d computing calls on %d CPUs; want at most %d", len(distinct), calls, runtime.NumCPU(), most)
	}
}

// TestWaitingHandlersScaleOutOnABusyMachine: calls that wait on each other
// (or on any I/O) need a process each, however busy the CPUs are. Here
// Switchboard's own process is taken to compute on every CPU (the sample
// is set, and not taken again within the test). Before, the CPU rule alone
// kept the calls waiting for a process that never came free, until the
// function's timeout.
func TestWaitingHandlersScaleOutOnABusyMachine(t *testing.T) {
	const calls = 3
	b := newBarrier(t, calls)
	fn := nodeFunction(t, "Gate", map[string]string{"index.mjs": gateHandler})
	fn.Env = map[string]string{"BARRIER_URL": b.URL}
	fn.Timeout = 20 * time.Second
	p := MustPool(t, Options{MemoryCheckInterval: time.Hour}, fn)
	p.ownCPU.Store(math.Float64bits(float64(runtime.NumCPU())))
	distinct := map[int]bool{}
	for _, pid := range invokeAll(t, p, "Gate", calls) {
		distinct[pid] = true
	}
	if len(distinct) != calls || b.maxInFlight() != calls {
		t.Fatalf("%d processes, %d calls at once; want %d", len(distinct), b.maxInFlight(), calls)
	}
}
