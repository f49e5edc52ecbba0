//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// EveryFieldStack is a valid stack in which every field of every model type
// is set in at least one object, both wire ends (route and function) are
// used, and each JSON value is compact, as the store writes it. Exported
// for the package's external tests.
func EveryFieldStack() *model.Stack {
	kept := func(part string) []model.Kept {
		return []model.Kept{{Part: part, LogicalID: "Source" + part,
			Attributes: []model.Field{{Key: "Condition", Value: json.RawMessage(`"IsProd"`)}},
			Properties: []model.Field{{Key: "Tags", Value: json.RawMessage(`[{"Key":"team","Value":"chat"}]`)}}}}
	}
	keptAs := func(part, id string) []model.Kept {
		k := kept(part)
		k[0].LogicalID = id
		return k
	}
	return &model.Stack{
		Name:        "everyField",
		Description: "every field set",
		APIs: []*model.API{{
			Node:                      model.Node{ID: "api", Name: "ChatApi", Position: model.Position{X: 10.5, Y: 20.25}},
			Description:               "the chat API",
			RouteSelectionExpression:  "$request.body.action",
			APIKeySelectionExpression: "$request.header.x-api-key",
			StageName:                 "prod",
			Routes: []*model.Route{{ID: "connect", Key: "$connect", TwoWay: true, APIKeyRequired: true, Authorized: true,
				Integration: &model.Integration{Type: model.IntegrationAWS, URI: "", Method: "",
					RequestTemplates: map[string]string{"$default": `{"id": "$context.connectionId"}`}, TemplateSelectionExpression: `\$default`,
					Responses:     []model.IntegrationResponse{{Key: "$default", Templates: map[string]string{"$default": "ok"}, TemplateSelectionExpression: "x"}},
					TimeoutMillis: 5000},
				Kept: kept(model.PartRouteResponse)}, {ID: "enqueue", Key: "enqueue"}, {ID: "record", Key: "record"}, {ID: "publish", Key: "publish"}},
			Authorizer: &model.Authorizer{Name: "TokenAuth", IdentitySources: []string{"route.request.querystring.token", "route.request.header.Auth"}},
			Kept:       kept(model.PartStage),
		}},
		Functions: []*model.Function{{
			Node: model.Node{ID: "fn", Name: "Handler", Position: model.Position{X: 300, Y: -40},
				Params: []model.ParamRef{{Field: "memorySize", Parameter: "Memory"}, {Field: "timeout", Parameter: "Memory"}}},
			Description:       "handles messages",
			Runtime:           "nodejs22.x",
			Handler:           "index.handler",
			CodePath:          "functions/handler",
			MemorySize:        256,
			Timeout:           15,
			Environment:       map[string]string{"TABLE": "Messages", "MODE": "prod"},
			LogRetentionDays:  30,
			LogDeletionPolicy: model.DeletionRetain,
			Kept:              kept(model.PartRole),
		}},
		Tables: []*model.Table{{
			Node:           model.Node{ID: "tbl", Name: "Messages", Position: model.Position{X: 600, Y: 80}},
			PartitionKey:   model.Key{Name: "pk", Type: model.AttributeString},
			SortKey:        &model.Key{Name: "sk", Type: model.AttributeNumber},
			BillingMode:    model.BillingProvisioned,
			ReadCapacity:   5,
			WriteCapacity:  7,
			TTLAttribute:   "expires",
			DeletionPolicy: model.DeletionDelete,
			Kept:           kept(model.PartMain),
		}},
		Queues: []*model.Queue{
			{Node: model.Node{ID: "q1", Name: "Jobs", Position: model.Position{X: 1, Y: 2}}, FIFO: true, ContentBasedDeduplication: true,
				VisibilityTimeout: 60, RetentionPeriod: 600, MaxReceiveCount: 4, Kept: keptAs(model.PartMain, "SourceJobs")},
			{Node: model.Node{ID: "q2", Name: "JobsDead", Position: model.Position{X: 3, Y: 4}}, FIFO: true, ContentBasedDeduplication: true,
				VisibilityTimeout: 60, RetentionPeriod: 1209600, MaxReceiveCount: 1, Kept: keptAs(model.PartMain, "SourceDead")},
		},
		Topics: []*model.Topic{{Node: model.Node{ID: "tp", Name: "Events", Position: model.Position{X: 5, Y: 6}}, DisplayName: "events", FIFO: true, Kept: keptAs(model.PartMain, "SourceTopic")}},
		StateMachines: []*model.StateMachine{{Node: model.Node{ID: "sm", Name: "Flow", Position: model.Position{X: 7, Y: 8}}, Type: model.StateMachineExpress,
			Definition: model.DefaultDefinition, DefinitionPath: "statemachines/flow.json", Kept: keptAs(model.PartRole, "SourceFlowRole")}},
		Buses: []*model.Bus{{Node: model.Node{ID: "bus", Name: "Orders", Position: model.Position{X: 9, Y: 10}}, Kept: keptAs(model.PartMain, "SourceBus")}},
		Rules: []*model.Rule{
			{Node: model.Node{ID: "rl", Name: "Nightly", Position: model.Position{X: 11, Y: 12}}, Description: "every night",
				EventPattern: `{"source":["x"]}`, Schedule: "rate(1 day)", Disabled: true, Kept: keptAs(model.PartMain, "SourceRule")},
			{Node: model.Node{ID: "rl2", Name: "OnOrder", Position: model.Position{X: 13, Y: 14}}, EventPattern: model.DefaultEventPattern},
		},
		Buckets: []*model.Bucket{{Node: model.Node{ID: "bkt", Name: "Uploads", Position: model.Position{X: 15, Y: 16}}, BucketName: "every-uploads",
			Versioned: true, Events: []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}, DeletionPolicy: model.DeletionDelete, Kept: keptAs(model.PartMain, "SourceBucket")}},
		Streams: []*model.Stream{
			{Node: model.Node{ID: "ks", Name: "Clicks", Position: model.Position{X: 17, Y: 18}}, ShardCount: 3, RetentionHours: 48, Kept: keptAs(model.PartMain, "SourceStream")},
			{Node: model.Node{ID: "ks2", Name: "Views", Position: model.Position{X: 19, Y: 20}}, OnDemand: true, RetentionHours: 24},
		},
		Layers: []*model.Layer{{Node: model.Node{ID: "ly", Name: "Libs", Position: model.Position{X: 9, Y: 10}}, Description: "shared",
			ContentPath: "layers/libs", CompatibleRuntimes: []string{"nodejs22.x"}, Kept: keptAs(model.PartMain, "SourceLibs")}},
		UsagePlans: []*model.UsagePlan{{Node: model.Node{ID: "up", Name: "Plan", Position: model.Position{X: 11, Y: 12}}, Description: "partners",
			ThrottleBurst: 10, ThrottleRate: 2.5, QuotaLimit: 1000, QuotaPeriod: "WEEK", QuotaOffset: 2,
			Keys: []*model.APIKey{{Name: "PartnerKey", Disabled: true, Kept: keptAs(model.PartUsagePlanKey, "SourcePlanKey")}}, Kept: keptAs(model.PartMain, "SourcePlan")}},
		Domains: []*model.Domain{{Node: model.Node{ID: "dom", Name: "Domain", Position: model.Position{X: 13, Y: 14}}, DomainName: "ws.example.com",
			CertificateParameter: "CertArn", SecurityPolicy: model.DefaultSecurityPolicy, MappingKey: "v1", Kept: keptAs(model.PartAPIMapping, "SourceMapping")}},
		Wires: []*model.Wire{
			{ID: "w4", Kind: model.WireSendMessage, From: "enqueue", To: "q1"},
			{ID: "w8", Kind: model.WirePutRecord, From: "record", To: "ks"},
			{ID: "w9", Kind: model.WirePutEvents, From: "publish", To: "bus"},
			{ID: "w10", Kind: model.WireMatch, From: "bus", To: "rl2"},
			{ID: "w11", Kind: model.WireTrigger, From: "rl2", To: "fn"},
			{ID: "w12", Kind: model.WireDeliver, From: "rl", To: "q2"},
			{ID: "w13", Kind: model.WireNotify, From: "bkt", To: "fn"},
			{ID: "w5", Kind: model.WireConsume, From: "q1", To: "fn"},
			{ID: "w6", Kind: model.WireDeadLetter, From: "q1", To: "q2"},
			{ID: "w7", Kind: model.WireStream, From: "tbl", To: "fn"},
			{ID: "w1", Kind: model.WireIntegration, From: "connect", To: "fn"},
			{ID: "w2", Kind: model.WireAuthorizer, From: "fn", To: "api"},
			{ID: "w3", Kind: model.WireReadWrite, From: "fn", To: "tbl"},
			{ID: "w14", Kind: model.WireLayer, From: "fn", To: "ly"},
			{ID: "w15", Kind: model.WireUsagePlan, From: "up", To: "api"},
			{ID: "w16", Kind: model.WireAPIMapping, From: "dom", To: "api"},
		},
		Others: []*model.Other{{
			Node:     model.Node{ID: "queue", Name: "Queue", Position: model.Position{X: -5, Y: 7}},
			Type:     "AWS::SQS::Queue",
			Resource: json.RawMessage(`{"Type":"AWS::SQS::Queue","Properties":{"DelaySeconds":5}}`),
		}},
		Sections: []model.Field{{Key: "Metadata", Value: json.RawMessage(`{"Owner":"chat"}`)}},
		Parameters: []*model.Parameter{{Name: "Memory", Default: ptr("256"), Description: "MB", Type: "Number",
			AllowedValues: []string{"256", "512"}, NoEcho: true}, {Name: "CertArn", Description: "the certificate"}},
		Environments: []*model.Environment{{Name: "dev", Values: map[string]string{"Memory": "256"}},
			{Name: "prod", Values: map[string]string{"Memory": "512"}}},
	}
}

func ptr[T any](v T) *T { return &v }

// TestCodec_RowsAsScanned checks that each codec builds a row exactly as the
// driver scans it back (int64 rather than int, NULL rather than ""): a row
// that differs in type only would count as changed in every diff, and each
// save would then rewrite every row.
func TestCodec_RowsAsScanned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, freshPath(t, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	chat, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []*model.Stack{EveryFieldStack(), chat} {
		created, err := s.CreateStack(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		want, err := stackRows(created)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, tb := range allTables() {
			got, err := currentRows(ctx, tx, tb, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want[i]) {
				t.Errorf("%s %s: %d rows, want %d", st.Name, tb.name, len(got), len(want[i]))
			}
			for k, w := range want[i] {
				if g := got[k]; !reflect.DeepEqual(g, w) {
					t.Errorf("%s %s row %q:\n got %s\nwant %s", st.Name, tb.name, k, typed(g), typed(w))
				}
			}
		}
		tx.Rollback()
	}
}

// typed shows each value of r with its type.
func typed(r row) string {
	out := ""
	for _, v := range r {
		out += fmt.Sprintf("%T(%v) ", v, v)
	}
	return out
}
