//go:build !race

// Only the single-goroutine tests, built without -race, open fresh files
// from inside the package (RACE_SPLIT in the Makefile).

package store

import (
	"context"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// freshPath is storetest.Path for this package's own tests, which cannot
// import storetest (it imports this package): the same template, key and
// all, built by the same Open.
func freshPath(t testing.TB, name string) string {
	t.Helper()
	return testtool.FreshFile(t, "store", name, func(path string) error {
		s, err := Open(context.Background(), path)
		if err != nil {
			return err
		}
		return s.Close()
	})
}
