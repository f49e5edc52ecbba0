package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// kindStore is what the store knows of one kind of node in model's
// catalogue: the tables its fields live in, besides the row every node has
// in nodes, how a stack's nodes of the kind become rows and how they are
// read back. Each kind registers one in its own file (kind_api.go …);
// saving and reading ask them in the catalogue's order.
type kindStore struct {
	// tables are the kind's own tables, parents before children.
	tables []*table
	// size adds how many rows st's nodes of the kind put in each table,
	// nodes included, so the row sets are allocated once.
	size func(st *model.Stack, sizes map[*table]int)
	// rows adds the rows of st's nodes of the kind, to nodes and to its
	// own tables.
	rows func(st *model.Stack, sets map[*table]rowSet) error
	// read appends the kind's nodes of the stack to st, in saved order.
	read func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error
}

var kindStores = map[model.Kind]*kindStore{}

// registerKind adds the store of a kind; each kind file calls it once.
func registerKind(k model.Kind, ks *kindStore) {
	if _, dup := kindStores[k]; dup {
		panic(fmt.Sprintf("store: kind %q registered twice", k))
	}
	kindStores[k] = ks
}
