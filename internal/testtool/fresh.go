package testtool

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// templates holds, per key, the bytes of a file FreshFile built once in
// this test process.
var templates sync.Map // key → *template

type template struct {
	once sync.Once
	data []byte
	err  error
}

// FreshFile writes into tb's temporary directory, as name, a copy of the
// file build makes at the path it is given, and returns its path. build
// runs once per test process and key; every later call copies its bytes.
//
// A database that every test opens fresh is migrated once this way:
// migrating under -race cost seconds per test (the SQLite driver is C
// translated to Go, which the race detector slows about twelvefold), a
// copy costs a millisecond, and each test still has a real file of its own.
func FreshFile(tb testing.TB, key, name string, build func(path string) error) string {
	tb.Helper()
	v, _ := templates.LoadOrStore(key, &template{})
	t := v.(*template)
	t.once.Do(func() { t.data, t.err = buildTemplate(key, build) })
	if t.err != nil {
		tb.Fatal(t.err)
	}
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, t.data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func buildTemplate(key string, build func(path string) error) ([]byte, error) {
	dir, err := os.MkdirTemp("", "switchboard-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template")
	if err := build(path); err != nil {
		return nil, fmt.Errorf("build the %s template: %w", key, err)
	}
	// build must leave one self-contained file: a SQLite database closed
	// by its last connection has checkpointed and removed its log.
	if _, err := os.Stat(path + "-wal"); err == nil {
		return nil, fmt.Errorf("build the %s template: %s-wal is left; close the database first", key, path)
	}
	return os.ReadFile(path)
}
