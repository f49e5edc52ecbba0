package store

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/switchboard-dev/switchboard/migrations"
	"github.com/switchboard-dev/switchboard/model"
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
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "switchboard.db"))
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
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "switchboard.db"))
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
