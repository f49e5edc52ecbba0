package lambdaemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"
)

// function is one configured function: its processes (sandboxes), the idle
// ones among them, and the slots that cap how many run at once.
//
// Invariant: a sandbox is started only by a goroutine holding a slot that
// found no idle sandbox, and a sandbox goes back to idle before its slot is
// freed, so the live sandboxes never outnumber the slots.
//
// Idle sandboxes form a stack: the most recently used is reused first, so
// under a light load the extra ones stay idle and are stopped after
// Options.IdleTimeout.
type function struct {
	pool   *Pool
	cfg    FunctionConfig
	launch launcher

	slots chan struct{}   // one token per running invocation or start-up
	ctx   context.Context // cancelled by stop
	stopF context.CancelFunc

	mu       sync.Mutex
	live     map[*sandbox]struct{}
	idle     []*sandbox // warm sandboxes waiting for an invocation, most recent last
	waiters  []*waiter  // invocations waiting for a sandbox, first come first
	starting int        // sandboxes acquire is starting
	// lastFreed is when a sandbox last came free (or the function was
	// made): calls waiting long after it are stuck (stallWait).
	lastFreed time.Time
	stopped   bool
}

func (p *Pool) newFunction(cfg FunctionConfig) (*function, error) {
	if cfg.MemoryMB <= 0 {
		cfg.MemoryMB = DefaultMemoryMB
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = p.opts.MaxConcurrency
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = DefaultConcurrency(cfg.MemoryMB)
	}
	l, err := p.launcherFor(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &function{
		pool:   p,
		cfg:    cfg,
		launch: l,
		slots:  make(chan struct{}, cfg.MaxConcurrency),
		ctx:    ctx,
		stopF:  cancel,
		live:   map[*sandbox]struct{}{},

		lastFreed: time.Now(),
	}, nil
}

// warm starts one process and leaves it idle, unless the function has one
// running or starting already (an invocation came first).
func (f *function) warm(ctx context.Context) error {
	select {
	case f.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-f.ctx.Done():
		return ErrClosed
	}
	defer func() { <-f.slots }()
	f.mu.Lock()
	if f.starting > 0 || f.liveLocked() > 0 {
		f.mu.Unlock()
		return nil
	}
	s, err := f.startLocked(ctx)
	if err != nil {
		return err
	}
	f.release(s)
	return nil
}

// waiter is an invocation queued for a sandbox of its function.
type waiter struct {
	inv *invocation
	// turn receives the sandbox handed to the call, once; handed says
	// first what became of inv: delivered when the sandbox's invocation
	// stream sent it already, unused when the call delivers it itself.
	turn   chan *sandbox
	handed outcome
	// taken is set, under function.mu, when the waiter leaves the queue
	// for a sandbox: turn then receives it soon.
	taken bool
}

func (f *function) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	select {
	case f.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("lambdaemu: %s: waiting for a free process: %w", f.cfg.Name, ctx.Err())
	case <-f.ctx.Done():
		return nil, ErrClosed
	}
	held := true
	defer func() {
		if held {
			<-f.slots
		}
	}()
	// A sandbox can die while idle (its runtime exited after answering);
	// the invocation then never reached it and goes to a fresh one.
	for attempt := 0; ; attempt++ {
		inv := newInvocation(payload)
		s, res, err := f.acquire(ctx, inv)
		if err != nil {
			return nil, err
		}
		if res.state == unused {
			res = s.deliver(ctx, inv)
		}
		if res.state == delivered {
			res = s.await(ctx, inv)
		}
		switch res.state {
		case undelivered:
			if f.ctx.Err() != nil {
				return nil, ErrClosed
			}
			if attempt < 2 && ctx.Err() == nil {
				continue
			}
		case finished:
			f.finished(s, res)
		case died:
			f.restartLater()
		case unused:
			f.release(s)
		case abandoned:
			// The caller left while the function runs. Lambda lets it run
			// to the end; so do we, keeping its slot until it does.
			if !f.pool.goBackground(func() {
				defer func() { <-f.slots }()
				if o := s.await(context.Background(), inv); o.state == finished {
					f.finished(s, o)
				} else {
					f.restartLater()
				}
			}) {
				s.kill()
				return nil, res.err
			}
			held = false
		}
		return res.body, res.err
	}
}

// finished puts a sandbox whose invocation finished back to work, unless
// its invocation stream handed it on to a waiting call already.
func (f *function) finished(s *sandbox, o outcome) {
	if !o.handedOn {
		f.release(s)
	}
}

// acquire returns the most recently used idle sandbox, for the caller to
// deliver inv to (outcome unused). With none idle and some busy, it
// queues for the next one to come free (first come, first served): a
// sandbox with an invocation stream then sends inv itself the moment its
// last call ends, and acquire returns it with inv delivered. It starts
// another process only after waiting scaleOutWait, and then only while
// the function's processes (with those starting) want less CPU than the
// machine has: for a handler that waits on I/O, more processes mean more
// calls at once, as on Lambda; for one that computes, a process beyond
// the CPUs only takes turns with the others, costs a start-up and its
// memory, and makes every call slower.
func (f *function) acquire(ctx context.Context, inv *invocation) (*sandbox, outcome, error) {
	f.mu.Lock()
	for len(f.idle) > 0 {
		s := f.idle[len(f.idle)-1]
		f.idle = f.idle[:len(f.idle)-1]
		if !s.dead() {
			f.mu.Unlock()
			return s, outcome{}, nil
		}
	}
	if f.startAnotherLocked(false) {
		s, err := f.startLocked(ctx)
		return s, outcome{}, err
	}
	w := &waiter{inv: inv, turn: make(chan *sandbox, 1)}
	f.waiters = append(f.waiters, w)
	f.mu.Unlock()
	wait := time.NewTimer(scaleOutWait)
	defer wait.Stop()
	for {
		select {
		case s := <-w.turn:
			return s, w.handed, nil
		case <-wait.C:
			f.mu.Lock()
			if !w.taken && f.startAnotherLocked(true) {
				f.leaveQueueLocked(w)
				s, err := f.startLocked(ctx)
				return s, outcome{}, err
			}
			f.mu.Unlock()
			wait.Reset(scaleOutWait)
		case <-ctx.Done():
			if s, ok := f.leaveQueue(w); ok {
				// Handed a sandbox as the caller left: with inv sent,
				// it runs to its end as an abandoned call.
				return s, w.handed, nil
			}
			return nil, outcome{}, fmt.Errorf("lambdaemu: %s: waiting for a free process: %w", f.cfg.Name, ctx.Err())
		case <-f.ctx.Done():
			if s, ok := f.leaveQueue(w); ok {
				return s, w.handed, nil
			}
			return nil, outcome{}, ErrClosed
		}
	}
}

// startLocked starts a sandbox for the caller, who holds f.mu; it
// returns with f.mu unlocked.
func (f *function) startLocked(ctx context.Context) (*sandbox, error) {
	f.starting++
	f.mu.Unlock()
	s, err := f.spawn(ctx)
	f.mu.Lock()
	f.starting--
	f.mu.Unlock()
	return s, err
}

// leaveQueue takes w out of the queue, unless a sandbox was handed to it:
// then it returns that sandbox, which the call must see through.
func (f *function) leaveQueue(w *waiter) (*sandbox, bool) {
	f.mu.Lock()
	if w.taken {
		f.mu.Unlock()
		return <-w.turn, true
	}
	f.leaveQueueLocked(w)
	f.mu.Unlock()
	return nil, false
}

// leaveQueueLocked takes w, which no sandbox was handed to, out of the
// queue.
func (f *function) leaveQueueLocked(w *waiter) {
	if i := slices.Index(f.waiters, w); i >= 0 {
		f.waiters = slices.Delete(f.waiters, i, i+1)
	}
}

// scaleOutWait is how long an invocation waits for a busy process of its
// function before another may start: short beside a process's start-up,
// long beside a small handler's call.
const scaleOutWait = 5 * time.Millisecond

// stallWait is how long a function may go without a process coming free
// while calls wait before it starts another however busy Switchboard
// itself is: if its processes do not want the CPUs either, its calls wait
// on something (I/O, each other) that more processes get through. Long
// beside a small handler's call even on a machine so loaded that every
// process waits tens of milliseconds for a CPU, where more processes
// would only add to the queue.
const stallWait = 200 * time.Millisecond

// startAnotherLocked says whether an invocation that found no idle process
// starts one: at once when the function has none running; after it waited
// scaleOutWait, if its processes and those starting (counted as a whole
// CPU each: start-up computes) and Switchboard itself want less than the
// machine's CPUs, or, when no process came free for stallWait, if its
// processes and those starting alone do.
func (f *function) startAnotherLocked(waited bool) bool {
	demand, live, ready := float64(f.starting), 0, 0
	for s := range f.live {
		if !s.dead() {
			live++
			demand += s.demand()
			if s.isReady() {
				ready++
			}
		}
	}
	cpus := float64(runtime.NumCPU())
	switch {
	case live+f.starting == 0:
		return true
	case !waited, ready == 0:
		// With none ready, the function's first process is starting: a
		// second would only slow it down.
		return false
	case demand+math.Float64frombits(f.pool.ownCPU.Load()) < cpus:
		return true
	}
	return demand < cpus && time.Since(f.lastFreed) >= stallWait
}

// release puts a sandbox that finished an invocation back to work: to
// the longest waiting invocation, else to idle.
func (f *function) release(s *sandbox) {
	f.mu.Lock()
	f.releaseLocked(s)
	f.mu.Unlock()
}

func (f *function) releaseLocked(s *sandbox) {
	if f.stopped || s.dead() {
		s.kill() // started already: no wait
		return
	}
	f.lastFreed = time.Now()
	if w := f.nextWaiterLocked(); w != nil {
		w.turn <- s // buffered, and handed one sandbox only
		return
	}
	s.idleSince = time.Now()
	f.idle = append(f.idle, s)
}

// nextWaiterLocked takes the longest waiting call out of the queue, or
// returns nil.
func (f *function) nextWaiterLocked() *waiter {
	if len(f.waiters) == 0 {
		return nil
	}
	w := f.waiters[0]
	f.waiters[0] = nil
	f.waiters = f.waiters[1:]
	w.taken = true
	return w
}

// handOnLocked is releaseLocked for a sandbox whose invocation stream has
// just read its call's outcome: it returns the longest waiting call, for
// the stream to send at once, without the hops through the finished
// call's goroutine and the waiting one's (on a busy machine each waits
// for a CPU, and the process waits idle meanwhile). It returns nil, and
// hands nothing on, when no call waits or the sandbox cannot take one.
func (f *function) handOnLocked(s *sandbox) *waiter {
	if f.stopped || s.dead() {
		return nil
	}
	w := f.nextWaiterLocked()
	if w != nil {
		f.lastFreed = time.Now()
	}
	return w
}

// reapIdle runs until the function stops, stopping the sandboxes that have
// been idle longer than timeout, except the last one.
func (f *function) reapIdle(timeout time.Duration) {
	t := time.NewTicker(max(timeout/12, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-f.ctx.Done():
			return
		case <-t.C:
		}
		var expired []*sandbox
		f.mu.Lock()
		live := 0
		for s := range f.live {
			if !s.dead() {
				live++
			}
		}
		// The oldest idle sandboxes are at the bottom of the stack.
		for len(f.idle) > 0 && live > 1 && time.Since(f.idle[0].idleSince) >= timeout {
			expired = append(expired, f.idle[0])
			f.idle = f.idle[1:]
			live--
		}
		f.mu.Unlock()
		for _, s := range expired {
			s.kill()
		}
	}
}

// restartLater starts a warm process in the background if the function has
// none left, so the invocation after a crash or timeout finds one ready.
func (f *function) restartLater() {
	f.pool.goBackground(func() {
		select {
		case f.slots <- struct{}{}:
		default:
			return // every slot is busy: those invocations start processes as needed
		}
		defer func() { <-f.slots }()
		if f.liveCount() > 0 {
			return
		}
		s, err := f.spawn(f.ctx)
		if err != nil {
			if !errors.Is(err, ErrClosed) && f.ctx.Err() == nil {
				f.pool.logger.Warn("restarting function", slog.String("function", f.cfg.Name), slog.Any("err", err))
			}
			return
		}
		f.release(s)
	})
}

// liveCount returns how many of the function's processes are running.
func (f *function) liveCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.liveLocked()
}

func (f *function) liveLocked() int {
	n := 0
	for s := range f.live {
		if !s.dead() {
			n++
		}
	}
	return n
}

// add registers a started sandbox, or reports false if the function was
// stopped meanwhile.
func (f *function) add(s *sandbox) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return false
	}
	f.live[s] = struct{}{}
	return true
}

func (f *function) remove(s *sandbox) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.live, s)
}

// stop kills every process of the function and waits until they are gone.
func (f *function) stop() {
	f.mu.Lock()
	f.stopped = true
	f.stopF()
	live := make([]*sandbox, 0, len(f.live))
	for s := range f.live {
		live = append(live, s)
	}
	f.mu.Unlock()
	for _, s := range live {
		s.kill()
	}
	for _, s := range live {
		<-s.done
	}
}

// goBackground runs fn in a goroutine Close waits for, unless the pool is
// closed.
func (p *Pool) goBackground(fn func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.bg.Go(fn)
	return true
}
