package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// GitLink is a stack's row in git_links: the link itself and the name of
// the file its token is kept in (see migrations/0004_git_links.sql), never
// the token.
type GitLink struct {
	StackID int64
	model.GitLink
	TokenRef  string
	UpdatedAt time.Time
}

// gitLinksCodec maps a GitLink to git_links, where StackID is the stack_id
// every codec's statements take first.
var gitLinksCodec = newCodec("git_links", true,
	text("repo", func(l *GitLink) *string { return &l.Repo }),
	text("branch", func(l *GitLink) *string { return &l.Branch }),
	text("folder", func(l *GitLink) *string { return &l.Folder }),
	text("author_name", func(l *GitLink) *string { return &l.AuthorName }),
	text("author_email", func(l *GitLink) *string { return &l.AuthorEmail }),
	text("username", func(l *GitLink) *string { return &l.Username }),
	text("ssh_key_file", func(l *GitLink) *string { return &l.SSHKeyFile }),
	text("token_ref", func(l *GitLink) *string { return &l.TokenRef }),
	flag("create_branch", func(l *GitLink) *bool { return &l.CreateBranch }),
	timestamp("updated_at", func(l *GitLink) *time.Time { return &l.UpdatedAt }),
)

// upsertGitLinkSQL inserts a link or replaces the stack's.
var upsertGitLinkSQL = gitLinksCodec.insertSQL + " ON CONFLICT (stack_id) DO UPDATE SET " + gitLinksCodec.excludedList()

// GitLink returns the stack's link. It returns ENOTFOUND if the stack has
// none.
func (s *Store) GitLink(ctx context.Context, stackID int64) (*GitLink, error) {
	l := GitLink{StackID: stackID}
	err := s.db.QueryRowContext(ctx, gitLinksCodec.selectSQL, stackID).Scan(gitLinksCodec.dests(&l)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ENOTFOUND, "stack %d is not linked to a Git repository", stackID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: git link of stack %d: %w", stackID, s.storageError(err))
	}
	return &l, nil
}

// SecretsFolder is the folder next to the database that holds the files
// git_links.token_ref names (0700, one 0600 file per token; publish writes
// them).
const SecretsFolder = "switchboard-secrets"

// SecretsDir is the SecretsFolder next to this store's database.
func (s *Store) SecretsDir() string { return filepath.Join(filepath.Dir(s.path), SecretsFolder) }

// removeSecret deletes the token file a link row named. The row is the
// file's only owner, so every statement that drops or replaces a row
// (DeleteStack, DeleteGitLink, SaveGitLink) removes the file after its
// commit: no caller can forget, and no token outlives its link.
func (s *Store) removeSecret(ref string) {
	if ref == "" || strings.Trim(ref, "0123456789abcdef") != "" {
		return
	}
	if err := os.Remove(filepath.Join(s.SecretsDir(), ref)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		// The link is gone either way; the file is only left behind.
		slog.Warn("store: remove token file", slog.Any("error", err))
	}
}

// tokenRef returns the token_ref of the stack's link; "" when it has none.
func tokenRef(ctx context.Context, tx *sql.Tx, stackID int64) (string, error) {
	var ref string
	err := tx.QueryRowContext(ctx, `SELECT token_ref FROM git_links WHERE stack_id = ?`, stackID).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return ref, err
}

// SaveGitLink creates or replaces the stack's link, stamped now rather than
// with l.UpdatedAt, and removes the token file of the link it replaces when
// l names another. It returns ENOTFOUND if there is no such stack and
// EINVALID if a field breaks a database rule.
func (s *Store) SaveGitLink(ctx context.Context, l *GitLink) error {
	stamped := *l
	stamped.UpdatedAt = s.now()
	values, err := gitLinksCodec.row(&stamped)
	if err != nil {
		return fmt.Errorf("store: save git link of stack %d: %w", l.StackID, err)
	}
	var old string
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if old, err = tokenRef(ctx, tx, l.StackID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, upsertGitLinkSQL, append([]any{l.StackID}, values...)...)
		return err
	})
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
	if old != l.TokenRef {
		s.removeSecret(old)
	}
	return nil
}

// DeleteGitLink removes the stack's link, if it has one, and its token file.
func (s *Store) DeleteGitLink(ctx context.Context, stackID int64) error {
	var ref string
	err := s.db.QueryRowContext(ctx, `DELETE FROM git_links WHERE stack_id = ? RETURNING token_ref`, stackID).Scan(&ref)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: delete git link of stack %d: %w", stackID, s.storageError(err))
	}
	s.removeSecret(ref)
	return nil
}

// inTx runs fn in a write transaction and commits it.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func isForeignKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
