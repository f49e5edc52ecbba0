package apigw

import (
	"sync"
	"testing"
	"time"
)

// TestWorkersNeverQueue: calls handed to the message workers all run at
// once, each waiting here for all the others, as messages on AWS are
// handled independently; a worker kept from an earlier call takes a new
// one only when it is free.
func TestWorkersNeverQueue(t *testing.T) {
	t.Parallel()
	w := newWorkers()
	defer w.close()
	for round := range 2 { // the second round finds the first's workers free
		const calls = 50
		var all sync.WaitGroup
		all.Add(calls)
		done := make(chan struct{}, calls)
		for range calls {
			w.run(func() {
				all.Done()
				all.Wait()
				done <- struct{}{}
			})
		}
		timeout := time.After(10 * time.Second)
		for range calls {
			select {
			case <-done:
			case <-timeout:
				t.Fatalf("round %d: calls waited for each other", round)
			}
		}
	}
}
