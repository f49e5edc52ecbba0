package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The bucket kind: a row in buckets (migration 0014).
var bucketsCodec = newCodec("buckets", true,
	text("id", func(x *model.Bucket) *string { return &x.ID }).asKey(),
	text("bucket_name", func(x *model.Bucket) *string { return &x.BucketName }),
	flag("versioned", func(x *model.Bucket) *bool { return &x.Versioned }),
	jsonList("events", func(x *model.Bucket) *[]string { return &x.Events }),
	text("deletion_policy", func(x *model.Bucket) *model.DeletionPolicy { return &x.DeletionPolicy }),
	kept(func(x *model.Bucket) *[]model.Kept { return &x.Kept }),
)

func init() {
	registerKind(model.KindBucket, &kindStore{
		tables: []*table{&bucketsCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.Buckets)
			sizes[&bucketsCodec.table] += len(st.Buckets)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, x := range st.Buckets {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&x.Node, model.KindBucket, i})); err != nil {
					return err
				}
				if err := bucketsCodec.add(sets[&bucketsCodec.table], x); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, bucketsCodec, stackID, func(x *model.Bucket) *model.Node { return &x.Node }, func(x *model.Bucket) {
				st.Buckets = append(st.Buckets, x)
			})
		},
	})
}
