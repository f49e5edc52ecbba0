package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The queue kind: a row in queues (migration 0013).
var queuesCodec = newCodec("queues", true,
	text("id", func(q *model.Queue) *string { return &q.ID }).asKey(),
	flag("fifo", func(q *model.Queue) *bool { return &q.FIFO }),
	flag("content_based_deduplication", func(q *model.Queue) *bool { return &q.ContentBasedDeduplication }),
	integer("visibility_timeout", func(q *model.Queue) *int { return &q.VisibilityTimeout }),
	integer("retention_period", func(q *model.Queue) *int { return &q.RetentionPeriod }),
	integer("max_receive_count", func(q *model.Queue) *int { return &q.MaxReceiveCount }),
	kept(func(q *model.Queue) *[]model.Kept { return &q.Kept }),
)

func init() {
	registerKind(model.KindQueue, &kindStore{
		tables: []*table{&queuesCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.Queues)
			sizes[&queuesCodec.table] += len(st.Queues)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, q := range st.Queues {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&q.Node, model.KindQueue, i})); err != nil {
					return err
				}
				if err := queuesCodec.add(sets[&queuesCodec.table], q); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, queuesCodec, stackID, func(q *model.Queue) *model.Node { return &q.Node }, func(q *model.Queue) {
				st.Queues = append(st.Queues, q)
			})
		},
	})
}
