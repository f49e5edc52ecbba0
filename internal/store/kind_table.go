package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The table kind: a row in dynamo_tables.
var (
	dynamoCodec = newCodec("dynamo_tables", true,
		text("id", func(t *model.Table) *string { return &t.ID }).asKey(),
		text("pk_name", func(t *model.Table) *string { return &t.PartitionKey.Name }),
		text("pk_type", func(t *model.Table) *model.AttributeType { return &t.PartitionKey.Type }),
		// No sort key is NULL in both columns.
		computed("sk_name", func(t *model.Table) any {
			if t.SortKey == nil {
				return nil
			}
			return t.SortKey.Name
		}, func(t *model.Table, src any) error {
			if src == nil {
				return nil
			}
			s, err := asText(src)
			sortKey(t).Name = s
			return err
		}),
		computed("sk_type", func(t *model.Table) any {
			if t.SortKey == nil {
				return nil
			}
			return string(t.SortKey.Type)
		}, func(t *model.Table, src any) error {
			if src == nil {
				return nil
			}
			s, err := asText(src)
			sortKey(t).Type = model.AttributeType(s)
			return err
		}),
		text("billing_mode", func(t *model.Table) *model.BillingMode { return &t.BillingMode }),
		integer("read_capacity", func(t *model.Table) *int { return &t.ReadCapacity }),
		integer("write_capacity", func(t *model.Table) *int { return &t.WriteCapacity }),
		text("ttl_attribute", func(t *model.Table) *string { return &t.TTLAttribute }),
		text("deletion_policy", func(t *model.Table) *model.DeletionPolicy { return &t.DeletionPolicy }),
		kept(func(t *model.Table) *[]model.Kept { return &t.Kept }),
	)
)

func init() {
	registerKind(model.KindTable, &kindStore{
		tables: []*table{&dynamoCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.Tables)
			sizes[&dynamoCodec.table] += len(st.Tables)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, t := range st.Tables {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&t.Node, model.KindTable, i})); err != nil {
					return err
				}
				if err := dynamoCodec.add(sets[&dynamoCodec.table], t); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, dynamoCodec, stackID, func(t *model.Table) *model.Node { return &t.Node }, func(t *model.Table) {
				st.Tables = append(st.Tables, t)
			})
		},
	})
}

func sortKey(t *model.Table) *model.Key {
	if t.SortKey == nil {
		t.SortKey = &model.Key{}
	}
	return t.SortKey
}
