//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/migrations"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

type appliedMigration struct {
	version   int64
	name      string
	appliedAt string
}

func mustApplied(tb testing.TB, path string) []appliedMigration {
	tb.Helper()
	db := MustRawDB(tb, path)
	rows, err := db.Query(`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []appliedMigration
	for rows.Next() {
		var m appliedMigration
		if err := rows.Scan(&m.version, &m.name, &m.appliedAt); err != nil {
			tb.Fatal(err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestOpen_ReopenMigratesNothingTwice(t *testing.T) {
	t.Parallel()
	path := storetest.Path(t, "switchboard.db")
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	st := MustCreate(t, s, MustExample(t, "echo", "echo"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before := mustApplied(t, path)
	if len(before) == 0 || before[0].version != 1 || before[0].name != "0001_init.sql" {
		t.Fatalf("applied = %+v", before)
	}

	s = MustOpenPath(t, path)
	after := mustApplied(t, path)
	if len(after) != len(before) {
		t.Fatalf("applied after reopen = %+v, before %+v", after, before)
	}
	for i := range after {
		if after[i] != before[i] {
			t.Fatalf("migration %d changed: %+v, was %+v", i, after[i], before[i])
		}
	}
	got, err := s.Stack(context.Background(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, got, st)
}

func TestOpen_ErrNewerSchema(t *testing.T) {
	t.Parallel()
	path := storetest.Path(t, "switchboard.db")
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	MustCreate(t, s, MustExample(t, "echo", "echo"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := MustRawDB(t, path)
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'later')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	// The build knows the highest migration's number, which branches
	// adding migrations side by side may reach before every file is in.
	known := 0
	for _, f := range files {
		if n, err := strconv.Atoi(strings.SplitN(f, "_", 2)[0]); err == nil && n > known {
			known = n
		}
	}
	_, err = store.Open(context.Background(), path)
	assertCode(t, err, model.EINVALID, fmt.Sprintf(
		"database was migrated by a newer Switchboard (schema 9999, this build knows %d); upgrade Switchboard", known))

	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("opening a newer database changed the file")
	}
	applied := mustApplied(t, path)
	if len(applied) != len(files)+1 || applied[len(files)].version != 9999 {
		t.Fatalf("applied = %+v", applied)
	}
}

func TestOpen_PathWithURICharacters(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a#b?c%d e")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A migrated copy moved there: what is checked is the path, not the
	// migrations.
	path := filepath.Join(dir, "switchboard.db")
	if err := os.Rename(storetest.Path(t, "switchboard.db"), path); err != nil {
		t.Fatal(err)
	}
	s := MustOpenPath(t, path)
	MustCreate(t, s, MustExample(t, "echo", "echo"))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
}
