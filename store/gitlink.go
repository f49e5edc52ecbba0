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

// SaveGitLink creates or replaces the stack's link, stamped now rather than
// with l.UpdatedAt. It returns ENOTFOUND if there is no such stack and
// EINVALID if a field breaks a database rule.
func (s *Store) SaveGitLink(ctx context.Context, l *GitLink) error {
	stamped := *l
	stamped.UpdatedAt = s.now()
	values, err := gitLinksCodec.row(&stamped)
	if err != nil {
		return fmt.Errorf("store: save git link of stack %d: %w", l.StackID, err)
	}
	_, err = s.db.ExecContext(ctx, upsertGitLinkSQL, append([]any{l.StackID}, values...)...)
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
