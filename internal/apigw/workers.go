package apigw

import (
	"sync"
	"time"
)

// workerIdle is how long a message worker waits for more work before it
// ends.
const workerIdle = 10 * time.Second

// workers runs each message's handling on a goroutine kept from earlier
// messages when one is free, else on a new one, so messages are handled
// concurrently as before and never wait for a worker. A new goroutine per
// message grew its stack anew through the event's encoding and the
// invocation every time: a twentieth of the gateway's CPU at 50
// connections.
type workers struct {
	work chan func() // unbuffered: a send succeeds only to a free worker
	stop chan struct{}
	once sync.Once
}

func newWorkers() *workers {
	return &workers{work: make(chan func()), stop: make(chan struct{})}
}

// run calls fn on a free worker, or a new one.
func (w *workers) run(fn func()) {
	select {
	case w.work <- fn:
	default:
		go w.serve(fn)
	}
}

func (w *workers) serve(fn func()) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		fn()
		idle.Reset(workerIdle)
		select {
		case fn = <-w.work:
		case <-idle.C:
			return
		case <-w.stop:
			return
		}
	}
}

// close ends the free workers; busy ones end after their call.
func (w *workers) close() {
	w.once.Do(func() { close(w.stop) })
}
