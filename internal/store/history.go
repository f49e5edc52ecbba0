package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// History is bounded by two rules (docs/history.md):
//
//   - Consecutive moves of the same node less than moveMergeWindow apart are
//     one revision: a drag sends a move every few frames, and each used to be
//     a revision of the whole stack.
//   - Revisions older than keepEveryRevisionFor are thinned to the last one of
//     each UTC day, once every pruneEvery revisions of a stack. The head and
//     the redo branch are never older than the newest revision, so undo and
//     redo keep working; they step over the gaps (see step).
const (
	moveMergeWindow      = 2 * time.Second
	keepEveryRevisionFor = 30 * 24 * time.Hour
	pruneEvery           = 64
)

// moveMark is what a Store remembers of the last move it saved for a stack:
// the state token it produced, which proves nothing changed the stack since,
// the node moved and when.
type moveMark struct {
	token int64
	node  string
	at    time.Time
}

// mergesWithLastMove reports whether a move of node at now, from the state
// token, continues the stack's last move: the same node, nothing else saved
// in between (the token) and within moveMergeWindow of it.
func (s *Store) mergesWithLastMove(id, token int64, node string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.moves[id]
	return ok && m.token == token && m.node == node && now.Sub(m.at) < moveMergeWindow && now.Sub(m.at) >= 0
}

// markMove records the move that produced token.
func (s *Store) markMove(id, token int64, node string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.moves[id]; !ok && len(s.moves) >= maxCachedStates {
		for k := range s.moves {
			delete(s.moves, k) // any one: losing a mark costs one revision
			break
		}
	}
	s.moves[id] = moveMark{token: token, node: node, at: at}
}

// pruneRevisions thins the stack's revisions older than keepEveryRevisionFor
// before now to the last of each UTC day, keeping head. It runs for every
// pruneEvery-th revision, which bounds its cost and the history alike.
func pruneRevisions(ctx context.Context, tx *sql.Tx, id, head int64, now time.Time) error {
	if head%pruneEvery != 0 {
		return nil
	}
	cutoff := formatTime(now.Add(-keepEveryRevisionFor))
	// created_at is RFC 3339 in UTC, so its first ten characters are the day.
	_, err := tx.ExecContext(ctx, `DELETE FROM revisions
		WHERE stack_id = ?1 AND created_at < ?2 AND revision < ?3
			AND revision NOT IN (SELECT max(revision) FROM revisions
				WHERE stack_id = ?1 AND created_at < ?2 GROUP BY substr(created_at, 1, 10))`,
		id, cutoff, head)
	return err
}

// maxSummary bounds a revision's summary: it is a button's label.
const maxSummary = 200

// shortSummary is a summary as it is kept: one line, at most maxSummary
// bytes, cut at a character boundary.
func shortSummary(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxSummary {
		return s
	}
	cut := maxSummary - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Steps is what Undo and Redo would do on a stack now: whether each can,
// and the summary of the revision each would take back or bring back (""
// for a revision saved without one).
type Steps struct {
	CanUndo, CanRedo bool
	Undo, Redo       string
	// Revision is the head they step from.
	Revision int64
}

// Steps returns what Undo and Redo would do on the stack with the ID now. It
// returns ENOTFOUND if there is no such stack.
func (s *Store) Steps(ctx context.Context, id int64) (Steps, error) {
	st, err := s.steps(ctx, id)
	if err != nil {
		return Steps{}, fmt.Errorf("store: undo steps of stack %d: %w", id, s.storageError(err))
	}
	return st, nil
}

func (s *Store) steps(ctx context.Context, id int64) (Steps, error) {
	var out Steps
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return out, err
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, `SELECT head_revision FROM stacks WHERE id = ?`, id).Scan(&out.Revision)
	if errors.Is(err, sql.ErrNoRows) {
		return out, model.Errorf(model.ENOTFOUND, "no stack with ID %d", id)
	}
	if err != nil {
		return out, err
	}
	// Undo takes back the head's change, to the revision before it; redo
	// brings back the next revision's.
	err = tx.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM revisions WHERE stack_id = ?1 AND revision < ?2),
		coalesce((SELECT summary FROM revision_summaries WHERE stack_id = ?1 AND revision = ?2), ''),
		EXISTS (SELECT 1 FROM revisions WHERE stack_id = ?1 AND revision > ?2),
		coalesce((SELECT summary FROM revision_summaries WHERE stack_id = ?1 AND revision =
			(SELECT min(revision) FROM revisions WHERE stack_id = ?1 AND revision > ?2)), '')`,
		id, out.Revision).Scan(&out.CanUndo, &out.Undo, &out.CanRedo, &out.Redo)
	return out, err
}

// revisionsKept is how many recent revisions per stack keepRevision keeps.
const revisionsKept = 64

// keepRevision remembers st, which nobody changes any more, as the stack's
// revision, and forgets the revisions above it: they were a redo branch
// that this one replaces.
func (s *Store) keepRevision(id, revision int64, st *model.Stack) {
	s.mu.Lock()
	defer s.mu.Unlock()
	revs := s.recent[id]
	if revs == nil {
		if len(s.recent) >= maxCachedStates {
			clear(s.recent)
		}
		revs = map[int64]*model.Stack{}
		s.recent[id] = revs
	}
	for r := range revs {
		if r >= revision || r <= revision-revisionsKept {
			delete(revs, r)
		}
	}
	revs[revision] = st
}

// keptRevision returns the stack at a revision this Store wrote recently,
// or nil; the caller must not change it.
func (s *Store) keptRevision(id, revision int64) *model.Stack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recent[id][revision]
}
