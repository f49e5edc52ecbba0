package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/model"
)

// The normalized tables are written by diff: the rows the stack should have
// are compared, by key, with the rows the database has, and only what
// differs is deleted, inserted or updated. Moving one node of a big stack on
// the canvas thereby updates one row instead of rewriting thousands.

// table describes one normalized table: the columns after stack_id that
// identify a row, the other columns, and which of those may not be updated
// in place.
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

func newTable(name string, key, cols []string, keyed []int, leaf bool) *table {
	t := &table{name: name, key: key, cols: cols, keyed: keyed, leaf: leaf}
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

func withPark(t *table, parkSQL string, identity ...int) *table {
	t.parkSQL, t.identity = parkSQL, identity
	return t
}

// The tables, parents before children: inserts go in this order, deletes in
// the reverse one.
var (
	nodesTable = withPark(newTable("nodes", []string{"id"},
		[]string{"kind", "ordinal", "logical_name", "x", "y"}, []int{0, 2}, false),
		// 255 characters: the longest name the schema allows, and one no
		// valid stack has, as its derived names (NameLogGroup, NameUrl …)
		// would be longer than CloudFormation allows.
		`UPDATE nodes SET logical_name = printf('%.255s', hex(randomblob(128))) WHERE stack_id = ?1 AND id = ?2`, 0)
	apisTable = newTable("apis", []string{"id"},
		[]string{"description", "route_selection_expression", "api_key_selection_expression", "stage_name", "kept"}, nil, false)
	routesTable = withPark(newTable("routes", []string{"id"},
		[]string{"api_id", "ordinal", "route_key", "two_way", "api_key_required", "authorized", "kept"}, []int{0, 2}, false),
		// A key the route_key CHECK accepts; random, so it collides with
		// none. A route moved to another API is rewritten instead: should
		// its old API go in the same save, the delete would cascade to it.
		`UPDATE routes SET route_key = 'z' || hex(randomblob(63)) WHERE stack_id = ?1 AND id = ?2`, 0)
	authorizersTable = newTable("authorizers", []string{"api_id"},
		[]string{"name", "identity_sources"}, nil, true)
	functionsTable = newTable("functions", []string{"id"},
		[]string{"description", "runtime", "handler", "code_path", "memory_size", "timeout", "log_retention_days", "log_deletion_policy", "kept"}, nil, false)
	envTable = newTable("function_env", []string{"function_id", "name"},
		[]string{"value"}, nil, true)
	dynamoTable = newTable("dynamo_tables", []string{"id"},
		[]string{"pk_name", "pk_type", "sk_name", "sk_type", "billing_mode", "read_capacity", "write_capacity", "ttl_attribute", "deletion_policy", "kept"}, nil, true)
	wiresTable = newTable("wires", []string{"id"},
		[]string{"ordinal", "kind", "from_route", "from_node", "to_id", "to_kind"}, []int{1, 2, 3, 4, 5}, true)

	// Imported resources Switchboard does not model, and kept template
	// sections (migration 0005). Neither references nodes.
	othersTable = newTable("others", []string{"id"},
		[]string{"ordinal", "logical_name", "type", "resource", "x", "y"}, []int{1}, true)
	sectionsTable = newTable("stack_sections", []string{"key"},
		[]string{"ordinal", "value"}, nil, true)

	tables = []*table{nodesTable, apisTable, routesTable, authorizersTable, functionsTable, envTable, dynamoTable, wiresTable, othersTable, sectionsTable}
)

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

func nullString(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// stackRows returns the rows of every table for st, in the order of tables.
func stackRows(st *model.Stack) ([]rowSet, error) {
	// Sized up front: growing maps of thousands of rows took a third of
	// the time.
	routes, env := 0, 0
	for _, a := range st.APIs {
		routes += len(a.Routes)
	}
	for _, f := range st.Functions {
		env += len(f.Environment)
	}
	sizes := map[*table]int{
		nodesTable:     len(st.APIs) + len(st.Functions) + len(st.Tables),
		apisTable:      len(st.APIs),
		routesTable:    routes,
		functionsTable: len(st.Functions),
		envTable:       env,
		dynamoTable:    len(st.Tables),
		wiresTable:     len(st.Wires),
		othersTable:    len(st.Others),
		sectionsTable:  len(st.Sections),
	}
	sets := make(map[*table]rowSet, len(tables))
	for _, t := range tables {
		sets[t] = make(rowSet, sizes[t])
	}
	node := func(n *model.Node, kind model.Kind, i int) {
		sets[nodesTable].add(nodesTable, row{n.ID, string(kind), int64(i), n.Name, n.Position.X, n.Position.Y})
	}
	for i, a := range st.APIs {
		node(&a.Node, model.KindAPI, i)
		kept, err := keptJSON(a.Kept)
		if err != nil {
			return nil, err
		}
		sets[apisTable].add(apisTable, row{a.ID, a.Description, a.RouteSelectionExpression, a.APIKeySelectionExpression, a.StageName, kept})
		for j, r := range a.Routes {
			kept, err := keptJSON(r.Kept)
			if err != nil {
				return nil, err
			}
			sets[routesTable].add(routesTable, row{r.ID, a.ID, int64(j), r.Key, boolInt(r.TwoWay), boolInt(r.APIKeyRequired), boolInt(r.Authorized), kept})
		}
		if a.Authorizer != nil {
			sources := a.Authorizer.IdentitySources
			if sources == nil {
				sources = []string{}
			}
			js, err := json.Marshal(sources)
			if err != nil {
				return nil, err
			}
			sets[authorizersTable].add(authorizersTable, row{a.ID, a.Authorizer.Name, string(js)})
		}
	}
	for i, f := range st.Functions {
		node(&f.Node, model.KindFunction, i)
		kept, err := keptJSON(f.Kept)
		if err != nil {
			return nil, err
		}
		sets[functionsTable].add(functionsTable, row{f.ID, f.Description, f.Runtime, f.Handler, f.CodePath,
			int64(f.MemorySize), int64(f.Timeout), int64(f.LogRetentionDays), string(f.LogDeletionPolicy), kept})
		for name, value := range f.Environment {
			sets[envTable].add(envTable, row{f.ID, name, value})
		}
	}
	for i, t := range st.Tables {
		node(&t.Node, model.KindTable, i)
		var skName, skType *string
		if t.SortKey != nil {
			n, k := t.SortKey.Name, string(t.SortKey.Type)
			skName, skType = &n, &k
		}
		kept, err := keptJSON(t.Kept)
		if err != nil {
			return nil, err
		}
		sets[dynamoTable].add(dynamoTable, row{t.ID, t.PartitionKey.Name, string(t.PartitionKey.Type), nullString(skName), nullString(skType),
			string(t.BillingMode), int64(t.ReadCapacity), int64(t.WriteCapacity), t.TTLAttribute, string(t.DeletionPolicy), kept})
	}
	for i, o := range st.Others {
		sets[othersTable].add(othersTable, row{o.ID, int64(i), o.Name, o.Type, string(o.Resource), o.Position.X, o.Position.Y})
	}
	for i, f := range st.Sections {
		sets[sectionsTable].add(sectionsTable, row{f.Key, int64(i), string(f.Value)})
	}
	for i, w := range st.Wires {
		var fromRoute, fromNode any = nil, w.From
		toKind := model.KindAPI
		switch w.Kind {
		case model.WireIntegration:
			fromRoute, fromNode = w.From, nil
			toKind = model.KindFunction
		case model.WireRead, model.WireReadWrite:
			toKind = model.KindTable
		}
		sets[wiresTable].add(wiresTable, row{w.ID, int64(i), string(w.Kind), fromRoute, fromNode, w.To, string(toKind)})
	}
	out := make([]rowSet, len(tables))
	for i, t := range tables {
		out[i] = sets[t]
	}
	return out, nil
}

// keptJSON encodes an object's kept parts for its kept column: "[]" for
// none, so an object that keeps nothing has one encoding.
func keptJSON(kept []model.Kept) (string, error) {
	if len(kept) == 0 {
		return "[]", nil
	}
	data, err := json.Marshal(kept)
	if err != nil {
		return "", fmt.Errorf("encode kept parts: %w", err)
	}
	return string(data), nil
}

// readKept decodes a kept column; "[]" is nil, as in a stack that never
// kept anything.
func readKept(data string, into *[]model.Kept) error {
	if data == "[]" || data == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(data), into); err != nil {
		return fmt.Errorf("decode kept parts: %w", err)
	}
	return nil
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
	if c, ok := s.states[id]; ok && c.token == token && rows == nil {
		// A read of a state this Store wrote: keep the rows it knows.
		rows = c.rows
	}
	if _, ok := s.states[id]; !ok && len(s.states) >= maxCachedStates {
		for k := range s.states {
			delete(s.states, k) // any one
			break
		}
	}
	s.states[id] = stateCache{token: token, rows: rows, stack: stack}
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
		if err := applyState(ctx, tx, stackID, have, want); err == nil {
			_, err := tx.ExecContext(ctx, `RELEASE cached_state`)
			return err
		}
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO cached_state`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `RELEASE cached_state`); err != nil {
			return err
		}
	}
	have := make([]rowSet, len(tables))
	for i, t := range tables {
		var err error
		if have[i], err = currentRows(ctx, tx, t, stackID); err != nil {
			return err
		}
	}
	return applyState(ctx, tx, stackID, have, want)
}

// applyState changes the tables from the rows have to the rows want.
func applyState(ctx context.Context, tx *sql.Tx, stackID int64, have, want []rowSet) error {
	diffs := make([]tableDiff, len(tables))
	for i, t := range tables {
		d, rewrite := diff(t, have[i], want[i])
		if rewrite {
			return rewriteState(ctx, tx, stackID, want)
		}
		diffs[i] = d
	}
	for i := len(tables) - 1; i >= 0; i-- {
		t := tables[i]
		if err := execRows(ctx, tx, t.deleteSQL, stackID, diffs[i].deletes, true, func(r row) []any { return r[:len(t.key)] }); err != nil {
			return err
		}
	}
	// Before any row takes a unique value, every row giving one up has.
	for i, t := range tables {
		if err := execRows(ctx, tx, t.parkSQL, stackID, diffs[i].parks, true, func(r row) []any { return r[:len(t.key)] }); err != nil {
			return err
		}
	}
	for i, t := range tables {
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
	for i, t := range tables {
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

// readState reads the current state of the stack from the normalized
// tables into st, in the order it was saved.
func readState(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
	apis := map[string]*model.API{}
	var kept string
	err := each(ctx, tx, `SELECT n.id, n.logical_name, n.x, n.y,
			a.description, a.route_selection_expression, a.api_key_selection_expression, a.stage_name, a.kept
		FROM nodes n JOIN apis a USING (stack_id, id)
		WHERE n.stack_id = ? ORDER BY n.ordinal`, []any{stackID}, func(rows *sql.Rows) error {
		a := &model.API{}
		if err := rows.Scan(&a.ID, &a.Name, &a.Position.X, &a.Position.Y,
			&a.Description, &a.RouteSelectionExpression, &a.APIKeySelectionExpression, &a.StageName, &kept); err != nil {
			return err
		}
		if err := readKept(kept, &a.Kept); err != nil {
			return err
		}
		st.APIs = append(st.APIs, a)
		apis[a.ID] = a
		return nil
	})
	if err != nil {
		return err
	}
	err = each(ctx, tx, `SELECT api_id, id, route_key, two_way, api_key_required, authorized, kept
		FROM routes WHERE stack_id = ? ORDER BY api_id, ordinal`, []any{stackID}, func(rows *sql.Rows) error {
		var apiID string
		r := &model.Route{}
		if err := rows.Scan(&apiID, &r.ID, &r.Key, &r.TwoWay, &r.APIKeyRequired, &r.Authorized, &kept); err != nil {
			return err
		}
		if err := readKept(kept, &r.Kept); err != nil {
			return err
		}
		if a := apis[apiID]; a != nil {
			a.Routes = append(a.Routes, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = each(ctx, tx, `SELECT api_id, name, identity_sources FROM authorizers WHERE stack_id = ?`, []any{stackID}, func(rows *sql.Rows) error {
		var apiID, sources string
		au := &model.Authorizer{}
		if err := rows.Scan(&apiID, &au.Name, &sources); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(sources), &au.IdentitySources); err != nil {
			return fmt.Errorf("authorizer of %s: %w", apiID, err)
		}
		if a := apis[apiID]; a != nil {
			a.Authorizer = au
		}
		return nil
	})
	if err != nil {
		return err
	}

	functions := map[string]*model.Function{}
	err = each(ctx, tx, `SELECT n.id, n.logical_name, n.x, n.y,
			f.description, f.runtime, f.handler, f.code_path, f.memory_size, f.timeout, f.log_retention_days, f.log_deletion_policy, f.kept
		FROM nodes n JOIN functions f USING (stack_id, id)
		WHERE n.stack_id = ? ORDER BY n.ordinal`, []any{stackID}, func(rows *sql.Rows) error {
		f := &model.Function{}
		if err := rows.Scan(&f.ID, &f.Name, &f.Position.X, &f.Position.Y,
			&f.Description, &f.Runtime, &f.Handler, &f.CodePath, &f.MemorySize, &f.Timeout, &f.LogRetentionDays, &f.LogDeletionPolicy, &kept); err != nil {
			return err
		}
		if err := readKept(kept, &f.Kept); err != nil {
			return err
		}
		st.Functions = append(st.Functions, f)
		functions[f.ID] = f
		return nil
	})
	if err != nil {
		return err
	}
	err = each(ctx, tx, `SELECT function_id, name, value FROM function_env WHERE stack_id = ?`, []any{stackID}, func(rows *sql.Rows) error {
		var id, name, value string
		if err := rows.Scan(&id, &name, &value); err != nil {
			return err
		}
		if f := functions[id]; f != nil {
			if f.Environment == nil {
				f.Environment = map[string]string{}
			}
			f.Environment[name] = value
		}
		return nil
	})
	if err != nil {
		return err
	}

	err = each(ctx, tx, `SELECT n.id, n.logical_name, n.x, n.y,
			t.pk_name, t.pk_type, t.sk_name, t.sk_type, t.billing_mode, t.read_capacity, t.write_capacity, t.ttl_attribute, t.deletion_policy, t.kept
		FROM nodes n JOIN dynamo_tables t USING (stack_id, id)
		WHERE n.stack_id = ? ORDER BY n.ordinal`, []any{stackID}, func(rows *sql.Rows) error {
		t := &model.Table{}
		var skName, skType sql.NullString
		if err := rows.Scan(&t.ID, &t.Name, &t.Position.X, &t.Position.Y,
			&t.PartitionKey.Name, &t.PartitionKey.Type, &skName, &skType, &t.BillingMode, &t.ReadCapacity, &t.WriteCapacity, &t.TTLAttribute, &t.DeletionPolicy, &kept); err != nil {
			return err
		}
		if err := readKept(kept, &t.Kept); err != nil {
			return err
		}
		if skName.Valid {
			t.SortKey = &model.Key{Name: skName.String, Type: model.AttributeType(skType.String)}
		}
		st.Tables = append(st.Tables, t)
		return nil
	})
	if err != nil {
		return err
	}

	err = each(ctx, tx, `SELECT id, kind, from_id, to_id FROM wires WHERE stack_id = ? ORDER BY ordinal`, []any{stackID}, func(rows *sql.Rows) error {
		w := &model.Wire{}
		if err := rows.Scan(&w.ID, &w.Kind, &w.From, &w.To); err != nil {
			return err
		}
		st.Wires = append(st.Wires, w)
		return nil
	})
	if err != nil {
		return err
	}
	return readImported(ctx, tx, stackID, st)
}

// readImported reads the other nodes and kept sections of an imported stack.
func readImported(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
	err := each(ctx, tx, `SELECT id, logical_name, type, resource, x, y FROM others WHERE stack_id = ? ORDER BY ordinal`, []any{stackID}, func(rows *sql.Rows) error {
		o := &model.Other{}
		var resource string
		if err := rows.Scan(&o.ID, &o.Name, &o.Type, &resource, &o.Position.X, &o.Position.Y); err != nil {
			return err
		}
		o.Resource = json.RawMessage(resource)
		st.Others = append(st.Others, o)
		return nil
	})
	if err != nil {
		return err
	}
	return each(ctx, tx, `SELECT key, value FROM stack_sections WHERE stack_id = ? ORDER BY ordinal`, []any{stackID}, func(rows *sql.Rows) error {
		var f model.Field
		var value string
		if err := rows.Scan(&f.Key, &value); err != nil {
			return err
		}
		f.Value = json.RawMessage(value)
		st.Sections = append(st.Sections, f)
		return nil
	})
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
