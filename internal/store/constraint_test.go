//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// TestConstraints writes bad rows straight into the tables, past the model,
// to prove the schema itself refuses them.
func TestConstraints(t *testing.T) {
	t.Parallel()
	path := storetest.Path(t, "switchboard.db")
	s := MustOpenPath(t, path)
	chat := func() *model.Stack {
		st := MustExample(t, "chat", "chat")
		// A route with no handler yet, which a draft may have.
		st.APIs[0].Routes = append(st.APIs[0].Routes, &model.Route{ID: "rt50", Key: "ping"})
		return st
	}
	st := MustCreate(t, s, chat())
	db := MustRawDB(t, path)
	id := st.ID

	cases := []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{"ErrDuplicateLogicalName",
			`INSERT INTO nodes (stack_id, id, kind, ordinal, logical_name, x, y) VALUES (?, 'fn99', 'function', 9, 'ChatApi', 0, 0)`, nil,
			"UNIQUE constraint failed: nodes.stack_id, nodes.logical_name"},
		{"ErrLogicalNameNotAlphanumeric",
			`INSERT INTO nodes (stack_id, id, kind, ordinal, logical_name, x, y) VALUES (?, 'fn99', 'function', 9, 'Bad-Name', 0, 0)`, nil,
			"CHECK constraint failed: node_logical_name"},
		{"ErrNodeKind",
			`INSERT INTO nodes (stack_id, id, kind, ordinal, logical_name, x, y) VALUES (?, 'b1', 'widget', 9, 'Widget', 0, 0)`, nil,
			"CHECK constraint failed: node_kind"},
		{"ErrConsumeWireFromAFunction",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_node, from_kind, to_id, to_kind) VALUES (?, 'w99', 99, 'consume', 'fn6', 'function', 'fn6', 'function')`, nil,
			"CHECK constraint failed: wire_from"},
		{"ErrTriggerWireFromAFunction",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_node, from_kind, to_id, to_kind) VALUES (?, 'w99', 99, 'trigger', 'fn6', 'function', 'fn7', 'function')`, nil,
			"CHECK constraint failed: wire_from"},
		{"ErrPutEventsWireToAFunction",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_route, to_id, to_kind) VALUES (?, 'w99', 99, 'put-events', 'rt50', 'fn6', 'function')`, nil,
			"CHECK constraint failed: wire_to_kind"},
		{"ErrRuleScheduleNotAnExpression",
			`INSERT INTO rules (stack_id, id, schedule) VALUES (?, 'fn6', 'every day')`, nil,
			"CHECK constraint failed: rule_schedule"},
		{"ErrBucketNameUpperCase",
			`INSERT INTO buckets (stack_id, id, bucket_name, deletion_policy) VALUES (?, 'fn6', 'Uploads', 'Retain')`, nil,
			"CHECK constraint failed: bucket_name"},
		{"ErrStreamShardsOnDemand",
			`INSERT INTO streams (stack_id, id, on_demand, shard_count, retention_hours) VALUES (?, 'fn6', 1, 2, 24)`, nil,
			"CHECK constraint failed: stream_shard_count"},
		{"ErrWireToMissingNode",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_node, to_id, to_kind) VALUES (?, 'w99', 99, 'read', 'fn6', 'tbl404', 'table')`, nil,
			"FOREIGN KEY constraint failed"},
		{"ErrWireFromMissingRoute",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_route, to_id, to_kind) VALUES (?, 'w99', 99, 'integration', 'rt404', 'fn6', 'function')`, nil,
			"FOREIGN KEY constraint failed"},
		{"ErrIntegrationWireToTable",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_route, to_id, to_kind) VALUES (?, 'w99', 99, 'integration', 'rt50', 'tbl9', 'table')`, nil,
			"CHECK constraint failed: wire_to_kind"},
		{"ErrIntegrationWireToTableCalledFunction",
			// Lying about the kind of the end does not help: tbl9 is no function.
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_route, to_id, to_kind) VALUES (?, 'w99', 99, 'integration', 'rt50', 'tbl9', 'function')`, nil,
			"FOREIGN KEY constraint failed"},
		{"ErrReadWireFromTable",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_node, to_id, to_kind) VALUES (?, 'w99', 99, 'read', 'tbl9', 'fn7', 'table')`, nil,
			"FOREIGN KEY constraint failed"},
		{"ErrIntegrationWireFromNode",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_node, to_id, to_kind) VALUES (?, 'w99', 99, 'integration', 'fn7', 'fn8', 'function')`, nil,
			"CHECK constraint failed: wire_from"},
		{"ErrSecondHandler",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_route, to_id, to_kind) VALUES (?, 'w99', 99, 'integration', 'rt2', 'fn7', 'function')`, nil,
			"UNIQUE constraint failed: wires.stack_id, wires.from_route"},
		{"ErrWiredTwice",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_node, to_id, to_kind) VALUES (?, 'w99', 99, 'read', 'fn6', 'tbl9', 'table')`, nil,
			"UNIQUE constraint failed: wires.stack_id, wires.from_id, wires.to_id"},
		{"ErrMemory64",
			`UPDATE functions SET memory_size = 64 WHERE stack_id = ? AND id = 'fn6'`, nil,
			"CHECK constraint failed: function_memory_size"},
		{"ErrTimeout901",
			`UPDATE functions SET timeout = 901 WHERE stack_id = ? AND id = 'fn6'`, nil,
			"CHECK constraint failed: function_timeout"},
		{"ErrDeletionPolicy",
			`UPDATE dynamo_tables SET deletion_policy = 'Snapshot' WHERE stack_id = ?`, nil,
			"CHECK constraint failed: table_deletion_policy"},
		{"ErrKeyType",
			`UPDATE dynamo_tables SET pk_type = 'X' WHERE stack_id = ?`, nil,
			"CHECK constraint failed: table_partition_key_type"},
		{"ErrCapacityOnDemand",
			`UPDATE dynamo_tables SET read_capacity = 5 WHERE stack_id = ?`, nil,
			"CHECK constraint failed: table_billing_mode"},
		{"ErrSortKeyWithoutType",
			`UPDATE dynamo_tables SET sk_name = 'at' WHERE stack_id = ?`, nil,
			"CHECK constraint failed: table_sort_key"},
		{"ErrDuplicateRouteKey",
			`INSERT INTO routes (stack_id, id, api_id, ordinal, route_key) VALUES (?, 'rt99', 'api1', 9, '$connect')`, nil,
			"UNIQUE constraint failed: routes.stack_id, routes.api_id, routes.route_key"},
		{"ErrReservedRouteKey",
			`INSERT INTO routes (stack_id, id, api_id, ordinal, route_key) VALUES (?, 'rt99', 'api1', 9, '$ping')`, nil,
			"CHECK constraint failed: route_key"},
		{"ErrRouteOfMissingAPI",
			`INSERT INTO routes (stack_id, id, api_id, ordinal, route_key) VALUES (?, 'rt99', 'api404', 9, 'ping')`, nil,
			"FOREIGN KEY constraint failed"},
		{"ErrAuthorizedNotConnect",
			`UPDATE routes SET authorized = 1 WHERE stack_id = ? AND route_key = 'sendMessage'`, nil,
			"CHECK constraint failed: route_authorized"},
		{"ErrReservedEnvName",
			`INSERT INTO function_env (stack_id, function_id, name, value) VALUES (?, 'fn6', 'aws_region', 'x')`, nil,
			"CHECK constraint failed: function_env_name"},
		{"ErrEnvOfTable",
			`INSERT INTO function_env (stack_id, function_id, name, value) VALUES (?, 'tbl9', 'MODE', 'x')`, nil,
			"FOREIGN KEY constraint failed"},
		{"ErrAPIRowForFunction",
			`INSERT INTO apis (stack_id, id, route_selection_expression, stage_name) VALUES (?, 'fn6', '$request.body.action', 'dev')`, nil,
			"FOREIGN KEY constraint failed"},
		{"ErrStageName",
			`UPDATE apis SET stage_name = 'dev stage' WHERE stack_id = ?`, nil,
			"CHECK constraint failed: api_stage_name"},
		{"ErrStackName",
			`UPDATE stacks SET name = '1chat' WHERE id = ?`, nil,
			"CHECK constraint failed: stack_name"},
		{"ErrHeadWithoutRevision",
			`UPDATE stacks SET head_revision = 7 WHERE id = ?`, nil,
			"FOREIGN KEY constraint failed"},
		{"ErrRouteIDOfNode",
			`INSERT INTO routes (stack_id, id, api_id, ordinal, route_key) VALUES (?, 'fn6', 'api1', 9, 'ping2')`, nil,
			"id_unique: a node or wire of the stack already has this route's ID"},
		{"ErrNodeIDOfWire",
			`INSERT INTO nodes (stack_id, id, kind, ordinal, logical_name, x, y) VALUES (?, 'w10', 'function', 9, 'Other', 0, 0)`, nil,
			"id_unique: a route or wire of the stack already has this node's ID"},
		{"ErrWireIDOfRoute",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_node, to_id, to_kind) VALUES (?, 'rt2', 99, 'read', 'fn7', 'tbl9', 'table')`, nil,
			"id_unique: a node or route of the stack already has this wire's ID"},
		{"ErrRenameNodeToRouteID",
			`UPDATE nodes SET id = 'rt3' WHERE stack_id = ? AND id = 'tbl9'`, nil,
			"id_unique"},
		// IDs match model.IDPattern in every column that holds one, so an ID
		// that bypasses the model cannot steer a URL built from it.
		{"ErrNodeIDPath",
			`INSERT INTO nodes (stack_id, id, kind, ordinal, logical_name, x, y) VALUES (?, '../../../stacks/1/delete?confirm=yes&z=', 'function', 9, 'Evil', 0, 0)`, nil,
			"CHECK constraint failed: node_id"},
		{"ErrNodeIDDigitFirst",
			`INSERT INTO nodes (stack_id, id, kind, ordinal, logical_name, x, y) VALUES (?, '9fn', 'function', 9, 'Evil', 0, 0)`, nil,
			"CHECK constraint failed: node_id"},
		{"ErrNodeIDTooLong",
			`INSERT INTO nodes (stack_id, id, kind, ordinal, logical_name, x, y) VALUES (?, 'f` + strings.Repeat("x", 64) + `', 'function', 9, 'Evil', 0, 0)`, nil,
			"CHECK constraint failed: node_id"},
		{"ErrNodeIDNUL",
			`INSERT INTO nodes (stack_id, id, kind, ordinal, logical_name, x, y) VALUES (?, 'fn' || char(0) || '/..', 'function', 9, 'Evil', 0, 0)`, nil,
			"CHECK constraint failed: node_id"},
		{"ErrNodeIDNonASCII",
			`INSERT INTO nodes (stack_id, id, kind, ordinal, logical_name, x, y) VALUES (?, 'fné', 'function', 9, 'Evil', 0, 0)`, nil,
			"CHECK constraint failed: node_id"},
		{"ErrRenameNodeToBadID",
			`UPDATE nodes SET id = 'tbl/9' WHERE stack_id = ? AND id = 'tbl9'`, nil,
			"CHECK constraint failed: node_id"},
		{"ErrRouteIDSlash",
			`INSERT INTO routes (stack_id, id, api_id, ordinal, route_key) VALUES (?, 'rt/99', 'api1', 9, 'ping2')`, nil,
			"CHECK constraint failed: route_id"},
		{"ErrWireIDQuery",
			`INSERT INTO wires (stack_id, id, ordinal, kind, from_node, to_id, to_kind) VALUES (?, 'w?x=1', 99, 'read', 'fn7', 'tbl9', 'table')`, nil,
			"CHECK constraint failed: wire_id"},
		{"ErrOtherIDSpace",
			`INSERT INTO others (stack_id, id, ordinal, logical_name, type, resource, x, y) VALUES (?, 'o 1', 0, 'Queue', 'AWS::SQS::Queue', '{}', 0, 0)`, nil,
			"CHECK constraint failed: other_id"},
		{"ErrRevisionNotJSON",
			`INSERT INTO revisions (stack_id, revision, document, created_at) VALUES (?, 2, '{', '')`, nil,
			"CHECK constraint failed: revision_document"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.ExecContext(context.Background(), tc.query, append([]any{id}, tc.args...)...)
			if err == nil {
				t.Fatalf("the database accepted %s", tc.query)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}

	// And none of that touched the stack.
	got, err := s.Stack(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, got, chat())
}

// TestConstraints_AcceptValid makes sure the schema is not stricter than
// the model at the edges of each range.
func TestConstraints_AcceptValid(t *testing.T) {
	t.Parallel()
	s := MustOpen(t)
	st := MustExample(t, "chat", "a-"+strings.Repeat("b", model.MaxStackNameLength-2))
	f := st.Functions[0]
	f.MemorySize, f.Timeout, f.LogRetentionDays = model.MaxMemorySize, model.MaxTimeout, 3653
	f.Handler = strings.Repeat("h", 128)
	f.CodePath = "a/b/c"
	f.Environment = map[string]string{"X_AWS": "1", "lambda": "2"}
	st.Functions[1].MemorySize, st.Functions[1].Timeout, st.Functions[1].LogRetentionDays = model.MinMemorySize, model.MinTimeout, 1
	st.Functions[1].LogDeletionPolicy = model.DeletionDelete
	st.Functions[1].Name = strings.Repeat("F", model.MaxLogicalIDLength-len("LogGroup"))
	st.Functions[1].CodePath = "functions/f"
	st.APIs[0].StageName = "Prod_2-a"
	st.APIs[0].RouteSelectionExpression = "${request.body.type}/${request.body.action}"
	st.APIs[0].APIKeySelectionExpression = "$context.authorizer.usageIdentifierKey"
	st.APIs[0].Routes[3].Key = "a.b:c/d_e-f"
	st.Tables[0].SortKey = &model.Key{Name: "sk", Type: model.AttributeBinary}
	st.Tables[0].TTLAttribute = "ttl"
	st.Tables[0].BillingMode, st.Tables[0].ReadCapacity, st.Tables[0].WriteCapacity = model.BillingProvisioned, 40000, 1
	if err := st.ValidateDraft(); err != nil {
		t.Fatal(err)
	}
	got, err := s.Stack(context.Background(), MustCreate(t, s, st).ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, got, st)
}
