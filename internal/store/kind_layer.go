package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The layer kind: a row in layers (migration 0015).
var layersCodec = newCodec("layers", true,
	text("id", func(l *model.Layer) *string { return &l.ID }).asKey(),
	text("description", func(l *model.Layer) *string { return &l.Description }),
	text("content_path", func(l *model.Layer) *string { return &l.ContentPath }),
	jsonItems("compatible_runtimes", func(l *model.Layer) *[]string { return &l.CompatibleRuntimes }),
	kept(func(l *model.Layer) *[]model.Kept { return &l.Kept }),
)

func init() {
	registerKind(model.KindLayer, &kindStore{
		tables: []*table{&layersCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.Layers)
			sizes[&layersCodec.table] += len(st.Layers)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, l := range st.Layers {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&l.Node, model.KindLayer, i})); err != nil {
					return err
				}
				if err := layersCodec.add(sets[&layersCodec.table], l); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, layersCodec, stackID, func(l *model.Layer) *model.Node { return &l.Node }, func(l *model.Layer) {
				st.Layers = append(st.Layers, l)
			})
		},
	})
}

// jsonItems maps a TEXT column holding a JSON array to a slice field: an
// empty slice is "[]" and reads back as nil, as a stack document has it.
func jsonItems[T, V any](name string, field func(*T) *[]V) column[T] {
	return column[T]{name: name,
		get: func(x *T) (any, error) {
			if len(*field(x)) == 0 {
				return "[]", nil
			}
			b, err := json.Marshal(*field(x))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return string(b), nil
		},
		dest: func(x *T) any {
			return scanner(func(src any) error {
				s, err := asText(src)
				if err != nil {
					return err
				}
				var v []V
				if err := json.Unmarshal([]byte(s), &v); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				if len(v) == 0 {
					v = nil
				}
				*field(x) = v
				return nil
			})
		}}
}
