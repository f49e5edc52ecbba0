package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The stack's design beyond its nodes (migration 0016_environments): the
// fields of nodes that take a parameter, and environments.
var (
	nodeParamsCodec = newCodec("node_parameters", true,
		text("node_id", func(r *nodeParamRow) *string { return &r.nodeID }).asKey(),
		text("field", func(r *nodeParamRow) *string { return &r.Field }).asKey(),
		text("parameter", func(r *nodeParamRow) *string { return &r.Parameter }),
		integer("ordinal", func(r *nodeParamRow) *int { return &r.ordinal }),
	)
	environmentsCodec = newCodec("stack_environments", true,
		text("name", func(r *environmentRow) *string { return &r.name }).asKey(),
		integer("ordinal", func(r *environmentRow) *int { return &r.ordinal }),
	)
	environmentValuesCodec = newCodec("environment_values", true,
		text("environment", func(r *environmentValueRow) *string { return &r.environment }).asKey(),
		text("parameter", func(r *environmentValueRow) *string { return &r.parameter }).asKey(),
		text("value", func(r *environmentValueRow) *string { return &r.value }),
	)
)

type (
	nodeParamRow struct {
		model.ParamRef
		nodeID  string
		ordinal int
	}
	environmentRow struct {
		name    string
		ordinal int
	}
	environmentValueRow struct{ environment, parameter, value string }
)

// designTables are the tables of design.go, in allTables' order.
func designTables() []*table {
	return []*table{&nodeParamsCodec.table, &environmentsCodec.table, &environmentValuesCodec.table}
}

// designRows adds the rows of the stack's design to sets.
func designRows(st *model.Stack, sets map[*table]rowSet) error {
	for _, n := range st.Nodes() {
		for i, r := range n.Params {
			if err := nodeParamsCodec.add(sets[&nodeParamsCodec.table], &nodeParamRow{r, n.ID, i}); err != nil {
				return err
			}
		}
	}
	for i, e := range st.Environments {
		if err := environmentsCodec.add(sets[&environmentsCodec.table], &environmentRow{e.Name, i}); err != nil {
			return err
		}
		for name, v := range e.Values {
			if err := environmentValuesCodec.add(sets[&environmentValuesCodec.table], &environmentValueRow{e.Name, name, v}); err != nil {
				return err
			}
		}
	}
	return nil
}

// readDesign reads the stack's design into st, whose nodes are read.
func readDesign(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
	args := []any{stackID}
	nodes := map[string]*model.Node{}
	for _, n := range st.Nodes() {
		nodes[n.ID] = n.Node
	}
	err := scanAll(ctx, tx, nodeParamsCodec, nodeParamsCodec.selectSQL+` ORDER BY node_id, ordinal`, args, func(r *nodeParamRow) error {
		n := nodes[r.nodeID]
		if n == nil {
			return fmt.Errorf("node_parameters: no node %q", r.nodeID)
		}
		n.Params = append(n.Params, r.ParamRef)
		return nil
	})
	if err != nil {
		return err
	}
	byName := map[string]*model.Environment{}
	err = scanAll(ctx, tx, environmentsCodec, environmentsCodec.selectSQL+` ORDER BY ordinal`, args, func(r *environmentRow) error {
		e := &model.Environment{Name: r.name}
		byName[r.name] = e
		st.Environments = append(st.Environments, e)
		return nil
	})
	if err != nil {
		return err
	}
	return scanAll(ctx, tx, environmentValuesCodec, environmentValuesCodec.selectSQL, args, func(r *environmentValueRow) error {
		e := byName[r.environment]
		if e == nil {
			return fmt.Errorf("environment_values: no environment %q", r.environment)
		}
		if e.Values == nil {
			e.Values = map[string]string{}
		}
		e.Values[r.parameter] = r.value
		return nil
	})
}

// allowedValues maps a parameter's allowed values to a JSON array column.
func allowedValues() column[parameterRow] {
	return column[parameterRow]{name: "allowed_values",
		get: func(p *parameterRow) (any, error) {
			if len(p.AllowedValues) == 0 {
				return "[]", nil
			}
			data, err := json.Marshal(p.AllowedValues)
			return string(data), err
		},
		dest: func(p *parameterRow) any {
			return scanner(func(src any) error {
				s, err := asText(src)
				if err != nil || s == "[]" {
					return err
				}
				return json.Unmarshal([]byte(s), &p.AllowedValues)
			})
		}}
}
