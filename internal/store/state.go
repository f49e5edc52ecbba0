package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The normalized tables are written by diff: the rows the stack should have
// are compared, by key, with the rows the database has, and only what
// differs is deleted, inserted or updated. Moving one node of a big stack on
// the canvas thereby updates one row instead of rewriting thousands.

// table is what the diff needs of one normalized table, which newCodec
// derives from the table's codec: the columns after stack_id that identify a
// row, the other columns, and which of those may not be updated in place.
type table struct {
	name string
	key  []string
	cols []string
	// keyed marks the columns (by index in cols) that take part in a UNIQUE
	// constraint or in the key other rows reference. Updating them in place
	// could collide with a row not updated yet (two nodes swapping names),
	// so a change to one is written as a delete and an insert if the table
	// is a leaf, as a park and an update if it has parkSQL, or else as a
	// rewrite of the whole stack.
	keyed []int
	// leaf is set when no other table references this one, so deleting a
	// row loses nothing else.
	leaf bool
	// parkSQL, taking stack_id and the key, sets a row's unique value to a
	// placeholder no stack can hold, freeing the value for another row.
	parkSQL string
	// identity marks the keyed columns that parking cannot help with:
	// those in other rows' foreign keys (a node's kind) or in this row's
	// (a route's API).
	identity []int

	selectSQL, insertSQL, updateSQL, deleteSQL string
}

func newTable(name string, key, cols []string, keyed, identity []int, leaf bool) table {
	t := table{name: name, key: key, cols: cols, keyed: keyed, identity: identity, leaf: leaf}
	all := append(append([]string{}, key...), cols...)
	// Numbered parameters, so that every statement takes stack_id, then
	// the row as it is: key columns, then the others.
	where := "stack_id = ?1"
	for i, k := range key {
		where += fmt.Sprintf(" AND %s = ?%d", k, i+2)
	}
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = fmt.Sprintf("%s = ?%d", c, len(key)+i+2)
	}
	t.selectSQL = fmt.Sprintf("SELECT %s FROM %s WHERE stack_id = ?", strings.Join(all, ", "), name)
	t.insertSQL = fmt.Sprintf("INSERT INTO %s (stack_id, %s) VALUES (?%s)", name, strings.Join(all, ", "), strings.Repeat(", ?", len(all)))
	t.updateSQL = fmt.Sprintf("UPDATE %s SET %s WHERE %s", name, strings.Join(sets, ", "), where)
	t.deleteSQL = fmt.Sprintf("DELETE FROM %s WHERE %s", name, where)
	return t
}

// row holds a row's key columns, then its other columns, as the values
// modernc.org/sqlite scans into an any: int64, float64, string or nil.
type row []any

func (t *table) rowKey(r row) string {
	if len(t.key) == 1 {
		return r[0].(string)
	}
	parts := make([]string, len(t.key))
	for i := range t.key {
		parts[i] = r[i].(string)
	}
	return strings.Join(parts, "\x00")
}

// rowSet is a table's rows by key.
type rowSet map[string]row

func (rs rowSet) add(t *table, r row) { rs[t.rowKey(r)] = r }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// currentRows reads the rows a stack has in t.
func currentRows(ctx context.Context, tx *sql.Tx, t *table, stackID int64) (rowSet, error) {
	rows, err := tx.QueryContext(ctx, t.selectSQL, stackID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := rowSet{}
	n := len(t.key) + len(t.cols)
	for rows.Next() {
		r := make(row, n)
		ptrs := make([]any, n)
		for i := range r {
			ptrs[i] = &r[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		set.add(t, r)
	}
	return set, rows.Err()
}

// tableDiff is what writing one table takes.
type tableDiff struct {
	deletes []row // only the key columns are used
	parks   []row // only the key columns are used
	inserts []row
	updates []row
}

// diff compares a table's current rows with the wanted ones. It reports
// rewrite when a row others depend on changes an identity column, or a keyed
// column where no parking helps, which the caller handles by rewriting the
// stack.
func diff(t *table, have, want rowSet) (d tableDiff, rewrite bool) {
	for k, h := range have {
		if _, ok := want[k]; !ok {
			d.deletes = append(d.deletes, h)
		}
	}
	nk := len(t.key)
	for k, w := range want {
		h, ok := have[k]
		if !ok {
			d.inserts = append(d.inserts, w)
			continue
		}
		changed, keyedChanged, identityChanged := false, false, false
		for i := nk; i < len(w); i++ {
			if h[i] != w[i] {
				changed = true
				keyedChanged = keyedChanged || slices.Contains(t.keyed, i-nk)
				identityChanged = identityChanged || slices.Contains(t.identity, i-nk)
			}
		}
		switch {
		case !changed:
		case !keyedChanged:
			d.updates = append(d.updates, w)
		case t.leaf:
			d.deletes = append(d.deletes, h)
			d.inserts = append(d.inserts, w)
		case t.parkSQL != "" && !identityChanged:
			d.parks = append(d.parks, h)
			d.updates = append(d.updates, w)
		default:
			return tableDiff{}, true
		}
	}
	return d, false
}

// errStale reports that a table did not hold the rows the Store expected.
var errStale = errors.New("the tables do not hold the rows last written")

// stateCache is what a Store remembers of the rows it last wrote for a stack.
type stateCache struct {
	token int64
	// rows are the table rows of that state, nil when this Store only read
	// it; stack is that state as the model, which a load copies instead of
	// reading every row again.
	rows  []rowSet
	stack *model.Stack
	// problems are stack's Check, once checked is set: a state's problems
	// never change, so each is checked once, not on every read.
	problems []model.Problem
	checked  bool
}

// maxCachedStates bounds the memory the cache takes: about 1 MB for a stack
// of a thousand routes, far less for most. 64 keeps every stack of a busy
// team warm: with 16, 32 people moving nodes on 32 stacks evicted each
// other and every move read its stack back from the tables.
const maxCachedStates = 64

func (s *Store) cachedRows(id, token int64) []rowSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.states[id]; ok && c.token == token {
		return c.rows
	}
	return nil
}

// cachedStack returns the stack as of token, if this Store wrote or read
// that state; the caller must not change it.
func (s *Store) cachedStack(id, token int64) *model.Stack {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.states[id]; ok && c.token == token {
		return c.stack
	}
	return nil
}

// cachedProblems returns the problems of the stack as of token, if this
// Store has checked that state; the caller must not change them.
func (s *Store) cachedProblems(id, token int64) ([]model.Problem, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.states[id]; ok && c.token == token && c.checked {
		return c.problems, true
	}
	return nil, false
}

// keepProblems records the problems of the state remembered as stack (the
// pointer remember was given), unless another state has replaced it since.
func (s *Store) keepProblems(id int64, stack *model.Stack, problems []model.Problem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.states[id]; ok && c.stack == stack {
		c.problems, c.checked = problems, true
		s.states[id] = c
	}
}

// keepProblemsOf records the problems of the state with token, if it is
// the state remembered.
func (s *Store) keepProblemsOf(id, token int64, problems []model.Problem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.states[id]; ok && c.token == token {
		c.problems, c.checked = problems, true
		s.states[id] = c
	}
}

// remember records the state of a stack after a commit or a read: its token,
// its rows (nil when unknown) and a copy of it that the Store keeps to
// itself. A nil stack forgets the stack.
func (s *Store) remember(id, token int64, rows []rowSet, stack *model.Stack) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if stack == nil {
		delete(s.states, id)
		return
	}
	var problems []model.Problem
	var checked bool
	if c, ok := s.states[id]; ok && c.token == token {
		if rows == nil {
			// A read of a state this Store wrote: keep the rows it knows.
			rows = c.rows
		}
		problems, checked = c.problems, c.checked
	}
	if _, ok := s.states[id]; !ok && len(s.states) >= maxCachedStates {
		for k := range s.states {
			delete(s.states, k) // any one
			break
		}
	}
	s.states[id] = stateCache{token: token, rows: rows, stack: stack, problems: problems, checked: checked}
}

// writeState makes the normalized tables hold the rows want (stackRows of
// the new state), changing only the rows that differ from what they hold
// now. token is the stack's state token before the change: if the Store
// wrote that state itself, it diffs against the rows it remembers instead of
// reading them back.
func (s *Store) writeState(ctx context.Context, tx *sql.Tx, stackID, token int64, want []rowSet) error {
	if have := s.cachedRows(stackID, token); have != nil {
		// Should the tables not hold what the cache says, which only a
		// write past the Store can cause, an UPDATE or DELETE finds no row
		// or an INSERT finds one: undo the attempt and diff against the
		// tables.
		if _, err := tx.ExecContext(ctx, `SAVEPOINT cached_state`); err != nil {
			return err
		}
		err := applyState(ctx, tx, stackID, have, want)
		if err == nil {
			_, err := tx.ExecContext(ctx, `RELEASE cached_state`)
			return err
		}
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO cached_state`); rerr != nil {
			// Some errors (a full disk) make SQLite roll the whole
			// transaction back, the savepoint with it: the first error
			// says what happened.
			return err
		}
		if _, err := tx.ExecContext(ctx, `RELEASE cached_state`); err != nil {
			return err
		}
	}
	have := make([]rowSet, len(allTables()))
	for i, t := range allTables() {
		var err error
		if have[i], err = currentRows(ctx, tx, t, stackID); err != nil {
			return err
		}
	}
	return applyState(ctx, tx, stackID, have, want)
}

// applyState changes the tables from the rows have to the rows want.
func applyState(ctx context.Context, tx *sql.Tx, stackID int64, have, want []rowSet) error {
	diffs := make([]tableDiff, len(allTables()))
	for i, t := range allTables() {
		d, rewrite := diff(t, have[i], want[i])
		if rewrite {
			return rewriteState(ctx, tx, stackID, want)
		}
		diffs[i] = d
	}
	for i := len(allTables()) - 1; i >= 0; i-- {
		t := allTables()[i]
		if err := execRows(ctx, tx, t.deleteSQL, stackID, diffs[i].deletes, true, func(r row) []any { return r[:len(t.key)] }); err != nil {
			return err
		}
	}
	// Before any row takes a unique value, every row giving one up has.
	for i, t := range allTables() {
		if err := execRows(ctx, tx, t.parkSQL, stackID, diffs[i].parks, true, func(r row) []any { return r[:len(t.key)] }); err != nil {
			return err
		}
	}
	for i, t := range allTables() {
		if err := execRows(ctx, tx, t.insertSQL, stackID, diffs[i].inserts, false, func(r row) []any { return r }); err != nil {
			return err
		}
		if err := execRows(ctx, tx, t.updateSQL, stackID, diffs[i].updates, true, func(r row) []any { return r }); err != nil {
			return err
		}
	}
	return nil
}

// rewriteState deletes a stack's rows and inserts want.
func rewriteState(ctx context.Context, tx *sql.Tx, stackID int64, want []rowSet) error {
	// Every other table cascades from nodes, but for the imported ones.
	for _, q := range []string{`DELETE FROM nodes WHERE stack_id = ?`, `DELETE FROM others WHERE stack_id = ?`, `DELETE FROM stack_sections WHERE stack_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, stackID); err != nil {
			return err
		}
	}
	for i, t := range allTables() {
		rows := make([]row, 0, len(want[i]))
		for _, r := range want[i] {
			rows = append(rows, r)
		}
		if err := execRows(ctx, tx, t.insertSQL, stackID, rows, false, func(r row) []any { return r }); err != nil {
			return err
		}
	}
	return nil
}

// execRows runs query once per row with stack_id followed by args(row) for
// the arguments, preparing it once when there is more than one row. With
// one set, each run must change exactly one row, or it returns errStale.
func execRows(ctx context.Context, tx *sql.Tx, query string, stackID int64, rows []row, one bool, args func(row) []any) error {
	if len(rows) == 0 {
		return nil
	}
	exec := tx.ExecContext
	if len(rows) > 1 {
		stmt, err := tx.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		defer stmt.Close()
		exec = func(ctx context.Context, _ string, args ...any) (sql.Result, error) {
			return stmt.ExecContext(ctx, args...)
		}
	}
	buf := make([]any, 0, 16)
	for _, r := range rows {
		buf = append(append(buf[:0], stackID), args(r)...)
		res, err := exec(ctx, query, buf...)
		if err != nil {
			return err
		}
		if one {
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n != 1 {
				return fmt.Errorf("%s: %w", query, errStale)
			}
		}
	}
	return nil
}

// each runs query and calls fn for every row.
func each(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
