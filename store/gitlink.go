package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/switchboard-dev/switchboard/model"
)

// GitLink is where a stack is committed: the stored half of a gitlink.Link.
// It holds no secret: TokenRef names the file the token is kept in (see
// migrations/0004_git_links.sql).
type GitLink struct {
	StackID      int64
	Repo         string
	Branch       string
	Folder       string
	AuthorName   string
	AuthorEmail  string
	Username     string
	SSHKeyFile   string
	TokenRef     string
	CreateBranch bool
	UpdatedAt    time.Time
}

// GitLink returns the stack's link. It returns ENOTFOUND if the stack has
// none.
func (s *Store) GitLink(ctx context.Context, stackID int64) (*GitLink, error) {
	l := GitLink{StackID: stackID}
	var updated string
	err := s.db.QueryRowContext(ctx, `SELECT repo, branch, folder, author_name, author_email, username,
		ssh_key_file, token_ref, create_branch, updated_at FROM git_links WHERE stack_id = ?`, stackID).
		Scan(&l.Repo, &l.Branch, &l.Folder, &l.AuthorName, &l.AuthorEmail, &l.Username,
			&l.SSHKeyFile, &l.TokenRef, &l.CreateBranch, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ENOTFOUND, "stack %d is not linked to a Git repository", stackID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: git link of stack %d: %w", stackID, s.storageError(err))
	}
	if l.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, fmt.Errorf("store: git link of stack %d: %w", stackID, s.storageError(err))
	}
	return &l, nil
}

// SaveGitLink creates or replaces the stack's link. It returns ENOTFOUND if
// there is no such stack and EINVALID if a field breaks a database rule.
func (s *Store) SaveGitLink(ctx context.Context, l *GitLink) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO git_links (stack_id, repo, branch, folder, author_name,
		author_email, username, ssh_key_file, token_ref, create_branch, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (stack_id) DO UPDATE SET repo = excluded.repo, branch = excluded.branch,
			folder = excluded.folder, author_name = excluded.author_name, author_email = excluded.author_email,
			username = excluded.username, ssh_key_file = excluded.ssh_key_file, token_ref = excluded.token_ref,
			create_branch = excluded.create_branch, updated_at = excluded.updated_at`,
		l.StackID, l.Repo, l.Branch, l.Folder, l.AuthorName, l.AuthorEmail, l.Username, l.SSHKeyFile,
		l.TokenRef, boolInt(l.CreateBranch), formatTime(s.now()))
	if err != nil {
		if ce := constraintError(err, fmt.Sprint(l.StackID)); ce != err {
			var me *model.Error
			if errors.As(ce, &me) && me.Code == model.EINVALID && isForeignKey(err) {
				return fmt.Errorf("store: save git link: %w", model.Errorf(model.ENOTFOUND, "no stack with ID %d", l.StackID))
			}
			return fmt.Errorf("store: save git link: %w", ce)
		}
		return fmt.Errorf("store: save git link of stack %d: %w", l.StackID, s.storageError(err))
	}
	return nil
}

// DeleteGitLink removes the stack's link, if it has one.
func (s *Store) DeleteGitLink(ctx context.Context, stackID int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM git_links WHERE stack_id = ?`, stackID); err != nil {
		return fmt.Errorf("store: delete git link of stack %d: %w", stackID, s.storageError(err))
	}
	return nil
}

func isForeignKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
