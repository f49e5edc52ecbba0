package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The tables every stack has, each as a codec from the model; each kind's
// own tables are in its kind file (kind_api.go …). Adding a field to the
// model means adding its column to its codec (and a migration), nothing
// else.
var (
	nodesCodec = newCodec("nodes", false,
		text("id", func(n *nodeRow) *string { return &n.ID }).asKey(),
		text("kind", func(n *nodeRow) *model.Kind { return &n.kind }).asIdentity(),
		integer("ordinal", func(n *nodeRow) *int { return &n.ordinal }),
		text("logical_name", func(n *nodeRow) *string { return &n.Name }).asKeyed(),
		float("x", func(n *nodeRow) *float64 { return &n.Position.X }),
		float("y", func(n *nodeRow) *float64 { return &n.Position.Y }),
	).withPark(
		// 255 characters: the longest name the schema allows, and one no
		// valid stack has, as its derived names (NameLogGroup, NameUrl …)
		// would be longer than CloudFormation allows.
		`UPDATE nodes SET logical_name = printf('%.255s', hex(randomblob(128))) WHERE stack_id = ?1 AND id = ?2`)
	// A wire starts at a route (its integration) or at a node, and the
	// schema checks each in its own column; the kind at its end lets the
	// schema check that end.
	wiresCodec = newCodec("wires", true,
		text("id", func(w *wireRow) *string { return &w.ID }).asKey(),
		integer("ordinal", func(w *wireRow) *int { return &w.ordinal }),
		text("kind", func(w *wireRow) *model.WireKind { return &w.Kind }).asKeyed(),
		computed("from_route", func(w *wireRow) any {
			if model.RouteWire(w.Kind) {
				return w.From
			}
			return nil
		}, wireFrom).asKeyed(),
		computed("from_node", func(w *wireRow) any {
			if !model.RouteWire(w.Kind) {
				return w.From
			}
			return nil
		}, wireFrom).asKeyed(),
		// The kind at the start lets the schema check that end too
		// (migration 0013); a route's wire keeps the column's default.
		computed("from_kind", func(w *wireRow) any {
			if rule, ok := model.WireRuleOf(w.Kind); ok && rule.From != model.KindRoute {
				return string(rule.From)
			}
			return string(model.KindFunction)
		}, nil).asKeyed(),
		text("to_id", func(w *wireRow) *string { return &w.To }).asKeyed(),
		computed("to_kind", func(w *wireRow) any {
			if rule, ok := model.WireRuleOf(w.Kind); ok {
				return string(rule.To)
			}
			return string(model.KindAPI)
		}, nil).asKeyed(),
	)

	// Imported resources Switchboard does not model, and kept template
	// sections (migration 0005). Neither references nodes.
	othersCodec = newCodec("others", true,
		text("id", func(o *otherRow) *string { return &o.ID }).asKey(),
		integer("ordinal", func(o *otherRow) *int { return &o.ordinal }),
		text("logical_name", func(o *otherRow) *string { return &o.Name }).asKeyed(),
		text("type", func(o *otherRow) *string { return &o.Type }),
		rawJSON("resource", func(o *otherRow) *json.RawMessage { return &o.Resource }),
		float("x", func(o *otherRow) *float64 { return &o.Position.X }),
		float("y", func(o *otherRow) *float64 { return &o.Position.Y }),
	)
	sectionsCodec = newCodec("stack_sections", true,
		text("key", func(f *sectionRow) *string { return &f.Key }).asKey(),
		integer("ordinal", func(f *sectionRow) *int { return &f.ordinal }),
		rawJSON("value", func(f *sectionRow) *json.RawMessage { return &f.Value }),
	)

	// Stack parameters and the folder a stack was imported from
	// (migration 0009_stack_parameters).
	parametersCodec = newCodec("stack_parameters", true,
		text("name", func(p *parameterRow) *string { return &p.Name }).asKey(),
		integer("ordinal", func(p *parameterRow) *int { return &p.ordinal }),
		nullableText("default_value", func(p *parameterRow) **string { return &p.Default }),
		text("description", func(p *parameterRow) *string { return &p.Description }),
		text("type", func(p *parameterRow) *string { return &p.Type }),
		allowedValues(),
		flag("no_echo", func(p *parameterRow) *bool { return &p.NoEcho }),
	)
	importedFromCodec = newCodec("stack_imported_from", true,
		text("folder", func(f *string) *string { return f }).asKey(),
	)
)

// allTables is every table, parents before children: inserts go in this
// order, deletes in the reverse one. Each kind's tables come from its
// kindStore, in the catalogue's order, so it is made once kinds have
// registered.
var allTables = sync.OnceValue(func() []*table {
	out := []*table{&nodesCodec.table}
	for _, k := range model.Kinds() {
		out = append(out, kindStores[k.Kind].tables...)
	}
	out = append(out, &wiresCodec.table, &othersCodec.table, &sectionsCodec.table,
		&parametersCodec.table, &importedFromCodec.table)
	return append(out, designTables()...)
})

// The rows of objects that hold less than their row: the columns the
// object's place in the stack gives.
type (
	nodeRow struct {
		*model.Node
		kind    model.Kind
		ordinal int
	}
	wireRow struct {
		model.Wire
		ordinal int
	}
	otherRow struct {
		model.Other
		ordinal int
	}
	sectionRow struct {
		model.Field
		ordinal int
	}
	parameterRow struct {
		model.Parameter
		ordinal int
	}
)

// reuse sets *p to v and returns p.
func reuse[T any](p *T, v T) *T {
	*p = v
	return p
}

// wireFrom reads whichever of from_route and from_node is set.
func wireFrom(w *wireRow, src any) error {
	if src == nil {
		return nil
	}
	var err error
	w.From, err = asText(src)
	return err
}

// kept maps an object's kept parts to its kept column.
func kept[T any](field func(*T) *[]model.Kept) column[T] {
	return column[T]{name: "kept",
		get: func(x *T) (any, error) { return keptJSON(*field(x)) },
		dest: func(x *T) any {
			return scanner(func(src any) error {
				s, err := asText(src)
				if err != nil {
					return err
				}
				return readKept(s, field(x))
			})
		}}
}

// nullableText maps a TEXT column that may be NULL to a *string field, nil
// for NULL.
func nullableText[T any](name string, field func(*T) **string) column[T] {
	return column[T]{name: name,
		get: func(x *T) (any, error) {
			if p := *field(x); p != nil {
				return *p, nil
			}
			return nil, nil
		},
		dest: func(x *T) any {
			return scanner(func(src any) error {
				if src == nil {
					*field(x) = nil
					return nil
				}
				s, err := asText(src)
				*field(x) = &s
				return err
			})
		}}
}

// stackRows returns the rows of every table for st, in the order of
// allTables.
func stackRows(st *model.Stack) ([]rowSet, error) {
	// Sized up front: growing maps of thousands of rows took a third of
	// the time.
	sizes := map[*table]int{
		&wiresCodec.table:        len(st.Wires),
		&othersCodec.table:       len(st.Others),
		&sectionsCodec.table:     len(st.Sections),
		&parametersCodec.table:   len(st.Parameters),
		&importedFromCodec.table: 1,
	}
	for _, k := range model.Kinds() {
		kindStores[k.Kind].size(st, sizes)
	}
	tables := allTables()
	out := make([]rowSet, len(tables))
	sets := make(map[*table]rowSet, len(tables))
	for i, t := range tables {
		out[i] = make(rowSet, sizes[t])
		sets[t] = out[i]
	}
	for _, k := range model.Kinds() {
		if err := kindStores[k.Kind].rows(st, sets); err != nil {
			return nil, err
		}
	}
	// One wrapper a type, reused: a row keeps no pointer into it, and one
	// allocation a row would add thousands to a large stack's save.
	var (
		other otherRow
		sec   sectionRow
		wire  wireRow
		param parameterRow
	)
	for i, o := range st.Others {
		if err := othersCodec.add(sets[&othersCodec.table], reuse(&other, otherRow{*o, i})); err != nil {
			return nil, err
		}
	}
	for i, f := range st.Sections {
		if err := sectionsCodec.add(sets[&sectionsCodec.table], reuse(&sec, sectionRow{f, i})); err != nil {
			return nil, err
		}
	}
	for i, w := range st.Wires {
		if err := wiresCodec.add(sets[&wiresCodec.table], reuse(&wire, wireRow{*w, i})); err != nil {
			return nil, err
		}
	}
	for i, p := range st.Parameters {
		if err := parametersCodec.add(sets[&parametersCodec.table], reuse(&param, parameterRow{*p, i})); err != nil {
			return nil, err
		}
	}
	if st.ImportedFrom != "" {
		if err := importedFromCodec.add(sets[&importedFromCodec.table], &st.ImportedFrom); err != nil {
			return nil, err
		}
	}
	if err := designRows(st, sets); err != nil {
		return nil, err
	}
	return out, nil
}

// keptJSON encodes an object's kept parts for its kept column: "[]" for
// none, so an object that keeps nothing has one encoding.
func keptJSON(kept []model.Kept) (string, error) {
	if len(kept) == 0 {
		return "[]", nil
	}
	data, err := json.Marshal(kept)
	if err != nil {
		return "", fmt.Errorf("encode kept parts: %w", err)
	}
	return string(data), nil
}

// readKept decodes a kept column; "[]" is nil, as in a stack that never
// kept anything.
func readKept(data string, into *[]model.Kept) error {
	if data == "[]" || data == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(data), into); err != nil {
		return fmt.Errorf("decode kept parts: %w", err)
	}
	return nil
}

// readState reads the current state of the stack from the normalized
// tables into st, in the order it was saved.
func readState(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
	for _, k := range model.Kinds() {
		if err := kindStores[k.Kind].read(ctx, tx, stackID, st); err != nil {
			return err
		}
	}
	args := []any{stackID}
	err := scanAll(ctx, tx, wiresCodec, wiresCodec.selectSQL+` ORDER BY ordinal`, args, func(w *wireRow) error {
		st.Wires = append(st.Wires, &w.Wire)
		return nil
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, tx, othersCodec, othersCodec.selectSQL+` ORDER BY ordinal`, args, func(o *otherRow) error {
		st.Others = append(st.Others, &o.Other)
		return nil
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, tx, sectionsCodec, sectionsCodec.selectSQL+` ORDER BY ordinal`, args, func(f *sectionRow) error {
		st.Sections = append(st.Sections, f.Field)
		return nil
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, tx, parametersCodec, parametersCodec.selectSQL+` ORDER BY ordinal`, args, func(p *parameterRow) error {
		st.Parameters = append(st.Parameters, &p.Parameter)
		return nil
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, tx, importedFromCodec, importedFromCodec.selectSQL, args, func(f *string) error {
		st.ImportedFrom = *f
		return nil
	})
	if err != nil {
		return err
	}
	return readDesign(ctx, tx, stackID, st)
}

// readNodes reads the objects of one kind, each its node's row joined with
// its row in c, in the order of the stack.
func readNodes[T any](ctx context.Context, tx *sql.Tx, c *codec[T], stackID int64, node func(*T) *model.Node, got func(*T)) error {
	query := fmt.Sprintf(`SELECT %s, %s FROM nodes n JOIN %s t USING (stack_id, id) WHERE n.stack_id = ? ORDER BY n.ordinal`,
		nodesCodec.columnList("n"), c.columnList("t"), c.name)
	return each(ctx, tx, query, []any{stackID}, func(rows *sql.Rows) error {
		x := new(T)
		if err := rows.Scan(append(nodesCodec.dests(&nodeRow{Node: node(x)}), c.dests(x)...)...); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		got(x)
		return nil
	})
}
