package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/apigw"
	"github.com/switchboard-dev/switchboard/lambdaemu"
	"github.com/switchboard-dev/switchboard/localrun"
	"github.com/switchboard-dev/switchboard/model"
	"github.com/switchboard-dev/switchboard/web"
)

// RunOptions configure Run locally.
type RunOptions struct {
	// DynamoDBEndpoint is the local DynamoDB-compatible endpoint the
	// stack's tables are created on; empty leaves tables out.
	DynamoDBEndpoint string
	// NodePath is a node_modules folder handlers may import from, such as
	// one holding the AWS SDK for JavaScript v3.
	NodePath string
	// AllowOrigins are browser origins besides loopback ones and the app's
	// own that may open a WebSocket to a running stack.
	AllowOrigins []string
	// MaxConnections caps each run's WebSocket connections;
	// apigw.DefaultMaxConnections when zero.
	MaxConnections int
}

// runs holds the stacks running locally, at most one run per stack: a
// start while one is starting or running returns that run.
type runs struct {
	log  *slog.Logger
	opts RunOptions

	mu    sync.Mutex
	stack map[int64]*stackRun
}

// stackRun is one running stack and the feed of what happens on it.
type stackRun struct {
	ready  chan struct{}      // closed once the start finished, well or not
	err    error              // why the start failed; set before ready is closed
	cancel context.CancelFunc // ends the start early, for a stop
	runner *localrun.Runner   // set before ready is closed, on success
	feed   *feed
	done   chan struct{} // closed when the event pump stops
}

// errRunStopped is what a start learns when the run was stopped (or its
// stack deleted) before it was ready.
var errRunStopped = model.Errorf(model.ECONFLICT, "the run was stopped while it started")

func newRuns(log *slog.Logger, opts RunOptions) *runs {
	return &runs{log: log, opts: opts, stack: map[int64]*stackRun{}}
}

// start runs the stack as it is now, or returns its run if one is starting
// or running already: a run has one owner, and a second start (another
// tab, a double click) must not leave a run nobody can stop. codeDir, when
// not empty, is the folder the functions' code paths are relative to;
// appOrigin is the origin of the page that asks, whose test client may
// connect.
func (rs *runs) start(ctx context.Context, st *model.Stack, codeDir, appOrigin string) (*stackRun, error) {
	rs.mu.Lock()
	if run := rs.stack[st.ID]; run != nil {
		rs.mu.Unlock()
		select {
		case <-run.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if run.err != nil {
			return nil, run.err
		}
		if rs.get(st.ID) != run {
			return nil, errRunStopped
		}
		return run, nil
	}
	// The run outlives the request that starts it; a stop cancels it.
	startCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	run := &stackRun{ready: make(chan struct{}), cancel: cancel, feed: newFeed(), done: make(chan struct{})}
	rs.stack[st.ID] = run
	rs.mu.Unlock()

	f := run.feed
	origins := slices.Clone(rs.opts.AllowOrigins)
	if appOrigin != "" {
		origins = append(origins, appOrigin)
	}
	cfg := localrun.Config{
		Stack:            st,
		CodeDir:          codeDir,
		DynamoDBEndpoint: rs.opts.DynamoDBEndpoint,
		NodePath:         rs.opts.NodePath,
		Gateway:          apigw.Options{AllowOrigins: origins, MaxConnections: rs.opts.MaxConnections},
		OnLog: func(l lambdaemu.LogLine) {
			f.add(feedLog{Type: "log", Time: l.Time, Function: l.Function, Stream: l.Stream, Text: l.Text})
		},
	}
	r, err := localrun.Start(startCtx, rs.log.With(slog.String("stack", st.Name)), cfg)
	if err != nil {
		rs.mu.Lock()
		if rs.stack[st.ID] == run {
			delete(rs.stack, st.ID)
		}
		run.err = err
		close(run.done)
		close(run.ready)
		rs.mu.Unlock()
		run.feed.close()
		if startCtx.Err() != nil {
			return nil, errRunStopped
		}
		return nil, err
	}
	events, unsubscribe := r.Gateway().Subscribe(1024)
	go func() {
		defer close(run.done)
		defer unsubscribe()
		for e := range events {
			f.add(feedEvent{Type: "event", Event: e})
		}
	}()
	rs.mu.Lock()
	run.runner = r
	stopped := rs.stack[st.ID] != run
	close(run.ready)
	rs.mu.Unlock()
	if stopped {
		// stop took it from the map while it started and waits on ready
		// to close it.
		return nil, errRunStopped
	}
	return run, nil
}

// get returns the stack's run once it is running, or nil.
func (rs *runs) get(id int64) *stackRun {
	rs.mu.Lock()
	run := rs.stack[id]
	rs.mu.Unlock()
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

// stop ends the stack's run, if any, also one still starting: clients are
// disconnected (their $disconnect handlers run), the function processes
// stop and the temporary folders go.
func (rs *runs) stop(id int64) {
	rs.mu.Lock()
	run := rs.stack[id]
	delete(rs.stack, id)
	rs.mu.Unlock()
	if run == nil {
		return
	}
	run.cancel()
	<-run.ready
	if run.runner == nil {
		return // the start failed and cleaned up
	}
	if err := run.runner.Close(); err != nil {
		rs.log.Warn("stopping a local run", slog.Int64("stack", id), slog.Any("error", err))
	}
	<-run.done
	run.feed.close()
}

func (rs *runs) stopAll() {
	rs.mu.Lock()
	ids := make([]int64, 0, len(rs.stack))
	for id := range rs.stack {
		ids = append(ids, id)
	}
	rs.mu.Unlock()
	for _, id := range ids {
		rs.stop(id)
	}
}

// feedEvent and feedLog are the two kinds of item the browser receives.
type feedEvent struct {
	Type string `json:"type"`
	apigw.Event
}

type feedLog struct {
	Type     string    `json:"type"`
	Time     time.Time `json:"time"`
	Function string    `json:"function"`
	Stream   string    `json:"stream"`
	Text     string    `json:"text"`
}

// feedHistory is how many items a feed keeps for a page that connects, or
// reconnects, later.
const feedHistory = 500

// feed numbers items and keeps the last feedHistory of them, so a browser
// reconnecting with Last-Event-ID misses nothing that is still kept.
type feed struct {
	mu     sync.Mutex
	next   int64
	items  []feedItem
	wake   chan struct{} // closed and replaced on every add
	closed bool
}

type feedItem struct {
	id   int64
	data []byte
}

func newFeed() *feed { return &feed{next: 1, wake: make(chan struct{})} }

func (f *feed) add(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.items = append(f.items, feedItem{f.next, data})
	f.next++
	if len(f.items) > feedHistory {
		f.items = append(f.items[:0], f.items[len(f.items)-feedHistory:]...)
	}
	close(f.wake)
	f.wake = make(chan struct{})
}

func (f *feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.wake)
	}
}

// since returns the items after id, a channel closed on the next add, and
// whether the feed is closed.
func (f *feed) since(id int64) ([]feedItem, <-chan struct{}, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []feedItem
	for _, it := range f.items {
		if it.id > id {
			out = append(out, it)
		}
	}
	return out, f.wake, f.closed
}

func (s *Server) runView(st *model.Stack, run *stackRun, errText string) web.RunView {
	v := web.RunView{Base: "/stacks/" + strconv.FormatInt(st.ID, 10), Error: errText, SampleMessage: sampleMessage(st)}
	if run != nil {
		v.Running = true
		v.CodeDir = run.runner.CodeDir()
		for _, ep := range run.runner.Endpoints() {
			v.Endpoints = append(v.Endpoints, web.RunEndpoint{Name: ep.Name, URL: ep.URL, ConnectionsURL: ep.ConnectionsURL})
		}
	}
	return v
}

// sampleMessage is a first message to send: one that selects the stack's
// first custom route, if the expression reads a top-level field.
func sampleMessage(st *model.Stack) string {
	for _, a := range st.APIs {
		field, ok := strings.CutPrefix(a.RouteSelectionExpression, "$request.body.")
		if !ok || strings.Contains(field, ".") {
			continue
		}
		for _, r := range a.Routes {
			if !strings.HasPrefix(r.Key, "$") {
				b, _ := json.Marshal(map[string]string{field: r.Key, "data": "hello"})
				return string(b)
			}
		}
	}
	return `{"data":"hello"}`
}

// handleRunPanel shows the Run tab: a start button, or the running stack's
// URLs, test client and log.
func (s *Server) handleRunPanel(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, web.RunPanel(s.runView(st, s.runs.get(st.ID), "")))
}

// handleRunStart runs the stack's current revision locally, or shows the
// run already starting or running; restart=yes in the body stops that run
// first, so the stack and its code as they are now run.
func (s *Server) handleRunStart(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("restart") == "yes" {
		s.runs.stop(st.ID)
	}
	// The linked repository's code when it is on this machine; otherwise
	// the export's starter handlers in a temporary folder.
	codeDir, _ := s.publish.LocalCodeDir(r.Context(), st)
	// The page asking is the app itself (its Host passed the server's
	// check), so its test client may connect from this origin.
	run, err := s.runs.start(r.Context(), st, codeDir, "http://"+r.Host)
	if err != nil {
		if model.ErrorCode(err) == model.EINTERNAL {
			s.log.Error("local run failed", slog.String("stack", st.Name), slog.Any("error", err))
		}
		// The panel says why, next to the button that tries again.
		s.render(w, r, http.StatusUnprocessableEntity, web.RunPanel(s.runView(st, nil, runErrorText(err))))
		return
	}
	s.render(w, r, http.StatusOK, web.RunPanel(s.runView(st, run, "")))
}

// runErrorText is what the panel says about a failed start: a user error as
// it is, and for anything else the chain, which names the tool or port at
// fault on the user's own machine.
func runErrorText(err error) string {
	if model.ErrorCode(err) == model.EINTERNAL {
		return fmt.Sprintf("Could not run the stack: %v", err)
	}
	return problemText(err)
}

// handleRunStop stops the stack's run.
func (s *Server) handleRunStop(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	s.runs.stop(st.ID)
	s.render(w, r, http.StatusOK, web.RunPanel(s.runView(st, nil, "")))
}

// runStreamFor bounds one event stream response: the router's timeout ends
// every request after 30 seconds, so the stream ends first and the browser's
// EventSource reconnects with Last-Event-ID, missing nothing.
const runStreamFor = 20 * time.Second

// handleRunEvents streams the run's gateway events and function logs as
// server-sent events.
func (s *Server) handleRunEvents(w http.ResponseWriter, r *http.Request) {
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	rc := http.NewResponseController(w)
	run := s.runs.get(id)
	if run == nil {
		// Not running: tell the page to stop reconnecting.
		w.WriteHeader(http.StatusOK)
		_, _ = fmt.Fprint(w, "event: end\ndata: {}\n\n")
		return
	}
	last, _ := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, "retry: 500\n\n")
	timer := time.NewTimer(runStreamFor)
	defer timer.Stop()
	for {
		items, wake, closed := run.feed.since(last)
		for _, it := range items {
			_, _ = fmt.Fprintf(w, "id: %d\ndata: %s\n\n", it.id, it.data)
			last = it.id
		}
		if closed {
			_, _ = fmt.Fprint(w, "event: end\ndata: {}\n\n")
		}
		if err := rc.Flush(); err != nil || closed {
			return
		}
		select {
		case <-wake:
		case <-timer.C:
			return
		case <-r.Context().Done():
			return
		}
	}
}
