package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SetWorkingFolder records dir, an absolute path, as the folder the stack
// was last exported to (export --dir).
func (s *Store) SetWorkingFolder(ctx context.Context, stackID int64, dir string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO working_folders (stack_id, dir) VALUES (?, ?) ON CONFLICT (stack_id) DO UPDATE SET dir = excluded.dir`, stackID, dir)
	if err != nil {
		return fmt.Errorf("store: working folder of stack %d: %w", stackID, s.storageError(err))
	}
	return nil
}

// WorkingFolder is the folder SetWorkingFolder recorded, or "" when none.
func (s *Store) WorkingFolder(ctx context.Context, stackID int64) (string, error) {
	var dir string
	err := s.db.QueryRowContext(ctx, `SELECT dir FROM working_folders WHERE stack_id = ?`, stackID).Scan(&dir)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: working folder of stack %d: %w", stackID, s.storageError(err))
	}
	return dir, nil
}
