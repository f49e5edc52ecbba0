package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The function kind: a row in functions, one in function_env per
// environment variable.
var (
	functionsCodec = newCodec("functions", false,
		text("id", func(f *model.Function) *string { return &f.ID }).asKey(),
		text("description", func(f *model.Function) *string { return &f.Description }),
		text("runtime", func(f *model.Function) *string { return &f.Runtime }),
		text("handler", func(f *model.Function) *string { return &f.Handler }),
		// "." (the stack's own folder, a serverless service's) is written
		// "./": the column's CHECK, from before "." was a code path,
		// refuses "." and SQLite cannot change a CHECK in place.
		computed("code_path", func(f *model.Function) any {
			if f.CodePath == "." {
				return "./"
			}
			return f.CodePath
		}, func(f *model.Function, src any) error {
			s, err := asText(src)
			if s == "./" {
				s = "."
			}
			f.CodePath = s
			return err
		}),
		integer("memory_size", func(f *model.Function) *int { return &f.MemorySize }),
		integer("timeout", func(f *model.Function) *int { return &f.Timeout }),
		integer("log_retention_days", func(f *model.Function) *int { return &f.LogRetentionDays }),
		text("log_deletion_policy", func(f *model.Function) *model.DeletionPolicy { return &f.LogDeletionPolicy }),
		kept(func(f *model.Function) *[]model.Kept { return &f.Kept }),
	)
	// A function's Environment, one row a variable.
	envCodec = newCodec("function_env", true,
		text("function_id", func(e *envRow) *string { return &e.functionID }).asKey(),
		text("name", func(e *envRow) *string { return &e.name }).asKey(),
		text("value", func(e *envRow) *string { return &e.value }),
	)
)

type envRow struct{ functionID, name, value string }

func init() {
	registerKind(model.KindFunction, &kindStore{
		tables: []*table{&functionsCodec.table, &envCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			env := 0
			for _, f := range st.Functions {
				env += len(f.Environment)
			}
			sizes[&nodesCodec.table] += len(st.Functions)
			sizes[&functionsCodec.table] += len(st.Functions)
			sizes[&envCodec.table] += env
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var (
				node   nodeRow
				envVar envRow
			)
			for i, f := range st.Functions {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&f.Node, model.KindFunction, i})); err != nil {
					return err
				}
				if err := functionsCodec.add(sets[&functionsCodec.table], f); err != nil {
					return err
				}
				for name, value := range f.Environment {
					if err := envCodec.add(sets[&envCodec.table], reuse(&envVar, envRow{f.ID, name, value})); err != nil {
						return err
					}
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			functions := map[string]*model.Function{}
			err := readNodes(ctx, tx, functionsCodec, stackID, func(f *model.Function) *model.Node { return &f.Node }, func(f *model.Function) {
				st.Functions = append(st.Functions, f)
				functions[f.ID] = f
			})
			if err != nil {
				return err
			}
			return scanAll(ctx, tx, envCodec, envCodec.selectSQL, []any{stackID}, func(e *envRow) error {
				if f := functions[e.functionID]; f != nil {
					if f.Environment == nil {
						f.Environment = map[string]string{}
					}
					f.Environment[e.name] = e.value
				}
				return nil
			})
		},
	})
}
