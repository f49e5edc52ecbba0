package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The state machine kind: a row in state_machines (migration 0013), its
// definition held whole; an empty path is a definition kept in the
// template.
var stateMachinesCodec = newCodec("state_machines", true,
	text("id", func(m *model.StateMachine) *string { return &m.ID }).asKey(),
	text("type", func(m *model.StateMachine) *model.StateMachineType { return &m.Type }),
	text("definition", func(m *model.StateMachine) *string { return &m.Definition }),
	text("definition_path", func(m *model.StateMachine) *string { return &m.DefinitionPath }),
	kept(func(m *model.StateMachine) *[]model.Kept { return &m.Kept }),
)

func init() {
	registerKind(model.KindStateMachine, &kindStore{
		tables: []*table{&stateMachinesCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.StateMachines)
			sizes[&stateMachinesCodec.table] += len(st.StateMachines)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, m := range st.StateMachines {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&m.Node, model.KindStateMachine, i})); err != nil {
					return err
				}
				if err := stateMachinesCodec.add(sets[&stateMachinesCodec.table], m); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, stateMachinesCodec, stackID, func(m *model.StateMachine) *model.Node { return &m.Node }, func(m *model.StateMachine) {
				st.StateMachines = append(st.StateMachines, m)
			})
		},
	})
}
