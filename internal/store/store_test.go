package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"net/url"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

var dump = flag.Bool("dump", false, "log the path of each test database and keep it (wtf sqlite_test.go)")

// MustOpen opens a store on a new file in tb's temporary directory and
// closes it when the test ends (wtf sqlite/sqlite_test.go MustOpenDB).
func MustOpen(tb testing.TB) *store.Store {
	tb.Helper()
	return MustOpenPath(tb, storetest.Path(tb, "switchboard.db"))
}

// MustOpenPath opens a store on path, closed when the test ends.
func MustOpenPath(tb testing.TB, path string) *store.Store {
	tb.Helper()
	if *dump {
		tb.Logf("database: %s", path)
	}
	s, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// MustRawDB opens path with plain database/sql, foreign keys on, to poke at
// the tables behind the store's back.
func MustRawDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	uri := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)"
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustCreate creates st and fails the test if that fails.
func MustCreate(tb testing.TB, s *store.Store, st *model.Stack) *model.Stack {
	tb.Helper()
	out, err := s.CreateStack(context.Background(), st)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// MustExample returns a copy of a built-in example.
func MustExample(tb testing.TB, example, name string) *model.Stack {
	tb.Helper()
	st, err := model.Example(example, name)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// assertSameStack compares two stacks the way a user would: after defaults,
// store fields aside.
func assertSameStack(tb testing.TB, got, want *model.Stack) {
	tb.Helper()
	g, w := got.Clone(), want.Clone()
	g.ApplyDefaults()
	w.ApplyDefaults()
	g.ID, g.Revision, g.UpdatedAt = 0, 0, w.UpdatedAt
	w.ID, w.Revision = 0, 0
	// Compared as documents: an empty list and no list mean the same stack.
	if gj, wj := mustJSON(tb, g), mustJSON(tb, w); gj != wj {
		tb.Fatalf("stacks differ:\n got: %s\nwant: %s", gj, wj)
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}
