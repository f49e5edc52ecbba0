package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The stream kind: a row in streams (migration 0014).
var streamsCodec = newCodec("streams", true,
	text("id", func(x *model.Stream) *string { return &x.ID }).asKey(),
	flag("on_demand", func(x *model.Stream) *bool { return &x.OnDemand }),
	integer("shard_count", func(x *model.Stream) *int { return &x.ShardCount }),
	integer("retention_hours", func(x *model.Stream) *int { return &x.RetentionHours }),
	kept(func(x *model.Stream) *[]model.Kept { return &x.Kept }),
)

func init() {
	registerKind(model.KindStream, &kindStore{
		tables: []*table{&streamsCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.Streams)
			sizes[&streamsCodec.table] += len(st.Streams)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, x := range st.Streams {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&x.Node, model.KindStream, i})); err != nil {
					return err
				}
				if err := streamsCodec.add(sets[&streamsCodec.table], x); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, streamsCodec, stackID, func(x *model.Stream) *model.Node { return &x.Node }, func(x *model.Stream) {
				st.Streams = append(st.Streams, x)
			})
		},
	})
}
