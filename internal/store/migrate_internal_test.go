//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/switchboard-dev/switchboard/internal/migrations"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// withMigration returns the embedded migrations plus one more file.
func withMigration(t *testing.T, name, sql string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = &fstest.MapFile{Data: data}
	}
	out[name] = &fstest.MapFile{Data: []byte(sql)}
	return out
}

func TestMigrate_AppliesOnlyNewFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, freshPath(t, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// A broken file is rolled back and not recorded; the ones before stay.
	broken := withMigration(t, "0900_broken.sql", `CREATE TABLE notes (id INTEGER PRIMARY KEY); INSERT INTO nowhere VALUES (1);`)
	if err := s.migrate(ctx, broken); err == nil {
		t.Fatal("a broken migration was applied")
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'notes'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("half a migration stayed: %d, %v", n, err)
	}

	// A new file applies once; the others are not run again (they would
	// fail, as CREATE TABLE stacks exists).
	next := withMigration(t, "0900_notes.sql", `CREATE TABLE notes (id INTEGER PRIMARY KEY);`)
	for range 2 {
		if err := s.migrate(ctx, next); err != nil {
			t.Fatal(err)
		}
	}
	var versions []int64
	rows, err := s.db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	if last := versions[len(versions)-1]; last != 900 || len(versions) != len(next) {
		t.Fatalf("versions = %v", versions)
	}

	// The embedded files alone now know less than the database.
	err = s.migrate(ctx, migrations.FS)
	if model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("migrate with fewer files: %v", err)
	}
}

func TestReadMigrations_ErrBadName(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]fstest.MapFS{
		"no number": {"init.sql": {}},
		"duplicate": {"0001_a.sql": {}, "0001_b.sql": {}},
	} {
		if _, err := readMigrations(files); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestConstraintError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, freshPath(t, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		query, code, want string
	}{
		{`INSERT INTO stacks (name, head_revision, created_at, updated_at) VALUES ('bad name', 1, '', '')`,
			model.EINVALID, `stack "x": a value is out of range (CHECK constraint failed: stack_name)`},
		{`INSERT INTO nodes (stack_id, id, kind, ordinal, logical_name, x, y) VALUES (404, 'a', 'api', 0, 'A', 0, 0)`,
			model.EINVALID, `stack "x": something refers to a resource, route or revision that is not there, or is of the wrong kind (FOREIGN KEY constraint failed)`},
	} {
		_, err := s.db.ExecContext(ctx, tc.query)
		err = constraintError(err, "x")
		if model.ErrorCode(err) != tc.code || model.ErrorMessage(err) != tc.want {
			t.Errorf("%s:\n got %s %q\nwant %s %q", tc.query, model.ErrorCode(err), model.ErrorMessage(err), tc.code, tc.want)
		}
	}
}

// oldDatabase returns the path of a new database migrated up to version last
// and holding the rows in the SQL file data, written by the Store of that
// time: what a database an older Switchboard left looks like.
func oldDatabase(t *testing.T, last int64, data string) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "switchboard.db")
	old, err := open(ctx, path, migrationsUpTo(t, last))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	rows, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := old.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, string(rows)); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return path
}

// migrationsUpTo returns the embedded migrations up to version last.
func migrationsUpTo(t *testing.T, last int64) fstest.MapFS {
	t.Helper()
	ms, err := readMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, m := range ms {
		if m.version <= last {
			out[m.name] = &fstest.MapFile{Data: []byte(m.sql)}
		}
	}
	return out
}

// TestMigrate_RevisionsRebuildKeepsHistory opens a database made before
// 0006 rebuilt revisions as a rowid table: history, undo and redo survive,
// and the foreign keys between stacks and revisions still hold.
func TestMigrate_RevisionsRebuildKeepsHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := oldDatabase(t, 5, "testdata/schema5_history.sql")
	// The chat example, saved three times and undone once.
	id, head := int64(1), int64(3)
	old, err := open(ctx, path, migrationsUpTo(t, 5))
	if err != nil {
		t.Fatal(err)
	}
	before, err := old.Revisions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var schema string
	if err := s.db.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'revisions'`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(schema, "WITHOUT ROWID") {
		t.Fatalf("revisions was not rebuilt:\n%s", schema)
	}
	after, err := s.Revisions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || len(after) != 4 {
		t.Fatalf("revisions: %d before, %d after, want 4", len(before), len(after))
	}
	redone, err := s.Redo(ctx, id, head)
	if err != nil {
		t.Fatal(err)
	}
	if redone.Description != "edit c" {
		t.Fatalf("redo brought back %q", redone.Description)
	}
	// stacks still references its head revision.
	if _, err := s.db.Exec(`DELETE FROM revisions WHERE stack_id = ? AND revision = ?`, redone.ID, redone.Revision); err == nil {
		t.Fatal("deleting the head revision broke no foreign key")
	}
}

// TestMigrate_ForeignKeysOffChecksBeforeCommit applies a migration that runs
// with foreign keys off and leaves a dangling reference: it is refused and
// rolled back, and foreign keys are on again afterwards.
func TestMigrate_ForeignKeysOffChecksBeforeCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, freshPath(t, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := model.Example("echo", "echo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateStack(ctx, st); err != nil {
		t.Fatal(err)
	}
	bad := withMigration(t, "0900_dangling.sql", foreignKeysOffMark+"\nDELETE FROM revisions;\n")
	err = s.migrate(ctx, bad)
	if err == nil || !strings.Contains(err.Error(), "references a missing row of revisions") {
		t.Fatalf("migrate = %v, want a foreign key error", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM revisions`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("revisions after the refused migration: %d, %v", n, err)
	}
	// Every pooled connection has foreign keys on.
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		if conns[i], err = s.db.Conn(ctx); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close()
		var on int
		if err := conns[i].QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil || on != 1 {
			t.Fatalf("connection %d: foreign_keys = %d, %v", i, on, err)
		}
	}
}

// TestMigrate_StrictIDsRebuildKeepsStacks opens a database made before 0007
// rebuilt the tables with ID checks and AUTOINCREMENT: every stack reads
// back as it was, undo still works, and the ID of the last stack, deleted
// after the migration, is not given out again.
func TestMigrate_StrictIDsRebuildKeepsStacks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := oldDatabase(t, 6, "testdata/schema6_examples.sql")
	// The chat and echo examples, each created and saved once.
	var want []*model.Stack
	for i, ex := range []string{"chat", "echo"} {
		st, err := model.Example(ex, ex)
		if err != nil {
			t.Fatal(err)
		}
		st.ID, st.Revision, st.Description = int64(i+1), 2, "edited"
		want = append(want, st)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, w := range want {
		got, err := s.Stack(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != w.Name || got.Revision != w.Revision || got.Description != w.Description || len(got.Nodes()) != len(w.Nodes()) || len(got.Wires) != len(w.Wires) {
			t.Fatalf("stack %s after the migration: %+v", w.Name, got)
		}
		if _, err := s.Undo(ctx, w.ID, w.Revision); err != nil {
			t.Fatal(err)
		}
	}
	last := want[len(want)-1].ID
	if err := s.DeleteStack(ctx, last); err != nil {
		t.Fatal(err)
	}
	st, err := model.Example("echo", "echo2")
	if err != nil {
		t.Fatal(err)
	}
	created, err := s.CreateStack(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID <= last {
		t.Fatalf("new stack got ID %d, the deleted one had %d", created.ID, last)
	}
	if err := checkForeignKeysNow(ctx, s); err != nil {
		t.Fatal(err)
	}
}

func checkForeignKeysNow(ctx context.Context, s *Store) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return checkForeignKeys(ctx, tx)
}
