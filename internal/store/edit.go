package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Edit changes the stack with the ID by fn and saves the result as its next
// revision, in one write transaction: the stack is read, checked to be at
// baseRevision, changed, checked by the model and written while no other
// writer can come between. It is the one path for every edit of a stack,
// whoever makes it (the canvas, the stacks page, the command line).
//
// fn gets the stack's current state to change, and returns an error to
// refuse the edit; it runs under the write lock, so it must not block. The
// stack it gets is the caller's to keep, and on success Edit returns that
// same stack with its new Revision and UpdatedAt, and its problems (Check),
// which the caller must not change. An edit that changes nothing adds no
// revision: undo would have a step that does nothing.
//
// An edit based on an older revision than the head is made on that
// revision and merged with what was saved since (model.Merge): it lands
// when it changes other fields than those saved since, and returns a
// *model.MergeConflictError (ECONFLICT) naming each field both changed.
// When that older revision is no longer kept (the history was thinned, or a
// drag merged it away), it returns ECONFLICT (ErrStale).
//
// It returns ECONFLICT when the edit renames the stack to a taken name, ENOTFOUND when there is no such stack,
// EINVALID (a *model.ValidationError) when the result fails ValidateDraft,
// and fn's error as it is.
//
// opts describe the edit (Describe), for the history Undo and Redo name.
func (s *Store) Edit(ctx context.Context, id, baseRevision int64, fn func(*model.Stack) error, opts ...EditOption) (*model.Stack, []model.Problem, error) {
	var c editConfig
	for _, o := range opts {
		o(&c)
	}
	st, problems, err := s.edit(ctx, id, baseRevision, fn, c)
	if err != nil {
		return nil, nil, fmt.Errorf("store: edit stack %d: %w", id, s.storageError(err))
	}
	return st, problems, nil
}

func (s *Store) edit(ctx context.Context, id, base int64, fn func(*model.Stack) error, c editConfig) (*model.Stack, []model.Problem, error) {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer done()
	now := s.now()
	h, current, err := readHeadRow(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.stateIn(ctx, tx, id, h.token)
	if err != nil {
		return nil, nil, err
	}
	st.ID, st.Revision, st.UpdatedAt = id, current, h.updatedAt
	before, err := json.Marshal(st)
	if err != nil {
		return nil, nil, err
	}
	if current == base {
		if err := fn(st); err != nil {
			return nil, nil, err
		}
	} else {
		// An edit made on an older revision: made on that revision, then
		// merged with what was saved since (model.Merge).
		if st, err = mergeStale(ctx, tx, st, base, s.keptRevision(id, base), fn); err != nil {
			return nil, nil, err
		}
		base = current
	}
	// The ID and revision are the store's, whatever fn did to them.
	st.ID, st.Revision = id, base
	after, err := json.Marshal(st)
	if err != nil {
		return nil, nil, err
	}
	if bytes.Equal(before, after) {
		st.UpdatedAt = h.updatedAt
		problems, ok := s.cachedProblems(id, h.token)
		if !ok {
			problems = st.Check()
		}
		return st, problems, nil
	}
	if err := st.CheckShape(); err != nil {
		return nil, nil, err
	}
	enc, err := validateAndEncode(st)
	if err != nil {
		return nil, nil, err
	}
	next := base + 1
	if err := appendRevision(ctx, tx, id, h, next, enc.doc, c.summary(), now); err != nil {
		return nil, nil, constraintError(err, st.Name)
	}
	// The Store keeps a copy of its own; st stays the caller's.
	kept := st.Clone()
	commit, err := s.moveHead(ctx, tx, id, next, h.token, st, enc.rows, now, func() *model.Stack { return kept })
	if err != nil {
		return nil, nil, constraintError(err, st.Name)
	}
	if err := commit(); err != nil {
		return nil, nil, constraintError(err, st.Name)
	}
	s.keepProblems(id, kept, enc.problems)
	s.keepRevision(id, next, kept)
	st.Revision, st.UpdatedAt = next, now
	return st, enc.problems, nil
}

// EditOption tells Edit more about an edit.
type EditOption func(*editConfig)

type editConfig struct{ describe func() string }

func (c editConfig) summary() string {
	if c.describe == nil {
		return ""
	}
	return c.describe()
}

// Describe says in a few words what an edit does ("rename ConnectionHandler
// to Connector"), which Undo and Redo then name (Steps).
func Describe(what string) EditOption {
	return func(c *editConfig) { c.describe = func() string { return what } }
}

// DescribeAfter is Describe for words known only once the edit has run,
// such as the name a new node was given: Edit calls what after fn.
func DescribeAfter(what func() string) EditOption {
	return func(c *editConfig) { c.describe = what }
}

// mergeStale applies fn to the stack as it was at revision base and merges
// the result with theirs, the head state; it returns the merged stack.
func mergeStale(ctx context.Context, tx *sql.Tx, theirs *model.Stack, base int64, kept *model.Stack, fn func(*model.Stack) error) (*model.Stack, error) {
	was := kept
	if was == nil {
		var err error
		if was, err = readRevision(ctx, tx, theirs, base); err != nil {
			return nil, err
		}
	}
	mine := was.Clone()
	if err := fn(mine); err != nil {
		return nil, err
	}
	merged, conflicts, err := model.Merge(was, theirs, mine)
	if err != nil {
		return nil, err
	}
	if len(conflicts) > 0 {
		return nil, &model.MergeConflictError{Revision: theirs.Revision, Conflicts: conflicts}
	}
	return merged, nil
}

// readRevision reads the stack theirs at an older revision, or returns
// ErrStale when it is no longer kept.
func readRevision(ctx context.Context, tx *sql.Tx, theirs *model.Stack, base int64) (*model.Stack, error) {
	var doc, created string
	err := tx.QueryRowContext(ctx, `SELECT document, created_at FROM revisions WHERE stack_id = ? AND revision = ?`, theirs.ID, base).Scan(&doc, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &staleError{model.Errorf(model.ECONFLICT, "stack %q changed since revision %d (now %d), which is no longer kept; reload and try again", theirs.Name, base, theirs.Revision)}
	}
	if err != nil {
		return nil, err
	}
	at, err := parseTime(created)
	if err != nil {
		return nil, err
	}
	return stored([]byte(doc), theirs.ID, base, at)
}

// stateIn returns a copy of the stack's current state, whose state token is
// token: the one this Store remembers, or else read from the tables in tx.
func (s *Store) stateIn(ctx context.Context, tx *sql.Tx, id, token int64) (*model.Stack, error) {
	if cached := s.cachedStack(id, token); cached != nil {
		return cached.Clone(), nil
	}
	st := &model.Stack{}
	if err := tx.QueryRowContext(ctx, `SELECT name, description FROM stacks WHERE id = ?`, id).Scan(&st.Name, &st.Description); err != nil {
		return nil, err
	}
	if err := readState(ctx, tx, id, st); err != nil {
		return nil, err
	}
	return st, nil
}

// Problems returns the current state of the stack with the ID and its
// problems (Check). A state is checked once, by the save that wrote it or by
// the first call here, and its problems reused until the next change; the
// caller must not change them. It returns ENOTFOUND if there is no stack.
func (s *Store) Problems(ctx context.Context, id int64) (*model.Stack, []model.Problem, error) {
	st, token, err := s.readHead(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("store: stack %d: %w", id, s.storageError(err))
	}
	if problems, ok := s.cachedProblems(id, token); ok {
		return st, problems, nil
	}
	problems := st.Check()
	s.keepProblemsOf(id, token, problems)
	return st, problems, nil
}
