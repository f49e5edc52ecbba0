// Package migrations holds the SQL files that build Switchboard's SQLite
// schema, embedded so the binary carries them. It is a package of its own
// because go:embed cannot reach into a parent folder.
//
// Files are named NNNN_what.sql and applied in name order by the store, each
// in its own transaction. Add new files at the end; never edit one that has
// shipped, since databases out there already ran it.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
