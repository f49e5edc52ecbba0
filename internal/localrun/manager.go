package localrun

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// The emulators' names a caller of this package needs, so that the server
// and the command line reach the emulators only through localrun.
type (
	// GatewayOptions tune the API Gateway emulation.
	GatewayOptions = apigw.Options
	// Endpoint is where one API is served.
	Endpoint = apigw.Endpoint
	// Event is something that happened on the gateway.
	Event = apigw.Event
	// LogLine is one line a function wrote.
	LogLine = lambdaemu.LogLine
	// SDKOptions say where the AWS SDK Lambda's runtimes provide is cached.
	SDKOptions = lambdaemu.SDKOptions
)

// DefaultMaxConnections is the connection cap of a run when none is given.
const DefaultMaxConnections = apigw.DefaultMaxConnections

// ErrRunStopped is what a start learns when the run was stopped (or its
// stack deleted) before it was ready.
var ErrRunStopped = model.Errorf(model.ECONFLICT, "the run was stopped while it started")

// Manager holds the stacks running locally, at most one run per stack: a
// start while one is starting or running returns that run, so a second
// start (another tab, a double click) cannot leave a run nobody can stop.
type Manager struct {
	log *slog.Logger

	mu       sync.Mutex
	stack    map[int64]*Run  // starting or running
	stopping map[int64]*Run  // being stopped, for a Stop that must wait
	failed   map[int64]error // why the last start failed, until the next start or stop
}

// Run is one running stack and the feed of what happens on it.
type Run struct {
	ready  chan struct{}      // closed once the start finished, well or not
	err    error              // why the start failed; set before ready is closed
	cancel context.CancelFunc // ends the start early, for a stop
	runner *Runner            // set before ready is closed, on success
	feed   *Feed
	// activity is each open connection's last message, for the Run tab.
	activity activity
	done     chan struct{} // closed when the event pump stops

	stopped chan struct{} // closed once Stop finished
	stopErr error         // what closing reported; set before stopped is closed

	// setup is what the start reported so far (installing the SDK,
	// starting DynamoDB), for a page showing the start as it goes.
	setupMu sync.Mutex
	setup   []string
}

// NewManager returns a manager with no runs.
func NewManager(log *slog.Logger) *Manager {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{log: log, stack: map[int64]*Run{}, stopping: map[int64]*Run{}, failed: map[int64]error{}}
}

// Start runs cfg.Stack, keyed by its ID, or returns its run if one is
// starting or running already. The run outlives ctx, which bounds only the
// wait: a start that takes longer (a first run installing the SDK) goes on,
// and Status follows it. Stop ends it. Its gateway events and function log
// lines go to the run's Feed, the log lines also to cfg.OnLog.
func (m *Manager) Start(ctx context.Context, cfg Config) (*Run, error) {
	st := cfg.Stack
	if st == nil {
		return nil, model.Errorf(model.EINVALID, "localrun: no stack")
	}
	m.mu.Lock()
	run := m.stack[st.ID]
	if run == nil {
		startCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		run = &Run{ready: make(chan struct{}), cancel: cancel, feed: newFeed(), done: make(chan struct{}), stopped: make(chan struct{})}
		m.stack[st.ID] = run
		delete(m.failed, st.ID)
		go m.start(startCtx, run, cfg)
	}
	m.mu.Unlock()
	select {
	case <-run.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	stopped := errors.Is(run.err, ErrRunStopped) || (run.err == nil && m.Get(st.ID) != run)
	switch {
	case stopped && ctx.Err() != nil:
		return nil, ctx.Err() // the caller gave up and stopped it
	case stopped:
		return nil, ErrRunStopped
	case run.err != nil:
		return nil, run.err
	}
	return run, nil
}

// start brings run up and closes its ready: with its runner on success,
// else with its error, which Status keeps unless a Stop ended the start.
func (m *Manager) start(startCtx context.Context, run *Run, cfg Config) {
	st := cfg.Stack

	f := run.feed
	onLog := cfg.OnLog
	cfg.OnLog = func(l LogLine) {
		f.add(feedLog{Type: "log", Time: l.Time, Function: l.Function, Stream: l.Stream, Kind: logKind(l), Text: l.Text})
		if onLog != nil {
			onLog(l)
		}
	}
	onProgress := cfg.OnProgress
	cfg.OnProgress = func(msg string) {
		run.setupMu.Lock()
		run.setup = append(run.setup, msg)
		run.setupMu.Unlock()
		f.add(feedLog{Type: "log", Time: time.Now(), Function: "switchboard", Stream: "setup", Kind: "setup", Text: msg})
		if onProgress != nil {
			onProgress(msg)
		} else {
			m.log.Info(msg, slog.String("stack", st.Name))
		}
	}
	onEvent := cfg.OnEvent
	cfg.OnEvent = func(e apigw.Event) {
		f.add(feedEvent{Type: "event", Event: e})
		if onEvent != nil {
			onEvent(e)
		}
	}
	onWrite := cfg.OnTableWrite
	cfg.OnTableWrite = func(table string) {
		f.addTableWrite(table)
		if onWrite != nil {
			onWrite(table)
		}
	}
	r, err := Start(startCtx, m.log.With(slog.String("stack", st.Name)), cfg)
	if err != nil {
		m.mu.Lock()
		if m.stack[st.ID] == run {
			delete(m.stack, st.ID)
			if startCtx.Err() == nil {
				m.failed[st.ID] = err
			}
		}
		run.err = err
		if startCtx.Err() != nil {
			run.err = ErrRunStopped
		}
		close(run.done)
		close(run.ready)
		m.mu.Unlock()
		run.feed.close()
		if startCtx.Err() == nil {
			m.log.Warn("local run did not start", slog.String("stack", st.Name), slog.Any("error", err))
		}
		return
	}
	for _, sf := range r.Starters() {
		f.add(feedLog{Type: "log", Time: time.Now(), Function: sf.Function, Stream: "switchboard", Text: sf.Message()})
	}
	events, unsubscribe := r.Gateway().Subscribe(1024)
	go func() {
		defer close(run.done)
		defer unsubscribe()
		for e := range events {
			run.activity.note(e)
			f.add(feedEvent{Type: "event", Event: e})
		}
	}()
	// A Stop that took the run from the map while it started waits on
	// ready to close it.
	m.mu.Lock()
	run.runner = r
	close(run.ready)
	m.mu.Unlock()
}

// State is where a stack's run is, for a page that shows it.
type State int

const (
	// Idle: no run, or the last one was stopped.
	Idle State = iota
	// Starting: the start is under way; Status.Setup says how far.
	Starting
	// Running: Status.Run serves the stack.
	Running
	// Failed: the last start failed with Status.Err.
	Failed
)

// Status is a stack's run as a page shows it.
type Status struct {
	State State
	// Run is the running stack, when State is Running.
	Run *Run
	// Setup is what the start reported so far, when State is Starting.
	Setup []string
	// Err is why the last start failed, when State is Failed.
	Err error
}

// Status says whether the stack's run is starting, running, failed to
// start (until the next start or stop) or there is none. A start runs for
// as long as its SDK install takes, minutes on a slow network, so a page
// shows it going rather than waiting on it.
func (m *Manager) Status(id int64) Status {
	m.mu.Lock()
	run, failed := m.stack[id], m.failed[id]
	m.mu.Unlock()
	if run == nil {
		if failed != nil {
			return Status{State: Failed, Err: failed}
		}
		return Status{State: Idle}
	}
	select {
	case <-run.ready:
		if run.runner == nil {
			// Failed a moment ago; the map is updated under the lock
			// before ready closes, so ask again.
			return m.Status(id)
		}
		return Status{State: Running, Run: run}
	default:
		run.setupMu.Lock()
		defer run.setupMu.Unlock()
		return Status{State: Starting, Setup: slices.Clone(run.setup)}
	}
}

// Get returns the stack's run once it is running, or nil.
func (m *Manager) Get(id int64) *Run {
	m.mu.Lock()
	run := m.stack[id]
	m.mu.Unlock()
	if run == nil {
		return nil
	}
	select {
	case <-run.ready:
		if run.runner == nil {
			return nil
		}
		return run
	default:
		return nil // still starting
	}
}

// Stop ends the stack's run, if any, also one still starting: clients are
// disconnected (their $disconnect handlers run), the function processes
// stop, the temporary folders go and the feed closes. A Stop while another
// is stopping the run waits for it. The error is what closing the run
// reported.
func (m *Manager) Stop(id int64) error {
	m.mu.Lock()
	delete(m.failed, id)
	run := m.stack[id]
	if run == nil {
		run = m.stopping[id]
		m.mu.Unlock()
		if run == nil {
			return nil
		}
		<-run.stopped
		return run.stopErr
	}
	delete(m.stack, id)
	m.stopping[id] = run
	m.mu.Unlock()

	run.stopErr = run.close()
	m.mu.Lock()
	if m.stopping[id] == run {
		delete(m.stopping, id)
	}
	m.mu.Unlock()
	close(run.stopped)
	return run.stopErr
}

// close ends a run taken from the manager's map.
func (r *Run) close() error {
	r.cancel()
	<-r.ready
	if r.runner == nil {
		return nil // the start failed and cleaned up
	}
	err := r.runner.Close()
	<-r.done
	r.feed.close()
	return err
}

// StopAll stops every run, logging what fails to close.
func (m *Manager) StopAll() {
	m.mu.Lock()
	ids := make([]int64, 0, len(m.stack))
	for id := range m.stack {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	for _, id := range ids {
		if err := m.Stop(id); err != nil {
			m.log.Warn("stopping a local run", slog.Int64("stack", id), slog.Any("error", err))
		}
	}
}

// Endpoints lists where each API of the run is served.
func (r *Run) Endpoints() []Endpoint { return r.runner.Endpoints() }

// CodeDir is the folder the run's functions run from.
func (r *Run) CodeDir() string { return r.runner.CodeDir() }

// Connections counts the run's open WebSocket connections.
func (r *Run) Connections() int { return r.runner.Gateway().Connections() }

// DynamoDBEndpoint is the endpoint the run's tables are on, built in or
// not; "" when the stack has no tables.
func (r *Run) DynamoDBEndpoint() string { return r.runner.DynamoDBEndpoint() }

// SQSEndpoint is where the run serves the stack's queues; "" for none.
func (r *Run) SQSEndpoint() string { return r.runner.SQSEndpoint() }

// EventBridgeEndpoint is where the run serves the buses, the default one
// too.
func (r *Run) EventBridgeEndpoint() string { return r.runner.EventBridgeEndpoint() }

// Feed is what happens on the run, for a page to follow.
func (r *Run) Feed() *Feed { return r.feed }
