package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// Live views (issue 15). Every open canvas subscribes to its stack
// (handleLive, server-sent events) and is told each new head revision and
// who else has the stack open; it then asks for what changed since the
// revision it shows (handleChanges), so it updates only what changed.
//
// A change is noticed two ways: an edit through this server tells the hub
// at once (Server.changed), and a poll of the stacks that have views reads
// their head revision every livePollEvery, which sees any other writer of
// the database: the CLI, a second server, an import.

// livePollEvery is how often the head revisions of watched stacks are read:
// well inside the 200 ms a change from another process may take to show.
const livePollEvery = 40 * time.Millisecond

// liveStreamFor bounds one event stream response, under the router's
// timeout; the page's EventSource reconnects at once.
const liveStreamFor = 20 * time.Second

// liveGoneAfter is how long a view that lost its stream still counts as
// open: a reconnect does not make it leave and come back.
const liveGoneAfter = 3 * time.Second

// peerColors is how many outline colours the canvas has (app.css .peer-N).
const peerColors = 6

type liveHub struct {
	store *store.Store
	log   *slog.Logger
	done  chan struct{}

	mu      sync.Mutex
	stacks  map[int64]*liveStack
	polling bool
	colors  int
	closed  bool
	// states are recent revisions of watched stacks, parsed once for all
	// the views that catch up from them.
	states map[revisionKey]*model.Stack
	// undos counts the times a stack's head went back (notify); a state
	// read before one may be of a revision number given again since, and
	// is not kept.
	undos int
	// answers are handleChanges's recent answers.
	answers changesCache
}

type revisionKey struct{ stack, revision int64 }

// statesKept bounds states.
const statesKept = 256

// stateAt returns the stack at a revision, read once while it is recent.
func (h *liveHub) stateAt(ctx context.Context, id, revision int64) (*model.Stack, error) {
	k := revisionKey{id, revision}
	h.mu.Lock()
	st, undos := h.states[k], h.undos
	h.mu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err := h.store.StackAtRevision(ctx, id, revision)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.undos != undos {
		return st, nil
	}
	if len(h.states) >= statesKept {
		clear(h.states)
	}
	h.states[k] = st
	return st, nil
}

// liveStack is what the hub knows of one watched stack.
type liveStack struct {
	revision int64
	// wake is closed, and replaced, whenever revision or presence changes.
	wake  chan struct{}
	views map[string]*liveView
}

type liveView struct {
	id       string
	color    int
	selected string
	streams  int
	leave    *time.Timer
}

// peer is another view of the stack, as the canvas shows it.
type peer struct {
	Color    int    `json:"color"`
	Selected string `json:"selected,omitempty"`
}

func newLiveHub(st *store.Store, log *slog.Logger) *liveHub {
	return &liveHub{store: st, log: log, done: make(chan struct{}), stacks: map[int64]*liveStack{}, states: map[revisionKey]*model.Stack{}}
}

// close ends every stream, so the server's shutdown does not wait for them.
func (h *liveHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

func (ls *liveStack) broadcast() {
	close(ls.wake)
	ls.wake = make(chan struct{})
}

// join counts one more stream of the view, which is new to the stack's
// views unless it is reconnecting.
func (h *liveHub) join(stackID int64, viewID string, revision int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ls := h.stacks[stackID]
	if ls == nil {
		ls = &liveStack{revision: revision, wake: make(chan struct{}), views: map[string]*liveView{}}
		h.stacks[stackID] = ls
	}
	v := ls.views[viewID]
	if v == nil {
		v = &liveView{id: viewID, color: h.colors % peerColors}
		h.colors++
		ls.views[viewID] = v
		ls.broadcast()
	}
	if v.leave != nil {
		v.leave.Stop()
		v.leave = nil
	}
	v.streams++
	if !h.polling && h.store != nil {
		h.polling = true
		go h.poll()
	}
}

// part counts one stream of the view less; a view with none left leaves
// after liveGoneAfter unless it comes back.
func (h *liveHub) part(stackID int64, viewID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ls := h.stacks[stackID]
	if ls == nil || ls.views[viewID] == nil {
		return
	}
	v := ls.views[viewID]
	v.streams--
	if v.streams > 0 {
		return
	}
	v.leave = time.AfterFunc(liveGoneAfter, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if v.streams > 0 || ls.views[viewID] != v {
			return
		}
		delete(ls.views, viewID)
		ls.broadcast()
		if len(ls.views) == 0 && h.stacks[stackID] == ls {
			delete(h.stacks, stackID)
		}
	})
}

// snapshot returns the stack's revision, the other views and the channel
// closed at the next change.
func (h *liveHub) snapshot(stackID int64, viewID string) (int64, []peer, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ls := h.stacks[stackID]
	if ls == nil {
		return 0, nil, nil
	}
	ids := make([]string, 0, len(ls.views))
	for id := range ls.views {
		if id != viewID {
			ids = append(ids, id)
		}
	}
	// In a stable order, so an unchanged presence is not sent again.
	slices.Sort(ids)
	peers := make([]peer, len(ids))
	for i, id := range ids {
		peers[i] = peer{Color: ls.views[id].color, Selected: ls.views[id].selected}
	}
	return ls.revision, peers, ls.wake
}

// head returns the head revision of a watched stack as the hub knows it,
// and whether the stack is watched.
func (h *liveHub) head(stackID int64) (int64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ls := h.stacks[stackID]; ls != nil {
		return ls.revision, true
	}
	return 0, false
}

// selected records what a view has selected.
func (h *liveHub) selected(stackID int64, viewID, element string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ls := h.stacks[stackID]
	if ls == nil || ls.views[viewID] == nil {
		return
	}
	if v := ls.views[viewID]; v.selected != element {
		v.selected = element
		ls.broadcast()
	}
}

// notify tells the views of a stack its head revision.
func (h *liveHub) notify(stackID, revision int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ls := h.stacks[stackID]; ls != nil && ls.revision != revision {
		if revision < ls.revision {
			// An undo: the numbers above it will be given again, to
			// other states.
			h.undos++
			for k := range h.states {
				if k.stack == stackID && k.revision > revision {
					delete(h.states, k)
				}
			}
			h.answers.forgetAbove(stackID, revision)
		}
		ls.revision = revision
		ls.broadcast()
	}
}

// poll reads the head revision of every watched stack, until none is.
func (h *liveHub) poll() {
	tick := time.NewTicker(livePollEvery)
	defer tick.Stop()
	ctx := context.Background()
	for {
		select {
		case <-h.done:
			return
		case <-tick.C:
		}
		h.mu.Lock()
		ids := make([]int64, 0, len(h.stacks))
		for id := range h.stacks {
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			h.polling = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		for _, id := range ids {
			rev, err := h.store.HeadRevision(ctx, id)
			if err != nil {
				if model.ErrorCode(err) != model.ENOTFOUND {
					h.log.Warn("live: read head revision", slog.Int64("stack", id), slog.Any("error", err))
				}
				continue
			}
			h.notify(id, rev)
		}
	}
}

// sameOrigin refuses a request another site's page made: an EventSource
// carries Origin, and Sec-Fetch-Site names who asked. The Host check
// (hostguard) has already refused a foreign Host.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// handleLive streams the stack's changes to one view: "revision" with the
// head revision on connecting and on every change, "presence" with the
// other views and their selections.
func (s *Server) handleLive(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.errorPage(w, r, http.StatusForbidden, "Another site cannot watch this stack.")
		return
	}
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	viewID := r.URL.Query().Get("view")
	if !model.ValidID(viewID) {
		s.error(w, r, badRequest("%s", invalidIDMessage("view", viewID)))
		return
	}
	rev, err := s.store.HeadRevision(r.Context(), id)
	if model.ErrorCode(err) == model.ENOTFOUND {
		// Deleted: 204 tells the EventSource to stop reconnecting.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.live.join(id, viewID, rev)
	defer s.live.part(id, viewID)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, "retry: 250\n\n")
	timer := time.NewTimer(liveStreamFor)
	defer timer.Stop()
	var sentRev int64 = -1
	var sentPeers []byte
	for {
		rev, peers, wake := s.live.snapshot(id, viewID)
		if rev != sentRev {
			_, _ = fmt.Fprintf(w, "event: revision\ndata: %d\n\n", rev)
			sentRev = rev
		}
		if data, _ := json.Marshal(peers); !bytes.Equal(data, sentPeers) {
			_, _ = fmt.Fprintf(w, "event: presence\ndata: %s\n\n", data)
			sentPeers = data
		}
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-wake:
		case <-timer.C:
			return
		case <-s.live.done:
			return
		case <-r.Context().Done():
			return
		}
	}
}

// handlePresence records what a view has selected: 204.
func (s *Server) handlePresence(w http.ResponseWriter, r *http.Request) {
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	viewID, element := r.FormValue("view"), r.FormValue("selected")
	if !model.ValidID(viewID) {
		s.error(w, r, badRequest("%s", invalidIDMessage("view", viewID)))
		return
	}
	if element != "" && !model.ValidID(element) {
		s.error(w, r, badRequest("%s", invalidIDMessage("element", element)))
		return
	}
	// A view whose stream is not open yet tells again when it opens.
	s.live.selected(id, viewID, element)
	w.WriteHeader(http.StatusNoContent)
}

// handleChanges answers a view at revision since with what changed on the
// canvas from there to the head, as an edit's answer does (changed): the
// changed nodes and wires, the problem count, the revision and Undo's
// steps. The same answer serves every view at the same revision once.
func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.errorPage(w, r, http.StatusForbidden, "Another site cannot read this stack.")
		return
	}
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	since, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	if err != nil {
		s.error(w, r, badRequest("since must be a revision"))
		return
	}
	ans, err := s.changesSince(r.Context(), id, since)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeChanges(w, r, since, ans)
}

// writeChanges answers with what changed since a revision, gzipped once
// for every view that accepts it (the compress middleware leaves an
// answer with a Content-Encoding alone).
func (s *Server) writeChanges(w http.ResponseWriter, r *http.Request, since int64, ans changesAnswer) {
	h := w.Header()
	h.Set(headerRevision, strconv.FormatInt(ans.head, 10))
	h.Set(headerSteps, ans.steps)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	if since != ans.head {
		// The template and problems tabs refresh (canvas/lazytabs.js).
		triggers{"stackChanged": true}.set(w)
	}
	if ans.gzipped != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		_, _ = w.Write(ans.gzipped)
		return
	}
	_, _ = w.Write(ans.body)
}

// acceptsGzip reports whether the request's Accept-Encoding names gzip
// with a weight above zero.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q, found := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !found {
			return true
		}
		w, err := strconv.ParseFloat(q, 64)
		return err == nil && w > 0
	}
	return false
}

// changesSince is what changed on the canvas from revision since to the
// head, rendered once for every view that asks: the views that ask for
// the same answer while it is being made wait for it rather than make it
// again (fifty views told of one edit ask at once).
func (s *Server) changesSince(ctx context.Context, id, since int64) (changesAnswer, error) {
	// The hub knows the head of a watched stack (this server's edits tell
	// it, a poll sees other writers'); otherwise one small read says which
	// answer is due.
	headRev, watched := s.live.head(id)
	if !watched {
		var err error
		if headRev, err = s.store.HeadRevision(ctx, id); err != nil {
			return changesAnswer{}, err
		}
	}
	return s.live.answers.do(ctx, changesKey{id, since, headRev}, func() (changesAnswer, error) {
		// Made for every view waiting, so one leaving does not end it.
		return s.renderChanges(context.WithoutCancel(ctx), id, since)
	})
}

// renderChanges renders what changed on the canvas from revision since to
// the stack's head.
func (s *Server) renderChanges(ctx context.Context, id, since int64) (changesAnswer, error) {
	head, problems, err := s.store.Problems(ctx, id)
	if err != nil {
		return changesAnswer{}, err
	}
	canvas := web.CanvasOOB(web.NewCanvasView(head))
	if since == head.Revision {
		canvas = web.Fragments()
	} else if was, err := s.live.stateAt(ctx, id, since); err == nil {
		canvas = web.CanvasChangesOOB(web.DiffCanvas(was, head))
	}
	var buf bytes.Buffer
	if err := web.Fragments(canvas, web.ProblemCount(len(problems))).Render(ctx, &buf); err != nil {
		return changesAnswer{}, err
	}
	steps, err := s.store.Steps(ctx, id)
	if err != nil {
		return changesAnswer{}, err
	}
	return newChangesAnswer(head.Revision, buf.Bytes(), webSteps(steps).Header()), nil
}

// changesKey names an answer. A revision number comes back after an undo
// and a new edit; the hub forgets the answers above a head that went back
// (notify).
type changesKey struct{ stack, since, head int64 }

type changesAnswer struct {
	head  int64
	body  []byte
	steps string
	// gzipped is body gzipped, once for every view that accepts it.
	gzipped []byte
}

func newChangesAnswer(head int64, body []byte, steps string) changesAnswer {
	ans := changesAnswer{head: head, body: body, steps: steps}
	var buf bytes.Buffer
	zw := answerZippers.Get().(*gzip.Writer)
	defer answerZippers.Put(zw)
	zw.Reset(&buf)
	_, _ = zw.Write(body)
	if zw.Close() == nil {
		ans.gzipped = buf.Bytes()
	}
	return ans
}

// answerZippers gzip catch-ups, reused: a new gzip writer allocates and
// clears about a megabyte, which cost thirty times the compressing of a
// catch-up of a few kilobytes. The fastest level takes half of level 5's
// time for a result 7% larger (a move's catch-up: 2,555 bytes to 785).
var answerZippers = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level cannot fail
	return zw
}}

// changesCache keeps the last answers of handleChanges: fifty views catching
// up on one edit cost one diff, one render and one compression.
type changesCache struct {
	mu      sync.Mutex
	answers map[changesKey]changesAnswer
	// making are the answers being made, each closed when it is.
	making map[changesKey]*changesCall
	// forgets counts forgetAbove's calls: an answer made across one may
	// name a revision number given again since, and is not kept.
	forgets int
}

type changesCall struct {
	done chan struct{}
	ans  changesAnswer
	err  error
}

const changesCacheSize = 256

// do returns the answer named k, made by render unless it is kept or being
// made. What render made may be of a newer head than k's (a write the hub
// has not heard of yet): it is kept under both.
func (c *changesCache) do(ctx context.Context, k changesKey, render func() (changesAnswer, error)) (changesAnswer, error) {
	c.mu.Lock()
	if a, ok := c.answers[k]; ok {
		c.mu.Unlock()
		return a, nil
	}
	if call := c.making[k]; call != nil {
		c.mu.Unlock()
		select {
		case <-call.done:
			return call.ans, call.err
		case <-ctx.Done():
			return changesAnswer{}, ctx.Err()
		}
	}
	call := &changesCall{done: make(chan struct{})}
	if c.making == nil {
		c.making = map[changesKey]*changesCall{}
	}
	c.making[k] = call
	forgets := c.forgets
	c.mu.Unlock()

	call.err = errors.New("server: the answer was not made")
	defer func() {
		c.mu.Lock()
		if c.making[k] == call {
			delete(c.making, k)
		}
		if call.err == nil && c.forgets == forgets {
			made := k
			made.head = call.ans.head
			c.putLocked(k, call.ans)
			c.putLocked(made, call.ans)
		}
		c.mu.Unlock()
		close(call.done)
	}()
	call.ans, call.err = render()
	return call.ans, call.err
}

// forgetAbove forgets the answers of the stack that name a revision above
// revision.
func (c *changesCache) forgetAbove(stack, revision int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgets++
	for k := range c.answers {
		if k.stack == stack && (k.since > revision || k.head > revision) {
			delete(c.answers, k)
		}
	}
	// A view asking again gets an answer made from now on.
	for k := range c.making {
		if k.stack == stack && (k.since > revision || k.head > revision) {
			delete(c.making, k)
		}
	}
}

func (c *changesCache) putLocked(k changesKey, a changesAnswer) {
	if c.answers == nil || len(c.answers) >= changesCacheSize {
		c.answers = map[changesKey]changesAnswer{}
	}
	c.answers[k] = a
}

// handleResolve keeps the user's value of a conflict (ConflictChoicePanel's
// "keep mine"): the field at path gets value, as an edit of the head.
func (s *Server) handleResolve(w http.ResponseWriter, r *http.Request) {
	path, value := r.FormValue("path"), r.FormValue("value")
	// Where the stack's code runs from is not a field of the canvas.
	if path == "" || strings.HasPrefix(path, "/importedFrom") || !json.Valid([]byte(value)) {
		s.error(w, r, badRequest("That is not a value to keep."))
		return
	}
	st, _, err := s.edit(r, func(st *model.Stack) error {
		return st.SetPath(path, json.RawMessage(value))
	}, store.Describe("keep my "+path))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.changed(w, r, st, triggers{}.message(levelInfo, "Kept your value."))
}
