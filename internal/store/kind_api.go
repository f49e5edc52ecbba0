package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The API kind: a row in apis, one in routes per route, one in authorizers
// when it has one.
var (
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
		// The integration's settings as JSON, NULL for the wire's default
		// (migration 0013).
		computed("integration", func(r *routeRow) any {
			if r.Integration == nil {
				return nil
			}
			data, err := json.Marshal(r.Integration)
			if err != nil {
				// Strings, ints and maps of strings always encode.
				panic(err)
			}
			return string(data)
		}, func(r *routeRow, src any) error {
			if src == nil {
				return nil
			}
			s, err := asText(src)
			if err != nil {
				return err
			}
			r.Integration = &model.Integration{}
			return json.Unmarshal([]byte(s), r.Integration)
		}),
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
)

type (
	routeRow struct {
		model.Route
		apiID   string
		ordinal int
	}
	authorizerRow struct {
		model.Authorizer
		apiID string
	}
)

func init() {
	registerKind(model.KindAPI, &kindStore{
		tables: []*table{&apisCodec.table, &routesCodec.table, &authorizersCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			routes := 0
			for _, a := range st.APIs {
				routes += len(a.Routes)
			}
			sizes[&nodesCodec.table] += len(st.APIs)
			sizes[&apisCodec.table] += len(st.APIs)
			sizes[&routesCodec.table] += routes
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var (
				node  nodeRow
				route routeRow
				auth  authorizerRow
			)
			for i, a := range st.APIs {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&a.Node, model.KindAPI, i})); err != nil {
					return err
				}
				if err := apisCodec.add(sets[&apisCodec.table], a); err != nil {
					return err
				}
				for j, r := range a.Routes {
					if err := routesCodec.add(sets[&routesCodec.table], reuse(&route, routeRow{*r, a.ID, j})); err != nil {
						return err
					}
				}
				if a.Authorizer != nil {
					if err := authorizersCodec.add(sets[&authorizersCodec.table], reuse(&auth, authorizerRow{*a.Authorizer, a.ID})); err != nil {
						return err
					}
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
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
			return scanAll(ctx, tx, authorizersCodec, authorizersCodec.selectSQL, args, func(au *authorizerRow) error {
				if a := apis[au.apiID]; a != nil {
					a.Authorizer = &au.Authorizer
				}
				return nil
			})
		},
	})
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
