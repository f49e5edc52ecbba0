package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The rule kind: a row in rules (migration 0014).
var rulesCodec = newCodec("rules", true,
	text("id", func(x *model.Rule) *string { return &x.ID }).asKey(),
	text("description", func(x *model.Rule) *string { return &x.Description }),
	text("event_pattern", func(x *model.Rule) *string { return &x.EventPattern }),
	text("schedule", func(x *model.Rule) *string { return &x.Schedule }),
	flag("disabled", func(x *model.Rule) *bool { return &x.Disabled }),
	kept(func(x *model.Rule) *[]model.Kept { return &x.Kept }),
)

func init() {
	registerKind(model.KindRule, &kindStore{
		tables: []*table{&rulesCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.Rules)
			sizes[&rulesCodec.table] += len(st.Rules)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, x := range st.Rules {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&x.Node, model.KindRule, i})); err != nil {
					return err
				}
				if err := rulesCodec.add(sets[&rulesCodec.table], x); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, rulesCodec, stackID, func(x *model.Rule) *model.Node { return &x.Node }, func(x *model.Rule) {
				st.Rules = append(st.Rules, x)
			})
		},
	})
}
