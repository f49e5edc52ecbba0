package localrun

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw"
)

// feedEvent and feedLog are the two kinds of item a feed holds, as the
// browser receives them.
type feedEvent struct {
	Type string `json:"type"`
	apigw.Event
}

type feedLog struct {
	Type     string    `json:"type"`
	Time     time.Time `json:"time"`
	Function string    `json:"function"`
	Stream   string    `json:"stream"`
	// Kind tells what the canvas's log filter may hide: "function" for a
	// line the function wrote, "platform" for Lambda's START, END and
	// REPORT lines, "setup" for a step of the run's start.
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// logKind is the feed kind of a function's log line.
func logKind(l LogLine) string {
	if l.Stream == "platform" {
		return "platform"
	}
	return "function"
}

// feedTable says a table's items changed, for a page showing them.
type feedTable struct {
	Type  string `json:"type"`
	Table string `json:"table"`
}

// tableWriteEvery is how often at most a feed tells of writes to one
// table: a burst of writes must not push the log out of the history.
const tableWriteEvery = 250 * time.Millisecond

// FeedHistory is how many items a feed keeps for a page that connects, or
// reconnects, later.
const FeedHistory = 500

// Feed numbers a run's gateway events and log lines and keeps the last
// FeedHistory of them as JSON, so a browser reconnecting with
// Last-Event-ID misses nothing that is still kept.
type Feed struct {
	mu     sync.Mutex
	next   int64
	items  []FeedItem
	wake   chan struct{} // closed and replaced on every add
	closed bool
	// told is when each table's last write was told; pending, whether a
	// later one waits to be.
	told    map[string]time.Time
	pending map[string]bool
}

// FeedItem is one event ({"type":"event",…}) or log line ({"type":"log",…}).
type FeedItem struct {
	ID   int64
	JSON []byte
}

func newFeed() *Feed { return &Feed{next: 1, wake: make(chan struct{})} }

func (f *Feed) add(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.items = append(f.items, FeedItem{f.next, data})
	f.next++
	if len(f.items) > FeedHistory {
		f.items = append(f.items[:0], f.items[len(f.items)-FeedHistory:]...)
	}
	close(f.wake)
	f.wake = make(chan struct{})
}

// addTableWrite tells of a write to table at most every tableWriteEvery:
// a write within that time of the last telling is told once it passed, so
// the last write of a burst is never left out.
func (f *Feed) addTableWrite(table string) {
	now := time.Now()
	f.mu.Lock()
	if f.told == nil {
		f.told = map[string]time.Time{}
		f.pending = map[string]bool{}
	}
	if wait := tableWriteEvery - now.Sub(f.told[table]); wait > 0 {
		if !f.pending[table] {
			f.pending[table] = true
			time.AfterFunc(wait, func() {
				f.mu.Lock()
				delete(f.pending, table)
				f.told[table] = time.Now()
				f.mu.Unlock()
				f.add(feedTable{Type: "table", Table: table})
			})
		}
		f.mu.Unlock()
		return
	}
	f.told[table] = now
	f.mu.Unlock()
	f.add(feedTable{Type: "table", Table: table})
}

func (f *Feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.wake)
	}
}

// Since returns the items after id, a channel closed on the next add, and
// whether the feed is closed (the run stopped).
func (f *Feed) Since(id int64) ([]FeedItem, <-chan struct{}, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FeedItem
	for _, it := range f.items {
		if it.ID > id {
			out = append(out, it)
		}
	}
	return out, f.wake, f.closed
}
