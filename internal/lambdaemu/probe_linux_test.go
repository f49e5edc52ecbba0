package lambdaemu

import (
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestOwnDemandCountsWaitingForACPU: Switchboard's own demand, which
// bounds how far functions scale out, counts the time its threads wait
// for a CPU as well as the time they run: here more threads spin than
// there are CPUs, so they wait at least as long as they run. Before, it
// was CPU time alone, so on a machine whose other work kept Switchboard
// waiting, functions scaled out into CPUs it was waiting for.
func TestOwnDemandCountsWaitingForACPU(t *testing.T) {
	cpuTime := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	d0, ok := ownDemand()
	if !ok {
		t.Skip("no scheduler statistics in /proc")
	}
	// More Ps than CPUs: with GOMAXPROCS at the CPU count, the extra
	// threads would sleep waiting for a P, invisible to the kernel's run
	// queue, and only the machine's other work would make them wait.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3 * runtime.NumCPU()))
	c0 := cpuTime()
	var wg sync.WaitGroup
	end := time.Now().Add(300 * time.Millisecond)
	for range 3 * runtime.NumCPU() {
		wg.Go(func() {
			runtime.LockOSThread() // a thread each: the kernel queues them
			defer runtime.UnlockOSThread()
			for time.Now().Before(end) {
			}
		})
	}
	wg.Wait()
	d1, _ := ownDemand()
	demand, used := d1-d0, cpuTime()-c0
	if demand < 2*used {
		t.Fatalf("own demand grew %v while the threads used %v of CPU; want the run-queue waits counted too", demand, used)
	}
}
