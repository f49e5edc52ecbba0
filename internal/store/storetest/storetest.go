// Package storetest gives tests of other packages a fresh, real SQLite
// database at the current schema.
package storetest

import (
	"context"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// Path returns the path of a new database file, name, in tb's temporary
// directory, migrated to the current schema (a copy of one migrated once
// per test process; see testtool.FreshFile). Tests of the migrations
// themselves open an empty path instead.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	return testtool.FreshFile(tb, "store", name, Migrate)
}

// Migrate creates the database at path with every migration applied.
func Migrate(path string) error {
	s, err := store.Open(context.Background(), path)
	if err != nil {
		return err
	}
	return s.Close()
}

// PathWith is Path with stacks already created in it, in order, once per
// test process and key: a large stack that several tests open is created
// once rather than by each (a minute under -race for the 3,000-resource
// one).
func PathWith(tb testing.TB, name, key string, stacks ...func() *model.Stack) string {
	tb.Helper()
	return testtool.FreshFile(tb, "store+"+key, name, func(path string) error {
		ctx := context.Background()
		s, err := store.Open(ctx, path)
		if err != nil {
			return err
		}
		for _, stack := range stacks {
			if _, err := s.CreateStack(ctx, stack()); err != nil {
				s.Close()
				return err
			}
		}
		return s.Close()
	})
}

// Open opens a store on a new database (Path), closed when the test ends.
func Open(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), Path(tb, "switchboard.db"))
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
