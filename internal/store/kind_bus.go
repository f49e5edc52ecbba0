package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The bus kind: a row in buses (migration 0014).
var busesCodec = newCodec("buses", true,
	text("id", func(x *model.Bus) *string { return &x.ID }).asKey(),
	kept(func(x *model.Bus) *[]model.Kept { return &x.Kept }),
)

func init() {
	registerKind(model.KindBus, &kindStore{
		tables: []*table{&busesCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.Buses)
			sizes[&busesCodec.table] += len(st.Buses)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, x := range st.Buses {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&x.Node, model.KindBus, i})); err != nil {
					return err
				}
				if err := busesCodec.add(sets[&busesCodec.table], x); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, busesCodec, stackID, func(x *model.Bus) *model.Node { return &x.Node }, func(x *model.Bus) {
				st.Buses = append(st.Buses, x)
			})
		},
	})
}
