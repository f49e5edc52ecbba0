package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// Git operations (preview, which fetches or first clones, commit with its
// push, and open) run as jobs in the background, not in the request: a
// clone or push can outlast the server's 30 s request timeout, and the
// user may want to stop it. The request that starts one answers with the
// job's page, which polls the job's status (htmx, or a meta refresh
// without script), shows its progress and offers Cancel, and shows the
// outcome when it ends.

// Job states.
const (
	jobRunning   = "running"
	jobDone      = "done"
	jobFailed    = "failed"
	jobCancelled = "cancelled"
)

// jobKeep is how long a finished job's page stays available.
const jobKeep = 30 * time.Minute

// jobMaxTime bounds a job that nobody cancels (a remote that never answers).
const jobMaxTime = 2 * time.Hour

type gitJob struct {
	id      string
	stackID int64 // 0 for open, which has no stack yet
	kind    string
	url     string
	title   string
	cancel  context.CancelFunc
	log     progressLog
	done    chan struct{}

	mu        sync.Mutex
	cancelled bool
	ended     time.Time
	// The outcome, set before done is closed.
	err     error
	result  publish.Result   // commit
	changes []publish.Change // preview
	opened  *model.Stack     // open
	// What the job was asked, to show it again; never a token.
	overwrite bool
	open      web.OpenForm
	link      web.LinkForm
}

func (j *gitJob) finished() bool {
	select {
	case <-j.done:
		return true
	default:
		return false
	}
}

// state is running, done, failed or cancelled.
func (j *gitJob) state() string {
	if !j.finished() {
		return jobRunning
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case j.err == nil:
		return jobDone
	case j.cancelled:
		// go-git does not always keep context.Canceled in its errors.
		return jobCancelled
	}
	return jobFailed
}

// view is the job's status box.
func (j *gitJob) view() web.GitJobView {
	v := web.GitJobView{URL: j.url, Title: j.title, State: j.state(), Lines: j.log.lines()}
	if v.State == jobCancelled {
		v.Message = "Cancelled. Whatever was not pushed yet was not; Preview shows where the repository stands."
	}
	return v
}

type gitJobs struct {
	log  *slog.Logger
	mu   sync.Mutex
	byID map[string]*gitJob
	wg   sync.WaitGroup
}

func newGitJobs(log *slog.Logger) *gitJobs {
	return &gitJobs{log: log, byID: map[string]*gitJob{}}
}

// start runs fn as a job, unless a job of the same kind is already
// running for the stack: then that one is returned, so a double click
// does not commit twice. fn's context is not the request's: it ends only
// with Cancel, the server's shutdown or jobMaxTime.
func (js *gitJobs) start(stackID int64, kind, urlPrefix, title string, setup func(*gitJob), fn func(ctx context.Context, j *gitJob)) *gitJob {
	js.mu.Lock()
	defer js.mu.Unlock()
	js.prune()
	if stackID != 0 {
		for _, j := range js.byID {
			if j.stackID == stackID && j.kind == kind && !j.finished() {
				return j
			}
		}
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), jobMaxTime)
	j := &gitJob{id: id, stackID: stackID, kind: kind, url: urlPrefix + id, title: title, cancel: cancel, done: make(chan struct{})}
	if setup != nil {
		setup(j)
	}
	js.byID[id] = j
	js.wg.Add(1)
	go func() {
		defer js.wg.Done()
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				js.log.Error("git job panicked", slog.String("kind", kind), slog.Any("panic", p))
				j.mu.Lock()
				j.err = errors.New("internal error")
				j.mu.Unlock()
			}
			j.mu.Lock()
			j.ended = time.Now()
			j.mu.Unlock()
			close(j.done)
		}()
		fn(publish.WithProgress(ctx, &j.log), j)
	}()
	return j
}

// get returns the job with this id, for this stack (0: open jobs).
func (js *gitJobs) get(stackID int64, id string) *gitJob {
	js.mu.Lock()
	defer js.mu.Unlock()
	if j := js.byID[id]; j != nil && j.stackID == stackID {
		return j
	}
	return nil
}

// cancelJob asks the job to stop; it ends as soon as gitlink sees it.
func (j *gitJob) cancelJob() {
	j.mu.Lock()
	j.cancelled = true
	j.mu.Unlock()
	j.cancel()
}

// prune forgets jobs that ended more than jobKeep ago. Called with mu held.
func (js *gitJobs) prune() {
	for id, j := range js.byID {
		if !j.finished() {
			continue
		}
		j.mu.Lock()
		old := time.Since(j.ended) > jobKeep
		j.mu.Unlock()
		if old {
			delete(js.byID, id)
		}
	}
}

// stopAll cancels every job and waits for them, at shutdown.
func (js *gitJobs) stopAll() {
	js.mu.Lock()
	for _, j := range js.byID {
		j.cancel()
	}
	js.mu.Unlock()
	js.wg.Wait()
}

// progressLog keeps the last lines a job reported. Git's own progress
// rewrites its line with "\r" while it counts; only the latest is kept.
type progressLog struct {
	mu   sync.Mutex
	done []string
	cur  strings.Builder
	last string // the current line as of its last "\r"
}

const (
	progressMaxLines = 40
	progressMaxLine  = 300
)

func (p *progressLog) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range string(b) {
		switch c {
		case '\n':
			line := p.cur.String()
			if line == "" {
				line = p.last
			}
			if line != "" {
				p.done = append(p.done, line)
				if len(p.done) > progressMaxLines {
					p.done = p.done[len(p.done)-progressMaxLines:]
				}
			}
			p.cur.Reset()
			p.last = ""
		case '\r':
			if p.cur.Len() > 0 {
				p.last = p.cur.String()
			}
			p.cur.Reset()
		default:
			if p.cur.Len() < progressMaxLine {
				p.cur.WriteRune(c)
			}
		}
	}
	return len(b), nil
}

func (p *progressLog) lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := append([]string(nil), p.done...)
	if s := p.cur.String(); s != "" {
		out = append(out, s)
	} else if p.last != "" {
		out = append(out, p.last)
	}
	return out
}
