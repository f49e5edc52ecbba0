//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// assertStorageError checks err is the storage error a user is shown, with
// want in its message, and not "Internal error.".
func assertStorageError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, ErrStorage) {
		t.Fatalf("error %q is not a storage error", err)
	}
	if msg := model.ErrorMessage(err); !strings.Contains(msg, want) {
		t.Fatalf("message %q lacks %q", msg, want)
	}
}

// TestStorage_ReadOnlyDatabase opens a database file made read-only (0444,
// which Open honours also for root): reading works, and each kind of write
// says the database is read-only.
func TestStorage_ReadOnlyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := freshPath(t, "switchboard.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	chat := createExample(t, s, "chat")
	s.Close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	got, err := ro.Stack(ctx, chat.ID)
	if err != nil {
		t.Fatalf("reading a read-only database: %v", err)
	}
	_, err = ro.CreateStack(ctx, &model.Stack{Name: "new"})
	assertStorageError(t, err, "is read-only")
	_, err = ro.MoveNode(ctx, chat.ID, got.Revision, got.APIs[0].ID, model.Position{X: 1, Y: 2})
	assertStorageError(t, err, "is read-only")
	got.Description = "changed"
	_, err = ro.SaveStack(ctx, got)
	assertStorageError(t, err, "is read-only")
	assertStorageError(t, ro.DeleteStack(ctx, chat.ID), "is read-only")
	if again, err := ro.Stack(ctx, chat.ID); err != nil || again.Description == "changed" {
		t.Fatalf("after the refused writes: %v, description %q", err, again.Description)
	}
}

// TestStorage_FullDisk fills the database to a page limit, as a full disk
// does: the save that does not fit says the disk is full, the stack is as
// it was before it, and once there is room again saving works.
func TestStorage_FullDisk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := freshPath(t, "switchboard.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// One connection, so the page limit (a per-connection setting) holds
	// for every statement.
	s.db.SetMaxOpenConns(1)
	st := createExample(t, s, "chat")
	var pages int
	if err := s.db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA max_page_count = `+itoa(pages)); err != nil {
		t.Fatal(err)
	}
	before := st.Clone()
	st.Description = strings.Repeat("x", 1000)
	for i := range 20 {
		st.Functions[0].Environment = map[string]string{"BIG": strings.Repeat(string(rune('a'+i)), 4000)}
		saved, err := s.SaveStack(ctx, st)
		if err != nil {
			assertStorageError(t, err, "is full")
			break
		}
		if i == 19 {
			t.Fatal("20 saves of 4 KB fitted in the page limit")
		}
		st, before = saved, saved.Clone()
	}
	got, err := s.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision != before.Revision || got.Functions[0].Environment["BIG"] != before.Functions[0].Environment["BIG"] {
		t.Fatalf("after the failed save the stack is at revision %d, want %d as before", got.Revision, before.Revision)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA max_page_count = 1000000`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveStack(ctx, st); err != nil {
		t.Fatalf("saving once there is room: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestStorage_CannotOpen: a database in a folder that does not exist says
// it cannot be opened.
func TestStorage_CannotOpen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "switchboard.db")
	_, err := Open(context.Background(), path)
	assertStorageError(t, err, "cannot be opened")
}
