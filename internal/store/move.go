package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// MoveNode moves one node of the stack on the canvas, as a new revision
// based on baseRevision, and returns the stack after the move. It is
// SaveStack for the commonest edit, without what a move cannot change: a
// position alters no rule the model validates beyond being a number, and
// only one row of the tables. A move to where the node already is changes
// nothing and returns the stack at baseRevision. A move that continues this
// Store's last move of the same node, within moveMergeWindow and with
// nothing saved in between, replaces that move's revision with the next
// one, so a drag leaves one revision, not one per frame.
//
// A move based on an older revision is merged as Edit merges. It returns
// ECONFLICT when that cannot be done, ENOTFOUND
// when the stack or the node does not exist, and EINVALID for a position that
// is not a finite number.
func (s *Store) MoveNode(ctx context.Context, id, baseRevision int64, nodeID string, to model.Position) (*model.Stack, error) {
	st, err := s.moveNode(ctx, id, baseRevision, nodeID, to)
	if errors.Is(err, ErrStale) {
		// A move from a view that has not caught up yet: merged with what
		// changed since, like any other edit (a conflict keeps the
		// position as the proposal).
		st, _, err = s.edit(ctx, id, baseRevision, func(st *model.Stack) error {
			n, ok := st.Node(nodeID)
			if !ok {
				return model.Errorf(model.ENOTFOUND, "No resource %q in stack %q.", nodeID, st.Name)
			}
			n.Position = to
			return nil
		}, editConfig{describe: func() string { return "move " + nodeID }})
	}
	if err != nil {
		return nil, fmt.Errorf("store: move node %q of stack %d: %w", nodeID, id, s.storageError(err))
	}
	return st, nil
}

func (s *Store) moveNode(ctx context.Context, id, base int64, nodeID string, to model.Position) (*model.Stack, error) {
	if math.IsNaN(to.X) || math.IsInf(to.X, 0) || math.IsNaN(to.Y) || math.IsInf(to.Y, 0) {
		return nil, model.Errorf(model.EINVALID, "A position must be a finite number.")
	}
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	// Read under the write lock, so moves are stamped in commit order.
	now := s.now()
	h, current, err := readHeadRow(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if current != base {
		// A move from a view behind the head lands as a move of the head
		// when the node sat where that view saw it; otherwise MoveNode
		// merges it in full (and a conflict names the position).
		was := s.keptRevision(id, base)
		if was == nil {
			return nil, &staleError{model.Errorf(model.ECONFLICT, "stack %q changed since revision %d (now %d); reload and try again", h.name, base, current)}
		}
		if cached := s.cachedStack(id, h.token); cached != nil {
			wn, ok1 := was.Node(nodeID)
			hn, ok2 := cached.Node(nodeID)
			if !ok1 || !ok2 || wn.Position != hn.Position {
				return nil, &staleError{model.Errorf(model.ECONFLICT, "node %q of stack %q moved since revision %d", nodeID, h.name, base)}
			}
		} else {
			return nil, &staleError{model.Errorf(model.ECONFLICT, "stack %q changed since revision %d (now %d); reload and try again", h.name, base, current)}
		}
		base = current
	}
	token := h.token
	var st *model.Stack
	if cached := s.cachedStack(id, token); cached != nil {
		st = cached.Clone()
	} else {
		st = &model.Stack{}
		if err := tx.QueryRowContext(ctx, `SELECT name, description FROM stacks WHERE id = ?`, id).Scan(&st.Name, &st.Description); err != nil {
			return nil, err
		}
		if err := readState(ctx, tx, id, st); err != nil {
			return nil, err
		}
	}
	node, ok := st.Node(nodeID)
	if !ok {
		return nil, model.Errorf(model.ENOTFOUND, "No resource %q in stack %q.", nodeID, st.Name)
	}
	if node.Position == to {
		st.ID, st.Revision = id, base
		return st, nil
	}
	node.Position = to
	doc, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	next := base + 1
	// The revision a merged move replaces is the head, with no redo branch
	// above it; the next one takes its place under a new number, so a tab
	// still at the old number gets a conflict rather than a silent overwrite.
	if h.newest == base && s.mergesWithLastMove(id, token, nodeID, now) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM revisions WHERE stack_id = ? AND revision = ?`, id, base); err != nil {
			return nil, err
		}
	}
	if err := appendRevision(ctx, tx, id, h, next, doc, "move "+node.Name, now); err != nil {
		return nil, err
	}
	moveSQL := `UPDATE nodes SET x = ?, y = ? WHERE stack_id = ? AND id = ?`
	if node.Kind == model.KindOther {
		moveSQL = `UPDATE others SET x = ?, y = ? WHERE stack_id = ? AND id = ?`
	}
	if _, err := tx.ExecContext(ctx, moveSQL, to.X, to.Y, id, nodeID); err != nil {
		return nil, err
	}
	newToken := newToken()
	if _, err := tx.ExecContext(ctx, `UPDATE stacks SET head_revision = ?, state_token = ?, updated_at = ? WHERE id = ?`,
		next, newToken, formatTime(now), id); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		s.remember(id, 0, nil, nil)
		return nil, err
	}
	// A position changes no problem (the model checks only that it is a
	// finite number), so the old state's problems are the new one's.
	problems, checked := s.cachedProblems(id, token)
	// The rows remembered for the old token no longer match one node; a
	// later full save reads the tables instead.
	s.remember(id, newToken, nil, st)
	if checked {
		s.keepProblems(id, st, problems)
	}
	s.markMove(id, newToken, nodeID, now)
	s.keepRevision(id, next, st)
	return storedCopy(st, id, next, now), nil
}
