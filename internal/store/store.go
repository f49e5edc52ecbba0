// Package store keeps stacks in a SQLite database: the current state of each
// stack in normalized tables whose constraints repeat the model's rules, and
// every revision as a full JSON document for history, undo and redo.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/switchboard-dev/switchboard/internal/migrations"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Store is a Switchboard database. It is safe for concurrent use, also with
// other Stores and other processes on the same file. The stack tables are
// meant to be written through a Store only: a Store trusts the rows it wrote
// last until the stack's state token changes (see writeState).
type Store struct {
	db *sql.DB
	// writeMu makes this Store's write transactions take turns before they
	// reach SQLite. Without it, concurrent writers wait in SQLite's busy
	// handler, whose sleeps grow to 100 ms, which gave a 2 s p99 with 32
	// clients moving nodes at once. Other processes still queue on
	// busy_timeout.
	writeMu sync.Mutex
	path    string
	// now returns the time recorded on changes; tests replace it.
	now func() time.Time

	mu sync.Mutex
	// states holds the rows this Store last wrote for some stacks, by
	// stack ID (see writeState).
	states map[int64]stateCache
	// moves holds the last move this Store saved for some stacks, by stack
	// ID, so the next move of the same node can join its revision.
	moves map[int64]moveMark
	// recent holds the states of the last revisions this Store wrote,
	// by stack ID and revision: the bases a stale edit is merged from
	// (issue 15), without reading and parsing their documents again.
	recent map[int64]map[int64]*model.Stack

	// wrote tells the checkpointer a write committed; closing stops it and
	// checkpointed is closed when it has.
	wrote        chan struct{}
	stop         chan struct{}
	stopOnce     sync.Once
	checkpointed chan struct{}
}

// Open opens, creating it if needed, the database at path and brings its
// schema up to date. It refuses a database migrated by a newer Switchboard.
//
// A database file with no write permission at all (chmod a-w) is opened
// read-only, also by root, whom permissions do not stop: the user said it
// is not to change. Reading works; a write returns ErrStorage saying so.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, migrations.FS)
}

// open is Open with the migrations of fsys, for tests that need an older
// schema.
func open(ctx context.Context, path string, fsys fs.FS) (*Store, error) {
	readOnly := false
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o222 == 0 {
		readOnly = true
	}
	db, err := sql.Open("sqlite", dsn(path, readOnly))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if path == ":memory:" {
		// Each connection would open a database of its own
		// (STYLE.md §11); one connection keeps one database.
		db.SetMaxOpenConns(1)
	} else {
		// database/sql keeps 2 idle connections by default and closes the
		// rest; a new connection parses the schema again and applies every
		// pragma (~1 ms, under the pool's lock). Fifty live views catching
		// up at once made the pool open and close connections all the time
		// (issue 15's BenchmarkLiveViews); a few more kept idle end that,
		// and an idle one is still closed after a minute.
		db.SetMaxIdleConns(maxIdleConns)
		db.SetConnMaxIdleTime(time.Minute)
	}
	s := &Store{
		db: db, path: path, now: func() time.Time { return time.Now().UTC() }, states: map[int64]stateCache{}, moves: map[int64]moveMark{},
		recent: map[int64]map[int64]*model.Stack{},
		wrote:  make(chan struct{}, 1), stop: make(chan struct{}), checkpointed: make(chan struct{}),
	}
	if err := s.migrate(ctx, fsys); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, s.storageError(err))
	}
	go s.checkpointer()
	return s, nil
}

// maxIdleConns is how many connections the pool keeps open between
// requests: enough for the server's concurrent readers.
const maxIdleConns = 16

// checkpointInterval spaces the background checkpoints.
const checkpointInterval = 200 * time.Millisecond

// checkpointer copies the write-ahead log back into the database in the
// background, after writes and at most every checkpointInterval. SQLite's
// automatic checkpoint (off in dsn) runs inside the commit that crosses
// 1,000 log pages, so every twentieth or so move of a large stack took
// 15–20 ms longer; a passive checkpoint here blocks no reader or writer.
func (s *Store) checkpointer() {
	defer close(s.checkpointed)
	for {
		select {
		case <-s.stop:
			return
		case <-s.wrote:
		}
		// A failed passive checkpoint (busy readers) is retried after the
		// next write; the log only grows meanwhile.
		_, _ = s.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		select {
		case <-s.stop:
			return
		case <-time.After(checkpointInterval):
		}
	}
}

// dsn returns the modernc.org/sqlite data source name for the file. Every
// pragma is applied to each new connection of the pool; see
// https://pkg.go.dev/modernc.org/sqlite#Driver.Open.
func dsn(file string, readOnly bool) string {
	q := url.Values{}
	if readOnly {
		q.Set("mode", "ro")
	}
	q.Add("_pragma", "foreign_keys(1)") // SQLite ships with foreign keys off; the schema depends on them.
	// Wait up to 5 s for another connection's write lock rather than fail at
	// once with SQLITE_BUSY. modernc applies it before the other pragmas, so
	// switching to WAL also waits.
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")   // Readers and the one writer do not block each other.
	q.Add("_pragma", "synchronous(NORMAL)") // Safe in WAL mode: a crash may lose the last commits, never corrupt.
	// Checkpoints run in the background (Store.checkpointer), not in the
	// commit that happens to fill the log; the last connection to close
	// still checkpoints, so other processes leave no large log behind.
	q.Add("_pragma", "wal_autocheckpoint(0)")
	// BEGIN IMMEDIATE takes the write lock when a write transaction starts.
	// A deferred BEGIN would take it at the first write, and a connection
	// that has read must fail with SQLITE_BUSY when it cannot upgrade, since
	// waiting could deadlock; taken up front, writers just queue on
	// busy_timeout. Read-only transactions (sql.TxOptions.ReadOnly) still
	// begin deferred, so reads never wait for writers.
	q.Set("_txlock", "immediate")
	// A file: URI, so that SQLite applies the pragmas' query and nothing
	// in the file name is taken for one: '?', '#' and '%' are escaped.
	return "file:" + (&url.URL{Path: file}).EscapedPath() + "?" + q.Encode()
}

// Path is the database file the Store was opened on. Files that belong with
// the database, such as Git credentials and clones, live next to it.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.checkpointed
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// migration is one embedded SQL file.
type migration struct {
	version int64
	name    string
	sql     string
	// foreignKeysOff runs the migration with foreign keys off, as SQLite
	// asks of one that rebuilds a table others reference (the "12 steps" of
	// its ALTER TABLE page); the keys are checked before it commits. A file
	// asks for it with foreignKeysOffMark as its first line.
	foreignKeysOff bool
}

const foreignKeysOffMark = "-- switchboard: foreign_keys off"

// readMigrations returns the files of fsys in version order. A file is
// named NNNN_what.sql; NNNN is its version.
func readMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var ms []migration
	for _, name := range names {
		prefix, _, _ := strings.Cut(name, "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must start with a version number, like 0002_", name)
		}
		if len(ms) > 0 && ms[len(ms)-1].version >= v {
			return nil, fmt.Errorf("migration %s: version %d is not above %s", name, v, ms[len(ms)-1].name)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: path.Base(name), sql: string(data),
			foreignKeysOff: strings.HasPrefix(string(data), foreignKeysOffMark+"\n")})
	}
	return ms, nil
}

// migrate applies the migrations the database has not recorded, each in its
// own transaction, in version order (wtf sqlite/sqlite.go, miniflux
// database/migrations.go).
func (s *Store) migrate(ctx context.Context, fsys fs.FS) error {
	ms, err := readMigrations(fsys)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	known := int64(0)
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	for _, m := range ms {
		if err := s.migrateOne(ctx, m, known); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	// A database with nothing left to apply still has to be checked.
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	return checkNotNewer(ctx, tx, known)
}

// migrateOne applies m unless the database records it. The check runs inside
// the write transaction, so two processes opening a new file at once cannot
// both apply it.
func (s *Store) migrateOne(ctx context.Context, m migration, known int64) error {
	// One connection, so that the foreign_keys pragma and the transaction
	// share it.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if m.foreignKeysOff {
		// The pragma is a no-op inside a transaction, so it comes first,
		// and the connection goes back to the pool with keys on.
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := checkNotNewer(ctx, tx, known); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if m.foreignKeysOff {
		if err := checkForeignKeys(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, formatTime(s.now())); err != nil {
		return err
	}
	return tx.Commit()
}

// checkForeignKeys fails if any row breaks a foreign key, naming the first.
func checkForeignKeys(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int64
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		return fmt.Errorf("a row of %s (rowid %v) references a missing row of %s", table, rowid.Int64, parent)
	}
	return rows.Err()
}

// checkNotNewer refuses a database whose schema is newer than this build's:
// this build would not know what the newer tables mean and could corrupt
// them.
func checkNotNewer(ctx context.Context, tx *sql.Tx, known int64) error {
	var newest sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return err
	}
	if newest.Int64 > known {
		return model.Errorf(model.EINVALID,
			"database was migrated by a newer Switchboard (schema %d, this build knows %d); upgrade Switchboard",
			newest.Int64, known)
	}
	return nil
}

// Times are stored as RFC 3339 text in UTC, which sorts and reads well in
// the sqlite3 shell.
const timeFormat = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeFormat, s) }

// constraintError turns a constraint violation into a model error a user can
// act on; it returns err unchanged for anything else. name is the stack's.
func constraintError(err error, name string) error {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_CONSTRAINT {
		return err
	}
	msg := se.Error()
	// modernc reports "constraint failed: <SQLite's message> (<code>)".
	if _, after, ok := strings.Cut(msg, "constraint failed: "); ok {
		msg = after
	}
	if i := strings.LastIndex(msg, " ("); i > 0 {
		msg = msg[:i]
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		if strings.Contains(msg, "stacks.name") {
			return model.Errorf(model.ECONFLICT, "a stack named %q already exists", name)
		}
		return model.Errorf(model.EINVALID, "stack %q: two things share what must be unique (%s)", name, msg)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return model.Errorf(model.EINVALID, "stack %q: something refers to a resource, route or revision that is not there, or is of the wrong kind (%s)", name, msg)
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		return model.Errorf(model.EINVALID, "stack %q: a value is out of range (%s)", name, msg)
	}
	return model.Errorf(model.EINVALID, "stack %q: %s", name, msg)
}

// ErrStorage is in the chain of every error that comes from the database
// file or its disk rather than from what was asked: a full disk, a
// read-only file, one that cannot be opened, an I/O error. Such an error
// also carries a *model.Error whose message says which, for the user; the
// transaction it ended was rolled back, so what was saved before is intact.
var ErrStorage = errors.New("the database file cannot be used")

// storageFailure is an error of the database file: a message for the user,
// ErrStorage, and SQLite's error for the log.
type storageFailure struct {
	user *model.Error
	err  error
}

func (e *storageFailure) Error() string   { return e.user.Message + " (" + e.err.Error() + ")" }
func (e *storageFailure) Unwrap() []error { return []error{e.user, ErrStorage, e.err} }

// storageError turns SQLite's errors about the file itself into a
// storageFailure naming the database; it returns any other err unchanged.
func (s *Store) storageError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) || errors.Is(err, ErrStorage) {
		return err
	}
	var msg string
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL:
		msg = "The disk holding the database %s is full, so this change was not saved; what was saved before is intact. Free some space and try again."
	case sqlite3.SQLITE_READONLY:
		msg = "The database %s is read-only, so this change was not saved; what was saved before is intact. Check that you may write to the file and its folder."
	case sqlite3.SQLITE_CANTOPEN:
		msg = "The database %s cannot be opened: check that its folder exists and that you may write to it."
	case sqlite3.SQLITE_IOERR:
		msg = "A disk error stopped reading or writing the database %s; this change was not saved."
	default:
		return err
	}
	return &storageFailure{user: model.Errorf(model.EINTERNAL, msg, s.path), err: err}
}

// beginWrite begins a write transaction (BEGIN IMMEDIATE, see dsn) once this
// Store's other writers are done. The returned func rolls back whatever was
// not committed and lets the next writer in; defer it.
func (s *Store) beginWrite(ctx context.Context) (*sql.Tx, func(), error) {
	s.writeMu.Lock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		s.writeMu.Unlock()
		return nil, nil, err
	}
	return tx, func() {
		_ = tx.Rollback()
		s.writeMu.Unlock()
		select {
		case s.wrote <- struct{}{}:
		default: // a checkpoint is already due
		}
	}, nil
}
