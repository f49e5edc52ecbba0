package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// StackSummary is what a list of stacks shows.
type StackSummary struct {
	ID          int64
	Name        string
	Description string
	// Revision is the current (head) revision.
	Revision int64
	// Resources counts the stack's nodes: APIs, functions and tables.
	Resources int
	UpdatedAt time.Time
}

// RevisionInfo describes one revision of a stack.
type RevisionInfo struct {
	Revision  int64
	CreatedAt time.Time
	// Head marks the current revision; the ones above it are what Redo
	// brings back.
	Head bool
}

// CreateStack stores a new stack as its revision 1 and returns a copy with
// ID, Revision and UpdatedAt set. It returns EINVALID if st fails
// ValidateDraft or a database rule, and ECONFLICT if the name is taken.
func (s *Store) CreateStack(ctx context.Context, st *model.Stack) (*model.Stack, error) {
	out, err := s.createStack(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("store: create stack %q: %w", st.Name, s.storageError(err))
	}
	return out, nil
}

func (s *Store) createStack(ctx context.Context, st *model.Stack) (*model.Stack, error) {
	enc, err := validateAndEncode(st)
	if err != nil {
		return nil, err
	}
	now := s.now()
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	var id int64
	token := newToken()
	err = tx.QueryRowContext(ctx, `INSERT INTO stacks (name, description, head_revision, state_token, created_at, updated_at)
		VALUES (?, ?, 1, ?, ?, ?) RETURNING id`, st.Name, st.Description, token, formatTime(now), formatTime(now)).Scan(&id)
	if err != nil {
		return nil, constraintError(err, st.Name)
	}
	if err := insertRevision(ctx, tx, id, 1, enc.doc, "create "+st.Name, now); err != nil {
		return nil, constraintError(err, st.Name)
	}
	// Token 0 is never current, so this reads the (empty) tables.
	if err := s.writeState(ctx, tx, id, 0, enc.rows); err != nil {
		return nil, constraintError(err, st.Name)
	}
	if err := tx.Commit(); err != nil {
		return nil, constraintError(err, st.Name)
	}
	kept := st.Clone()
	s.remember(id, token, enc.rows, kept)
	s.keepProblems(id, kept, enc.problems)
	return storedCopy(st, id, 1, now), nil
}

// newToken returns a new state token: random, so no two states of any stack,
// even one deleted and created again with the same ID, share one.
func newToken() int64 {
	for {
		if t := rand.Int64(); t != 0 {
			return t
		}
	}
}

// storedCopy returns a copy of st, which the caller owns, with the store's
// fields set.
func storedCopy(st *model.Stack, id, revision int64, at time.Time) *model.Stack {
	c := st.Clone()
	c.ID, c.Revision, c.UpdatedAt = id, revision, at
	return c
}

// stored returns the stack doc holds with the store's fields set.
func stored(doc []byte, id, revision int64, at time.Time) (*model.Stack, error) {
	var st model.Stack
	if err := json.Unmarshal(doc, &st); err != nil {
		return nil, err
	}
	st.ID, st.Revision, st.UpdatedAt = id, revision, at
	return &st, nil
}

// appendRevision makes doc the stack's revision after the head, dropping
// the redo branch an undo may have left from there on: an edit after an
// undo starts a new history. The DELETE runs only when there is such a
// branch; even deleting nothing cost a large stack's save a tenth of its time.
//
// It also applies the retention rule (pruneRevisions).
func appendRevision(ctx context.Context, tx *sql.Tx, id int64, h head, revision int64, doc []byte, summary string, at time.Time) error {
	if h.newest >= revision {
		if _, err := tx.ExecContext(ctx, `DELETE FROM revisions WHERE stack_id = ? AND revision >= ?`, id, revision); err != nil {
			return err
		}
	}
	if err := insertRevision(ctx, tx, id, revision, doc, summary, at); err != nil {
		return err
	}
	return pruneRevisions(ctx, tx, id, revision, at)
}

// insertRevision writes a revision and, when there is one, the summary of
// what it did.
func insertRevision(ctx context.Context, tx *sql.Tx, id, revision int64, doc []byte, summary string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO revisions (stack_id, revision, document, created_at) VALUES (?, ?, ?, ?)`,
		id, revision, string(doc), formatTime(at)); err != nil {
		return err
	}
	if summary = shortSummary(summary); summary == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO revision_summaries (stack_id, revision, summary) VALUES (?, ?, ?)`, id, revision, summary)
	return err
}

// HeadRevision returns the stack's head revision: one indexed read, cheap
// enough to poll for changes any process made. It returns ENOTFOUND if
// there is no such stack.
func (s *Store) HeadRevision(ctx context.Context, id int64) (int64, error) {
	var rev int64
	err := s.db.QueryRowContext(ctx, `SELECT head_revision FROM stacks WHERE id = ?`, id).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		err = model.Errorf(model.ENOTFOUND, "no stack with ID %d", id)
	}
	if err != nil {
		return 0, fmt.Errorf("store: stack %d: %w", id, s.storageError(err))
	}
	return rev, nil
}

// Stack returns the current state of the stack with the ID, with Revision
// set to its head revision. It returns ENOTFOUND if there is none.
func (s *Store) Stack(ctx context.Context, id int64) (*model.Stack, error) {
	st, err := s.readStack(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: stack %d: %w", id, s.storageError(err))
	}
	return st, nil
}

// StackByName returns the current state of the stack with the name. It
// returns ENOTFOUND if there is none.
func (s *Store) StackByName(ctx context.Context, name string) (*model.Stack, error) {
	st, err := s.readStack(ctx, `WHERE name = ?`, name)
	if err != nil {
		return nil, fmt.Errorf("store: stack %q: %w", name, s.storageError(err))
	}
	return st, nil
}

func (s *Store) readStack(ctx context.Context, where string, arg any) (*model.Stack, error) {
	st, _, err := s.readHead(ctx, where, arg)
	return st, err
}

// readHead reads the stack's current state and its state token.
func (s *Store) readHead(ctx context.Context, where string, arg any) (*model.Stack, int64, error) {
	// One read transaction, so every query sees the same revision.
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	st := &model.Stack{}
	var updated string
	var token int64
	err = tx.QueryRowContext(ctx, `SELECT id, name, description, head_revision, updated_at, state_token FROM stacks `+where, arg).
		Scan(&st.ID, &st.Name, &st.Description, &st.Revision, &updated, &token)
	if errors.Is(err, sql.ErrNoRows) {
		if name, ok := arg.(string); ok {
			return nil, 0, model.Errorf(model.ENOTFOUND, "no stack named %q", name)
		}
		return nil, 0, model.Errorf(model.ENOTFOUND, "no stack with ID %v", arg)
	}
	if err != nil {
		return nil, 0, err
	}
	if st.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, 0, err
	}
	// Every change sets a new state token, so a state this Store saw under
	// the same token is what the tables hold: copy it rather than read
	// thousands of rows.
	if cached := s.cachedStack(st.ID, token); cached != nil {
		return storedCopy(cached, st.ID, st.Revision, st.UpdatedAt), token, nil
	}
	if err := readState(ctx, tx, st.ID, st); err != nil {
		return nil, 0, err
	}
	s.remember(st.ID, token, nil, st.Clone())
	return st, token, nil
}

// Stacks lists every stack, ordered by name, ignoring case.
func (s *Store) Stacks(ctx context.Context) ([]StackSummary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.name, s.description, s.head_revision, s.updated_at,
			(SELECT count(*) FROM nodes n WHERE n.stack_id = s.id)
		FROM stacks s ORDER BY s.name COLLATE NOCASE, s.name`)
	if err != nil {
		return nil, fmt.Errorf("store: list stacks: %w", s.storageError(err))
	}
	defer rows.Close()
	var out []StackSummary
	for rows.Next() {
		var sum StackSummary
		var updated string
		if err := rows.Scan(&sum.ID, &sum.Name, &sum.Description, &sum.Revision, &updated, &sum.Resources); err != nil {
			return nil, fmt.Errorf("store: list stacks: %w", s.storageError(err))
		}
		if sum.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, fmt.Errorf("store: list stacks: %w", s.storageError(err))
		}
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list stacks: %w", s.storageError(err))
	}
	return out, nil
}

// SaveStack stores st as the next revision of the stack st.ID. st.Revision
// is the revision the edit started from: if the stack has moved on since, it
// returns ECONFLICT and changes nothing, so no edit silently overwrites
// another. After an Undo, saving drops the revisions Redo would have brought
// back. It returns the saved copy with its new Revision and UpdatedAt;
// EINVALID if st fails ValidateDraft or a database rule; ECONFLICT also if
// st renames the stack to a name already taken; ENOTFOUND if there is no
// such stack.
func (s *Store) SaveStack(ctx context.Context, st *model.Stack) (*model.Stack, error) {
	out, err := s.saveStack(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("store: save stack %q: %w", st.Name, s.storageError(err))
	}
	return out, nil
}

func (s *Store) saveStack(ctx context.Context, st *model.Stack) (*model.Stack, error) {
	enc, err := validateAndEncode(st)
	if err != nil {
		return nil, err
	}
	return s.saveEncoded(ctx, st, enc)
}

// encoded is a stack as the store writes it: its revision document and the
// rows of the normalized tables.
type encoded struct {
	doc  []byte
	rows []rowSet
	// problems are the stack's Check, which its validation used.
	problems []model.Problem
}

func encode(st *model.Stack) (encoded, error) {
	doc, err := json.Marshal(st)
	if err != nil {
		return encoded{}, err
	}
	rows, err := stackRows(st)
	if err != nil {
		return encoded{}, err
	}
	return encoded{doc: doc, rows: rows}, nil
}

// validateAndEncode checks st, as ValidateDraft does, and encodes st side by side: both
// only read st, and on two cores a large stack's save then waits for the
// longer of the two rather than for both. The encoding happens outside the
// write lock, so writers also hold it for less time.
func validateAndEncode(st *model.Stack) (encoded, error) {
	var enc encoded
	var encErr error
	encodedDone := make(chan struct{})
	go func() {
		defer close(encodedDone)
		enc, encErr = encode(st)
	}()
	problems := st.Check()
	<-encodedDone
	if err := model.ErrorOf(problems, true); err != nil {
		return encoded{}, err
	}
	enc.problems = problems
	return enc, encErr
}

// saveEncoded is SaveStack after validation.
func (s *Store) saveEncoded(ctx context.Context, st *model.Stack, enc encoded) (*model.Stack, error) {
	// A save copies st twice, for the Store to remember and for the caller
	// to own. Both copies only read st, so they are made while the SQL runs:
	// for a large stack they took a sixth of the save.
	copies := make(chan [2]*model.Stack, 1)
	go func() { copies <- [2]*model.Stack{st.Clone(), st.Clone()} }()
	var made [2]*model.Stack
	waitCopies := sync.OnceFunc(func() { made = <-copies })
	defer waitCopies()
	now := s.now()
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	h, err := checkHead(ctx, tx, st.ID, st.Revision)
	if err != nil {
		return nil, err
	}
	next := st.Revision + 1
	if err := appendRevision(ctx, tx, st.ID, h, next, enc.doc, "save "+st.Name, now); err != nil {
		return nil, constraintError(err, st.Name)
	}
	commit, err := s.moveHead(ctx, tx, st.ID, next, h.token, st, enc.rows, now,
		func() *model.Stack { waitCopies(); return made[0] })
	if err != nil {
		return nil, constraintError(err, st.Name)
	}
	if err := commit(); err != nil {
		return nil, constraintError(err, st.Name)
	}
	waitCopies()
	s.keepProblems(st.ID, made[0], enc.problems)
	out := made[1]
	out.ID, out.Revision, out.UpdatedAt = st.ID, next, now
	return out, nil
}

// head is what checkHead reads of a stack inside a write transaction.
type head struct {
	name  string
	token int64 // the state token
	// newest is the newest revision: after an undo, newer than the head.
	newest int64
	// updatedAt is when the head last moved.
	updatedAt time.Time
}

// checkHead returns the stack's head if its head revision is base, and an
// error otherwise. Called inside a write transaction, whose lock keeps the
// answer true until commit.
func checkHead(ctx context.Context, tx *sql.Tx, id, base int64) (head, error) {
	h, current, err := readHeadRow(ctx, tx, id)
	if err != nil {
		return head{}, err
	}
	if current != base {
		return head{}, &staleError{model.Errorf(model.ECONFLICT, "stack %q changed since revision %d (now %d); reload and try again", h.name, base, current)}
	}
	return h, nil
}

// readHeadRow returns the stack's head and its head revision.
func readHeadRow(ctx context.Context, tx *sql.Tx, id int64) (head, int64, error) {
	var h head
	var current int64
	var updated string
	err := tx.QueryRowContext(ctx, `SELECT name, head_revision, state_token, updated_at,
		(SELECT revision FROM revisions WHERE stack_id = stacks.id ORDER BY revision DESC LIMIT 1)
		FROM stacks WHERE id = ?`, id).
		Scan(&h.name, &current, &h.token, &updated, &h.newest)
	if errors.Is(err, sql.ErrNoRows) {
		return head{}, 0, model.Errorf(model.ENOTFOUND, "no stack with ID %d", id)
	}
	if err != nil {
		return head{}, 0, err
	}
	if h.updatedAt, err = parseTime(updated); err != nil {
		return head{}, 0, err
	}
	return h, current, nil
}

// ErrStale is in the chain of the ECONFLICT an edit based on a revision
// that is no longer the head gets, telling it apart from the ECONFLICT of a
// taken name.
var ErrStale = errors.New("store: stale revision")

type staleError struct{ user *model.Error }

func (e *staleError) Error() string   { return e.user.Message }
func (e *staleError) Unwrap() []error { return []error{e.user, ErrStale} }

// moveHead makes st, whose document is revision and whose rows are rows,
// the stack's current state. token is the state token checkHead read. It
// returns the function that commits tx and then remembers the rows written
// and the copy of st that keep returns.
func (s *Store) moveHead(ctx context.Context, tx *sql.Tx, id, revision, token int64, st *model.Stack, rows []rowSet, now time.Time,
	keep func() *model.Stack) (commit func() error, err error) {
	next := newToken()
	if _, err := tx.ExecContext(ctx, `UPDATE stacks SET name = ?, description = ?, head_revision = ?, state_token = ?, updated_at = ? WHERE id = ?`,
		st.Name, st.Description, revision, next, formatTime(now), id); err != nil {
		return nil, err
	}
	if err := s.writeState(ctx, tx, id, token, rows); err != nil {
		return nil, err
	}
	return func() error {
		if err := tx.Commit(); err != nil {
			// Commit may fail after the change reached the file; what the
			// tables hold is unknown, so read them next time.
			s.remember(id, 0, nil, nil)
			return err
		}
		s.remember(id, next, rows, keep())
		return nil
	}, nil
}

// DeleteStack deletes the stack with the ID, all its revisions and its Git
// link with the link's token file, whoever calls it. It returns ENOTFOUND
// if there is none.
func (s *Store) DeleteStack(ctx context.Context, id int64) error {
	s.remember(id, 0, nil, nil)
	var ref string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if ref, err = tokenRef(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM stacks WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return model.Errorf(model.ENOTFOUND, "no stack with ID %d", id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete stack %d: %w", id, s.storageError(err))
	}
	s.removeSecret(ref)
	return nil
}

// Revisions lists the revisions of the stack, newest first. It returns
// ENOTFOUND if there is no such stack.
func (s *Store) Revisions(ctx context.Context, id int64) ([]RevisionInfo, error) {
	out, err := s.revisions(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("store: revisions of stack %d: %w", id, s.storageError(err))
	}
	return out, nil
}

func (s *Store) revisions(ctx context.Context, id int64) ([]RevisionInfo, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var head int64
	err = tx.QueryRowContext(ctx, `SELECT head_revision FROM stacks WHERE id = ?`, id).Scan(&head)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ENOTFOUND, "no stack with ID %d", id)
	}
	if err != nil {
		return nil, err
	}
	var out []RevisionInfo
	err = each(ctx, tx, `SELECT revision, created_at FROM revisions WHERE stack_id = ? ORDER BY revision DESC`, []any{id}, func(rows *sql.Rows) error {
		var r RevisionInfo
		var created string
		if err := rows.Scan(&r.Revision, &created); err != nil {
			return err
		}
		var err error
		if r.CreatedAt, err = parseTime(created); err != nil {
			return err
		}
		r.Head = r.Revision == head
		out = append(out, r)
		return nil
	})
	return out, err
}

// StackAtRevision returns the stack as it was at a revision, with Revision
// and UpdatedAt set to that revision's. It returns ENOTFOUND if there is no
// such stack or revision.
func (s *Store) StackAtRevision(ctx context.Context, id, revision int64) (*model.Stack, error) {
	var doc, created string
	err := s.db.QueryRowContext(ctx, `SELECT document, created_at FROM revisions WHERE stack_id = ? AND revision = ?`, id, revision).Scan(&doc, &created)
	if errors.Is(err, sql.ErrNoRows) {
		err = model.Errorf(model.ENOTFOUND, "stack %d has no revision %d", id, revision)
	}
	if err != nil {
		return nil, fmt.Errorf("store: stack %d at revision %d: %w", id, revision, s.storageError(err))
	}
	at, err := parseTime(created)
	if err != nil {
		return nil, fmt.Errorf("store: stack %d at revision %d: %w", id, revision, s.storageError(err))
	}
	st, err := stored([]byte(doc), id, revision, at)
	if err != nil {
		return nil, fmt.Errorf("store: stack %d at revision %d: %w", id, revision, s.storageError(err))
	}
	return st, nil
}

// Undo makes the revision before the head current again and returns the
// stack as it is now. baseRevision must be the head, as in SaveStack, or it
// returns ECONFLICT. At the oldest revision kept it returns EINVALID.
func (s *Store) Undo(ctx context.Context, id, baseRevision int64) (*model.Stack, error) {
	st, err := s.step(ctx, id, baseRevision, -1)
	if err != nil {
		return nil, fmt.Errorf("store: undo stack %d: %w", id, s.storageError(err))
	}
	return st, nil
}

// Redo makes the revision after the head current again, one an Undo left,
// and returns the stack as it is now. baseRevision must be the head, or it
// returns ECONFLICT. With nothing undone it returns EINVALID.
func (s *Store) Redo(ctx context.Context, id, baseRevision int64) (*model.Stack, error) {
	st, err := s.step(ctx, id, baseRevision, +1)
	if err != nil {
		return nil, fmt.Errorf("store: redo stack %d: %w", id, s.storageError(err))
	}
	return st, nil
}

// step moves the head to the revision before (delta -1) or after (+1) it,
// restoring that revision's document into the normalized tables. Revisions
// are not renumbered, so history stays as it was; merged moves and the
// retention rule leave gaps in the numbers, which step passes over.
func (s *Store) step(ctx context.Context, id, base, delta int64) (*model.Stack, error) {
	now := s.now()
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	h, err := checkHead(ctx, tx, id, base)
	if err != nil {
		return nil, err
	}
	name, token := h.name, h.token
	var target int64
	var doc string
	query := `SELECT revision, document FROM revisions WHERE stack_id = ? AND revision < ? ORDER BY revision DESC LIMIT 1`
	if delta > 0 {
		query = `SELECT revision, document FROM revisions WHERE stack_id = ? AND revision > ? ORDER BY revision LIMIT 1`
	}
	err = tx.QueryRowContext(ctx, query, id, base).Scan(&target, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		what := "undo"
		if delta > 0 {
			what = "redo"
		}
		return nil, model.Errorf(model.EINVALID, "stack %q: nothing to %s", name, what)
	}
	if err != nil {
		return nil, err
	}
	st, err := stored([]byte(doc), id, target, now)
	if err != nil {
		return nil, err
	}
	// The document passed ValidateDraft when it was saved; it is not checked
	// again, so that undo works even after the model grows stricter.
	rows, err := stackRows(st)
	if err != nil {
		return nil, err
	}
	commit, err := s.moveHead(ctx, tx, id, target, token, st, rows, now, st.Clone)
	if err != nil {
		// The revision may carry an older name that another stack has
		// taken since; the error names it.
		return nil, constraintError(err, st.Name)
	}
	if err := commit(); err != nil {
		return nil, err
	}
	return st, nil
}
