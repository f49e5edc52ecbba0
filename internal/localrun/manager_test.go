package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// echoStack is one API whose $default route echoes through a Node.js
// handler written under a temporary code folder.
func echoStack(tb testing.TB, id int64) Config {
	tb.Helper()
	testtool.Command(tb, "node", "the handler runs on Node.js")
	root := tb.TempDir()
	MustWrite(tb, root, map[string]string{"functions/echo/index.js": `exports.handler = async (event) => {
  console.log("got " + event.body);
  return { statusCode: 200, body: "echo:" + event.body };
};
`})
	api := model.NewAPI("api1", "Api")
	api.Routes = []*model.Route{{ID: "r1", Key: "$default", TwoWay: true}}
	fn := model.NewFunction("f1", "Echo")
	fn.CodePath = "functions/echo"
	return Config{Stack: &model.Stack{ID: id, Name: fmt.Sprintf("echo%d", id), APIs: []*model.API{api}, Functions: []*model.Function{fn},
		Wires: []*model.Wire{{ID: "w1", Kind: model.WireIntegration, From: "r1", To: "f1"}}}, CodeDir: root}
}

// TestManagerOneRunPerStack: concurrent starts of a stack share one run,
// which the feed, Get and Stop all see.
func TestManagerOneRunPerStack(t *testing.T) {
	t.Parallel()
	m := NewManager(nil)
	t.Cleanup(m.StopAll)
	cfg := echoStack(t, 7)
	var logged sync.WaitGroup
	logged.Add(1)
	var once sync.Once
	cfg.OnLog = func(l LogLine) {
		if strings.Contains(l.Text, "got hello") {
			once.Do(logged.Done)
		}
	}
	runs := make([]*Run, 4)
	errs := make([]error, len(runs))
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() { runs[i], errs[i] = m.Start(context.Background(), cfg) })
	}
	wg.Wait()
	for i := range runs {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		if runs[i] != runs[0] {
			t.Fatalf("start %d got another run than start 0", i)
		}
	}
	if m.Get(7) != runs[0] || m.Get(8) != nil {
		t.Fatalf("Get(7) = %p, Get(8) = %p; want the run and nil", m.Get(7), m.Get(8))
	}

	c, err := wsload.Dial(context.Background(), runs[0].Endpoints()[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Abort()
	MustSend(t, c, "hello")
	if got := MustRead(t, c); got != "echo:hello" {
		t.Fatalf("reply %q", got)
	}
	logged.Wait() // the caller's OnLog still gets the lines

	// The feed holds the connection, the message, the invocation and the
	// log line, numbered from 1.
	kinds := map[string]bool{}
	var last int64
	feed := runs[0].Feed()
	for !kinds["log"] || !kinds["message"] {
		items, wake, closed := feed.Since(last)
		for _, it := range items {
			if it.ID != last+1 {
				t.Fatalf("feed item %d after %d", it.ID, last)
			}
			last = it.ID
			var v struct{ Type, Kind, Text string }
			if err := json.Unmarshal(it.JSON, &v); err != nil {
				t.Fatalf("feed item %s: %v", it.JSON, err)
			}
			kinds[v.Type] = true
			if v.Type == "event" {
				kinds[v.Kind] = true
			}
		}
		if closed {
			t.Fatalf("feed closed while running; saw %v", kinds)
		}
		if !kinds["log"] || !kinds["message"] {
			<-wake
		}
	}

	if err := m.Stop(7); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if m.Get(7) != nil {
		t.Fatal("Get after Stop returned the run")
	}
	if _, _, closed := feed.Since(last); !closed {
		t.Fatal("feed still open after Stop")
	}
	if _, err := wsload.Dial(context.Background(), runs[0].Endpoints()[0].URL); err == nil {
		t.Fatal("the stopped run still accepts connections")
	}
}

// TestManagerStopWaitsForAStopUnderWay: a second Stop of a run being
// stopped returns only once the run is closed, so a command that stops on
// interrupt and again on its way out never exits with handlers running.
func TestManagerStopWaitsForAStopUnderWay(t *testing.T) {
	t.Parallel()
	m := NewManager(nil)
	t.Cleanup(m.StopAll)
	run, err := m.Start(context.Background(), echoStack(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	url := run.Endpoints()[0].URL
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := m.Stop(3); err != nil {
				t.Errorf("stop: %v", err)
			}
			if _, _, closed := run.Feed().Since(0); !closed {
				t.Error("a Stop returned before the run was closed")
			}
			if _, err := wsload.Dial(context.Background(), url); err == nil {
				t.Error("a Stop returned while the run accepted connections")
			}
		})
	}
	wg.Wait()
}

// TestManagerStopDuringStart: a stop while the stack starts ends the start,
// which reports ErrRunStopped, or the caller's own context error when the
// caller gave up.
func TestManagerStopDuringStart(t *testing.T) {
	t.Parallel()
	m := NewManager(nil)
	t.Cleanup(m.StopAll)
	cfg := echoStack(t, 5)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan error, 1)
	cfg.OnLog = nil
	go func() {
		_, err := m.Start(ctx, cfg)
		started <- err
	}()
	// Stop as soon as the run is registered, before or while it starts.
	for {
		m.mu.Lock()
		_, registered := m.stack[5]
		m.mu.Unlock()
		if registered {
			break
		}
	}
	cancel()
	if err := m.Stop(5); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := <-started; !errors.Is(err, context.Canceled) {
		t.Fatalf("start = %v, want context.Canceled", err)
	}
	if m.Get(5) != nil {
		t.Fatal("a stopped start left a run")
	}
}

// TestFeedKeepsTheLastItems: a page reconnecting later gets the last
// FeedHistory items, in order, and nothing after the feed closed.
func TestFeedKeepsTheLastItems(t *testing.T) {
	t.Parallel()
	f := newFeed()
	for i := range FeedHistory + 20 {
		f.add(map[string]int{"n": i})
	}
	items, _, closed := f.Since(0)
	if closed || len(items) != FeedHistory {
		t.Fatalf("%d items (closed %v), want %d", len(items), closed, FeedHistory)
	}
	if items[0].ID != 21 || string(items[0].JSON) != `{"n":20}` || items[len(items)-1].ID != FeedHistory+20 {
		t.Fatalf("kept %d %s … %d", items[0].ID, items[0].JSON, items[len(items)-1].ID)
	}
	if later, _, _ := f.Since(FeedHistory + 10); len(later) != 10 {
		t.Fatalf("since %d: %d items, want 10", FeedHistory+10, len(later))
	}
	_, wake, _ := f.Since(0)
	f.close()
	<-wake
	f.add(map[string]int{"n": -1})
	if items, _, closed := f.Since(FeedHistory + 20); !closed || len(items) != 0 {
		t.Fatalf("after close: %d items, closed %v", len(items), closed)
	}
}

// TestManagerStatusFollowsAStart: while a start is under way, Status says
// so with what it reported so far; then the run; after a failed start, why
// it failed, until the next stop.
func TestManagerStatusFollowsAStart(t *testing.T) {
	t.Parallel()
	m := NewManager(nil)
	t.Cleanup(m.StopAll)
	if s := m.Status(6); s.State != Idle {
		t.Fatalf("before any start: %+v", s)
	}
	cfg := echoStack(t, 6)
	cfg.Stack.Queues = []*model.Queue{model.NewQueue("q1", "Jobs")}
	// The start holds at its queues' line until the test has looked.
	reported, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	cfg.OnProgress = func(line string) {
		if strings.HasPrefix(line, "queues on") {
			once.Do(func() { close(reported); <-release })
		}
	}
	var releaseOnce sync.Once
	defer releaseOnce.Do(func() { close(release) })
	started := make(chan error, 1)
	go func() {
		_, err := m.Start(context.Background(), cfg)
		started <- err
	}()
	<-reported
	s := m.Status(6)
	if s.State != Starting || len(s.Setup) == 0 || !strings.HasPrefix(s.Setup[len(s.Setup)-1], "queues on") {
		t.Fatalf("while starting: %+v, want Starting with the queues' line last", s)
	}
	releaseOnce.Do(func() { close(release) })
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	if s := m.Status(6); s.State != Running || s.Run == nil || s.Run != m.Get(6) {
		t.Fatalf("after the start: %+v, want Running with the run", s)
	}
	if err := m.Stop(6); err != nil {
		t.Fatal(err)
	}

	bad := echoStack(t, 7)
	bad.Stack.Wires[0].To = "missing"
	if _, err := m.Start(context.Background(), bad); err == nil {
		t.Fatal("a stack wired to a missing function started")
	}
	s = m.Status(7)
	if s.State != Failed || s.Err == nil {
		t.Fatalf("after a failed start: %+v, want Failed with its error", s)
	}
	if err := m.Stop(7); err != nil {
		t.Fatal(err)
	}
	if s := m.Status(7); s.State != Idle {
		t.Fatalf("after a stop: %+v, want Idle", s)
	}
}
