package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// manyStacks returns a server over a database of n blank stacks, written
// straight into the tables in one transaction: through the store they
// would take a minute to set up.
func manyStacks(tb testing.TB, n int) http.Handler {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bench.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for i := range n {
		var id int64
		if err := tx.QueryRow(`INSERT INTO stacks (name, description, head_revision, created_at, updated_at) VALUES (?, 'a stack', 1, ?, ?) RETURNING id`,
			fmt.Sprintf("stack-%05d", i), now, now).Scan(&id); err != nil {
			tb.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO revisions (stack_id, revision, document, created_at) VALUES (?, 1, ?, ?)`,
			id, fmt.Sprintf(`{"name":"stack-%05d"}`, i), now); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return server.New(server.Options{Store: st}).Handler()
}

// BenchmarkStacksPage is GET / with 10,000 stacks: one page from the store
// and its render, first, deep in the list (keyset) and searched. Goal: the
// first page under 50 ms.
func BenchmarkStacksPage(b *testing.B) {
	h := manyStacks(b, 10_000)
	for _, bc := range []struct{ name, path string }{
		{"First", "/"},
		{"Deep", "/?after=stack-09900"},
		{"Search", "/?q=stack-0999"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var samples []time.Duration
			for b.Loop() {
				start := time.Now()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", bc.path, nil))
				samples = append(samples, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s = %d", bc.path, rec.Code)
				}
			}
			percentiles(b, samples)
		})
	}
}
