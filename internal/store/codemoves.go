package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// CodeMove is a function's code folder to move in the stack's next commit,
// from one path to another relative to the stack's folder.
type CodeMove struct{ From, To string }

// AddCodeMove records a move for the next commit of the stack. A move to the
// same place replaces the one recorded; a move back to where an earlier one
// started cancels it. It returns ENOTFOUND when the stack has no link.
func (s *Store) AddCodeMove(ctx context.Context, stackID int64, m CodeMove) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// A chain (a → b, then b → c) is one move, a → c.
		var first string
		err := tx.QueryRowContext(ctx, `DELETE FROM code_moves WHERE stack_id = ? AND to_path = ? RETURNING from_path`, stackID, m.From).Scan(&first)
		switch {
		case err == nil:
			m.From = first
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if m.From == m.To {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO code_moves (stack_id, from_path, to_path) VALUES (?, ?, ?)
			ON CONFLICT (stack_id, to_path) DO UPDATE SET from_path = excluded.from_path`, stackID, m.From, m.To)
		return err
	})
	if err != nil {
		if isForeignKey(err) {
			return fmt.Errorf("store: code move: %w", model.Errorf(model.ENOTFOUND, "stack %d is not linked to a Git repository", stackID))
		}
		return fmt.Errorf("store: code move of stack %d: %w", stackID, s.storageError(err))
	}
	return nil
}

// CodeMoves lists the moves recorded for the stack's next commit.
func (s *Store) CodeMoves(ctx context.Context, stackID int64) ([]CodeMove, error) {
	var out []CodeMove
	rows, err := s.db.QueryContext(ctx, `SELECT from_path, to_path FROM code_moves WHERE stack_id = ? ORDER BY to_path`, stackID)
	if err == nil {
		defer rows.Close()
		for rows.Next() {
			var m CodeMove
			if err = rows.Scan(&m.From, &m.To); err != nil {
				break
			}
			out = append(out, m)
		}
		if err == nil {
			err = rows.Err()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: code moves of stack %d: %w", stackID, s.storageError(err))
	}
	return out, nil
}

// DoneCodeMoves forgets moves a commit made.
func (s *Store) DoneCodeMoves(ctx context.Context, stackID int64, done []CodeMove) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, m := range done {
			if _, err := tx.ExecContext(ctx, `DELETE FROM code_moves WHERE stack_id = ? AND to_path = ? AND from_path = ?`, stackID, m.To, m.From); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: code moves of stack %d: %w", stackID, s.storageError(err))
	}
	return nil
}
