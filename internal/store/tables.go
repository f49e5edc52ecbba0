package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The tables, each as a codec from the model, parents before children:
// inserts go in this order, deletes in the reverse one. Adding a field to the
// model means adding its column here (and in a migration), nothing else.
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
	apisCodec = newCodec("apis", false,
		text("id", func(a *model.API) *string { return &a.ID }).asKey(),
		text("description", func(a *model.API) *string { return &a.Description }),
		text("route_selection_expression", func(a *model.API) *string { return &a.RouteSelectionExpression }),
		text("api_key_selection_expression", func(a *model.API) *string { return &a.APIKeySelectionExpression }),
		text("stage_name", func(a *model.API) *string { return &a.StageName }),
		kept(func(a *model.API) *[]model.Kept { return &a.Kept }),
	)
	routesCodec = newCodec("routes", false,
		text("id", func(r *routeRow) *string { return &r.ID }).asKey(),
		text("api_id", func(r *routeRow) *string { return &r.apiID }).asIdentity(),
		integer("ordinal", func(r *routeRow) *int { return &r.ordinal }),
		text("route_key", func(r *routeRow) *string { return &r.Key }).asKeyed(),
		flag("two_way", func(r *routeRow) *bool { return &r.TwoWay }),
		flag("api_key_required", func(r *routeRow) *bool { return &r.APIKeyRequired }),
		flag("authorized", func(r *routeRow) *bool { return &r.Authorized }),
		kept(func(r *routeRow) *[]model.Kept { return &r.Kept }),
	).withPark(
		// A key the route_key CHECK accepts; random, so it collides with
		// none. A route moved to another API is rewritten instead: should
		// its old API go in the same save, the delete would cascade to it.
		`UPDATE routes SET route_key = 'z' || hex(randomblob(63)) WHERE stack_id = ?1 AND id = ?2`)
	authorizersCodec = newCodec("authorizers", true,
		text("api_id", func(a *authorizerRow) *string { return &a.apiID }).asKey(),
		text("name", func(a *authorizerRow) *string { return &a.Name }),
		jsonList("identity_sources", func(a *authorizerRow) *[]string { return &a.IdentitySources }),
	)
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
	// A wire starts at a route (integration) or at a function, and the
	// schema checks each in its own column; the kind at its end lets the
	// schema check that end.
	wiresCodec = newCodec("wires", true,
		text("id", func(w *wireRow) *string { return &w.ID }).asKey(),
		integer("ordinal", func(w *wireRow) *int { return &w.ordinal }),
		text("kind", func(w *wireRow) *model.WireKind { return &w.Kind }).asKeyed(),
		computed("from_route", func(w *wireRow) any {
			if w.Kind == model.WireIntegration {
				return w.From
			}
			return nil
		}, wireFrom).asKeyed(),
		computed("from_node", func(w *wireRow) any {
			if w.Kind != model.WireIntegration {
				return w.From
			}
			return nil
		}, wireFrom).asKeyed(),
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
	// (migration 0009).
	parametersCodec = newCodec("stack_parameters", true,
		text("name", func(p *parameterRow) *string { return &p.Name }).asKey(),
		integer("ordinal", func(p *parameterRow) *int { return &p.ordinal }),
		nullableText("default_value", func(p *parameterRow) **string { return &p.Default }),
		text("description", func(p *parameterRow) *string { return &p.Description }),
	)
	importedFromCodec = newCodec("stack_imported_from", true,
		text("folder", func(f *string) *string { return f }).asKey(),
	)

	tables = []*table{&nodesCodec.table, &apisCodec.table, &routesCodec.table, &authorizersCodec.table, &functionsCodec.table,
		&envCodec.table, &dynamoCodec.table, &wiresCodec.table, &othersCodec.table, &sectionsCodec.table,
		&parametersCodec.table, &importedFromCodec.table}
)

// The rows of objects that hold less than their row: the columns the
// object's place in the stack gives.
type (
	nodeRow struct {
		*model.Node
		kind    model.Kind
		ordinal int
	}
	routeRow struct {
		model.Route
		apiID   string
		ordinal int
	}
	authorizerRow struct {
		model.Authorizer
		apiID string
	}
	envRow  struct{ functionID, name, value string }
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

func sortKey(t *model.Table) *model.Key {
	if t.SortKey == nil {
		t.SortKey = &model.Key{}
	}
	return t.SortKey
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

// jsonList maps a list of strings to a TEXT column holding a JSON array, "[]"
// for none.
func jsonList[T any](name string, field func(*T) *[]string) column[T] {
	return column[T]{name: name,
		get: func(x *T) (any, error) {
			list := *field(x)
			if list == nil {
				list = []string{}
			}
			js, err := json.Marshal(list)
			return string(js), err
		},
		dest: func(x *T) any {
			return scanner(func(src any) error {
				s, err := asText(src)
				if err != nil {
					return err
				}
				return json.Unmarshal([]byte(s), field(x))
			})
		}}
}

// stackRows returns the rows of every table for st, in the order of tables.
func stackRows(st *model.Stack) ([]rowSet, error) {
	// Sized up front: growing maps of thousands of rows took a third of
	// the time.
	routes, env := 0, 0
	for _, a := range st.APIs {
		routes += len(a.Routes)
	}
	for _, f := range st.Functions {
		env += len(f.Environment)
	}
	sizes := map[*table]int{
		&nodesCodec.table:        len(st.APIs) + len(st.Functions) + len(st.Tables),
		&apisCodec.table:         len(st.APIs),
		&routesCodec.table:       routes,
		&functionsCodec.table:    len(st.Functions),
		&envCodec.table:          env,
		&dynamoCodec.table:       len(st.Tables),
		&wiresCodec.table:        len(st.Wires),
		&othersCodec.table:       len(st.Others),
		&sectionsCodec.table:     len(st.Sections),
		&parametersCodec.table:   len(st.Parameters),
		&importedFromCodec.table: 1,
	}
	out := make([]rowSet, len(tables))
	sets := make(map[*table]rowSet, len(tables))
	for i, t := range tables {
		out[i] = make(rowSet, sizes[t])
		sets[t] = out[i]
	}
	nodes := sets[&nodesCodec.table]
	// One wrapper a type, reused: a row keeps no pointer into it, and one
	// allocation a row would add thousands to a large stack's save.
	var (
		node   nodeRow
		route  routeRow
		auth   authorizerRow
		envVar envRow
		other  otherRow
		sec    sectionRow
		wire   wireRow
		param  parameterRow
	)
	for i, a := range st.APIs {
		if err := nodesCodec.add(nodes, reuse(&node, nodeRow{&a.Node, model.KindAPI, i})); err != nil {
			return nil, err
		}
		if err := apisCodec.add(sets[&apisCodec.table], a); err != nil {
			return nil, err
		}
		for j, r := range a.Routes {
			if err := routesCodec.add(sets[&routesCodec.table], reuse(&route, routeRow{*r, a.ID, j})); err != nil {
				return nil, err
			}
		}
		if a.Authorizer != nil {
			if err := authorizersCodec.add(sets[&authorizersCodec.table], reuse(&auth, authorizerRow{*a.Authorizer, a.ID})); err != nil {
				return nil, err
			}
		}
	}
	for i, f := range st.Functions {
		if err := nodesCodec.add(nodes, reuse(&node, nodeRow{&f.Node, model.KindFunction, i})); err != nil {
			return nil, err
		}
		if err := functionsCodec.add(sets[&functionsCodec.table], f); err != nil {
			return nil, err
		}
		for name, value := range f.Environment {
			if err := envCodec.add(sets[&envCodec.table], reuse(&envVar, envRow{f.ID, name, value})); err != nil {
				return nil, err
			}
		}
	}
	for i, t := range st.Tables {
		if err := nodesCodec.add(nodes, reuse(&node, nodeRow{&t.Node, model.KindTable, i})); err != nil {
			return nil, err
		}
		if err := dynamoCodec.add(sets[&dynamoCodec.table], t); err != nil {
			return nil, err
		}
	}
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
	args := []any{stackID}
	apis := map[string]*model.API{}
	err := readNodes(ctx, tx, apisCodec, stackID, func(a *model.API) *model.Node { return &a.Node }, func(a *model.API) {
		st.APIs = append(st.APIs, a)
		apis[a.ID] = a
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, tx, routesCodec, routesCodec.selectSQL+` ORDER BY api_id, ordinal`, args, func(r *routeRow) error {
		if a := apis[r.apiID]; a != nil {
			a.Routes = append(a.Routes, &r.Route)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, tx, authorizersCodec, authorizersCodec.selectSQL, args, func(au *authorizerRow) error {
		if a := apis[au.apiID]; a != nil {
			a.Authorizer = &au.Authorizer
		}
		return nil
	})
	if err != nil {
		return err
	}

	functions := map[string]*model.Function{}
	err = readNodes(ctx, tx, functionsCodec, stackID, func(f *model.Function) *model.Node { return &f.Node }, func(f *model.Function) {
		st.Functions = append(st.Functions, f)
		functions[f.ID] = f
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, tx, envCodec, envCodec.selectSQL, args, func(e *envRow) error {
		if f := functions[e.functionID]; f != nil {
			if f.Environment == nil {
				f.Environment = map[string]string{}
			}
			f.Environment[e.name] = e.value
		}
		return nil
	})
	if err != nil {
		return err
	}

	err = readNodes(ctx, tx, dynamoCodec, stackID, func(t *model.Table) *model.Node { return &t.Node }, func(t *model.Table) {
		st.Tables = append(st.Tables, t)
	})
	if err != nil {
		return err
	}
	err = scanAll(ctx, tx, wiresCodec, wiresCodec.selectSQL+` ORDER BY ordinal`, args, func(w *wireRow) error {
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
	return scanAll(ctx, tx, importedFromCodec, importedFromCodec.selectSQL, args, func(f *string) error {
		st.ImportedFrom = *f
		return nil
	})
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
