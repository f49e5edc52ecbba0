//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store

import (
	"context"
	"database/sql"
	"testing"
)

// TestPoolKeepsConcurrentReadersOpen: connections that several readers
// used at once stay open for the next ones. database/sql keeps two idle by
// default; each one it closed had to be opened again (schema parsed,
// pragmas applied) when fifty live views next caught up at once.
func TestPoolKeepsConcurrentReadersOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, freshPath(t, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const readers = 8
	for round := range 2 {
		// Eight read transactions open at once hold eight connections.
		txs := make([]*sql.Tx, readers)
		for i := range txs {
			if txs[i], err = s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := txs[i].QueryRowContext(ctx, `SELECT count(*) FROM stacks`).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		for _, tx := range txs {
			_ = tx.Rollback()
		}
		stats := s.db.Stats()
		if stats.MaxIdleClosed != 0 {
			t.Fatalf("round %d: the pool closed %d connections the readers had just used", round, stats.MaxIdleClosed)
		}
		if stats.Idle < readers {
			t.Fatalf("round %d: %d connections idle, want %d", round, stats.Idle, readers)
		}
	}
}
