package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// StackQuery asks for one page of the stack list, ordered by name ignoring
// case. After and Before are keyset cursors, a name from the page before or
// after; at most one is set.
type StackQuery struct {
	// Search keeps the stacks whose name contains it, ignoring case.
	Search string
	After  string
	Before string
	// Limit is the page size; DefaultPageSize when 0.
	Limit int
}

// DefaultPageSize is how many stacks a page lists.
const DefaultPageSize = 50

// StackPage is one page of stacks.
type StackPage struct {
	Stacks []StackSummary
	// Total counts every stack the search matches.
	Total int
	// HasPrev and HasNext say whether stacks come before the first and
	// after the last of this page.
	HasPrev, HasNext bool
}

// ListStacks returns one page of the stacks q asks for. A page costs the
// same whatever its position: it seeks the name index from the cursor
// (keyset) rather than skipping the stacks before it.
func (s *Store) ListStacks(ctx context.Context, q StackQuery) (StackPage, error) {
	page, err := s.listStacks(ctx, q)
	if err != nil {
		return StackPage{}, fmt.Errorf("store: list stacks: %w", s.storageError(err))
	}
	return page, nil
}

func (s *Store) listStacks(ctx context.Context, q StackQuery) (StackPage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return StackPage{}, err
	}
	defer tx.Rollback()

	where, args := []string{"1"}, []any{}
	if q.Search != "" {
		where = append(where, `s.name LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscaper.Replace(q.Search)+"%")
	}
	var page StackPage
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM stacks s WHERE `+strings.Join(where, " AND "), args...).Scan(&page.Total); err != nil {
		return StackPage{}, err
	}
	// Names are unique, so (name ignoring case, name) orders every stack.
	order, backwards := `s.name COLLATE NOCASE, s.name`, false
	switch {
	case q.After != "":
		where = append(where, `(s.name COLLATE NOCASE > ? OR (s.name COLLATE NOCASE = ? AND s.name > ?))`)
		args = append(args, q.After, q.After, q.After)
	case q.Before != "":
		where = append(where, `(s.name COLLATE NOCASE < ? OR (s.name COLLATE NOCASE = ? AND s.name < ?))`)
		args = append(args, q.Before, q.Before, q.Before)
		order, backwards = `s.name COLLATE NOCASE DESC, s.name DESC`, true
	}
	// One more than a page tells whether another page follows.
	args = append(args, limit+1)
	err = each(ctx, tx, `SELECT s.id, s.name, s.description, s.head_revision, s.updated_at,
			(SELECT count(*) FROM nodes n WHERE n.stack_id = s.id)
		FROM stacks s WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`, args, func(rows *sql.Rows) error {
		var sum StackSummary
		var updated string
		if err := rows.Scan(&sum.ID, &sum.Name, &sum.Description, &sum.Revision, &updated, &sum.Resources); err != nil {
			return err
		}
		var err error
		if sum.UpdatedAt, err = parseTime(updated); err != nil {
			return err
		}
		page.Stacks = append(page.Stacks, sum)
		return nil
	})
	if err != nil {
		return StackPage{}, err
	}
	more := len(page.Stacks) > limit
	if more {
		page.Stacks = page.Stacks[:limit]
	}
	if backwards {
		slices.Reverse(page.Stacks)
		page.HasPrev, page.HasNext = more, true
	} else {
		page.HasPrev, page.HasNext = q.After != "", more
	}
	return page, nil
}

// likeEscaper escapes LIKE's wildcards, with \ as the ESCAPE character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
