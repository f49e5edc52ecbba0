package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The topic kind: a row in topics (migration 0013).
var topicsCodec = newCodec("topics", true,
	text("id", func(t *model.Topic) *string { return &t.ID }).asKey(),
	text("display_name", func(t *model.Topic) *string { return &t.DisplayName }),
	flag("fifo", func(t *model.Topic) *bool { return &t.FIFO }),
	kept(func(t *model.Topic) *[]model.Kept { return &t.Kept }),
)

func init() {
	registerKind(model.KindTopic, &kindStore{
		tables: []*table{&topicsCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.Topics)
			sizes[&topicsCodec.table] += len(st.Topics)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, t := range st.Topics {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&t.Node, model.KindTopic, i})); err != nil {
					return err
				}
				if err := topicsCodec.add(sets[&topicsCodec.table], t); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, topicsCodec, stackID, func(t *model.Topic) *model.Node { return &t.Node }, func(t *model.Topic) {
				st.Topics = append(st.Topics, t)
			})
		},
	})
}
