package export

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func init() { goldenStacks["everything"] = everythingStack }

// EverythingStack is the everything golden's stack, for the external tests
// (the import round trip) that cannot reach this package's test files.
var EverythingStack = everythingStack

// everythingStack uses every kind of the catalogue, every wire kind, every
// route integration and every field that takes a parameter, with stack
// parameters, mappings, conditions, outputs and environments: one golden
// that keeps covering everything (TestEverythingCoversTheCatalogue says
// what a new kind, wire or integration leaves it missing).
func everythingStack(t testing.TB) *model.Stack {
	t.Helper()
	s := &model.Stack{Name: "everything", Description: "Every kind, wire and integration Switchboard models"}
	raw := func(v string) json.RawMessage { return json.RawMessage(v) }

	api := model.NewAPI("api1", "EverythingApi")
	api.Description = "One API with every kind of integration"
	api.APIKeySelectionExpression = "$request.header.x-api-key"
	api.Authorizer = &model.Authorizer{Name: "TokenAuthorizer", IdentitySources: []string{"route.request.querystring.token"}}
	api.Routes = []*model.Route{
		{ID: "rt1", Key: model.RouteConnect, Authorized: true, APIKeyRequired: true},
		{ID: "rt2", Key: model.RouteDisconnect},
		{ID: "rt3", Key: model.RouteDefault, TwoWay: true, Integration: &model.Integration{Type: model.IntegrationMock,
			RequestTemplates: map[string]string{"200": `{"statusCode": 200}`}, TemplateSelectionExpression: "200",
			Responses: []model.IntegrationResponse{{Key: "$default", Templates: map[string]string{"$default": `{"message": "unknown action"}`}}}}},
		{ID: "rt4", Key: "echo", TwoWay: true},
		{ID: "rt5", Key: "legacy", TwoWay: true, Integration: &model.Integration{Type: model.IntegrationAWS,
			RequestTemplates: map[string]string{
				"v1": `{"version": 1, "body": $input.body, "connectionId": "$context.connectionId"}`,
				"v2": `{"version": 2, "payload": $input.json('$.data'), "connectionId": "$context.connectionId"}`,
			},
			TemplateSelectionExpression: "$request.body.version",
			Responses: []model.IntegrationResponse{
				{Key: "$default", Templates: map[string]string{"$default": `{"result": $input.body}`}},
				{Key: "/4\\d\\d/", TemplateSelectionExpression: "$integration.response.statuscode", Templates: map[string]string{"400": `{"error": "bad request"}`}},
			},
			TimeoutMillis: 5000}},
		{ID: "rt6", Key: "enqueue"},
		{ID: "rt7", Key: "order"},
		{ID: "rt8", Key: "notify"},
		{ID: "rt9", Key: "start"},
		{ID: "rt10", Key: "run", TwoWay: true},
		{ID: "rt11", Key: "save"},
		{ID: "rt12", Key: "publish"},
		{ID: "rt13", Key: "record"},
		{ID: "rt14", Key: "lookup", TwoWay: true, Integration: &model.Integration{Type: model.IntegrationHTTP,
			URI: "https://example.com/lookup", Method: "POST",
			RequestTemplates: map[string]string{"$default": `{"query": $input.json('$.query')}`}, TemplateSelectionExpression: `\$default`,
			Responses:     []model.IntegrationResponse{{Key: "$default", Templates: map[string]string{"$default": `{"found": $input.body}`}}},
			TimeoutMillis: 10000}},
		{ID: "rt15", Key: "forward", Integration: &model.Integration{Type: model.IntegrationHTTPProxy, URI: "https://example.com/ws", Method: "ANY"}},
	}
	s.APIs = []*model.API{api}

	connect := model.NewFunction("fn1", "ConnectHandler")
	connect.Environment = map[string]string{"STAGE": "${Stage}", "API_SECRET": "${ApiSecret}", "GREETING": "hello from ${Stage}"}
	connect.SetParam("memorySize", "HandlerMemory")
	connect.SetParam("timeout", "HandlerTimeout")
	auth := model.NewFunction("fn2", "Authorizer")
	legacy := model.NewFunction("fn3", "LegacyHandler")
	legacy.Runtime = "python3.13"
	legacy.Handler = "app.handler"
	worker := model.NewFunction("fn4", "Worker")
	worker.Timeout = 30
	processor := model.NewFunction("fn5", "Processor")
	processor.LogRetentionDays = 7
	processor.LogDeletionPolicy = model.DeletionDelete
	s.Functions = []*model.Function{connect, auth, legacy, worker, processor}

	connections := model.NewTable("tbl1", "Connections")
	connections.SetParam("tableName", "ConnectionsTableName")
	messages := model.NewTable("tbl2", "Messages")
	messages.SortKey = &model.Key{Name: "sentAt", Type: model.AttributeNumber}
	messages.TTLAttribute = "expiresAt"
	messages.DeletionPolicy = model.DeletionDelete
	s.Tables = []*model.Table{connections, messages}

	jobs, jobsDead := model.NewQueue("q1", "Jobs"), model.NewQueue("q2", "JobsDead")
	jobs.MaxReceiveCount = 5
	jobs.SetParam("retentionPeriod", "JobsRetention")
	jobs.SetParam("visibilityTimeout", "JobsVisibility")
	orders, ordersDead := model.NewQueue("q3", "Orders"), model.NewQueue("q4", "OrdersDead")
	orders.FIFO, orders.ContentBasedDeduplication, orders.MaxReceiveCount = true, true, 3
	ordersDead.FIFO = true
	audit := model.NewQueue("q5", "Audit")
	s.Queues = []*model.Queue{jobs, jobsDead, orders, ordersDead, audit}

	notices := model.NewTopic("tp1", "Notices")
	notices.DisplayName = "Notices"
	s.Topics = []*model.Topic{notices}

	flow, quick := model.NewStateMachine("sm1", "Flow"), model.NewStateMachine("sm2", "Quick")
	flow.Definition = `{"Comment": "Waits, then passes its input on", "StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 1, "Next": "Done"}, "Done": {"Type": "Pass", "End": true}}}`
	quick.Type = model.StateMachineExpress
	s.StateMachines = []*model.StateMachine{flow, quick}

	s.Buses = []*model.Bus{model.NewBus("bus1", "Commerce")}
	placed := model.NewRule("rl1", "OrderPlaced")
	placed.Description = "Orders placed through the API"
	placed.EventPattern = `{"source": ["EverythingApi"], "detail-type": ["publish"], "detail": {"total": [{"numeric": [">", 0]}]}}`
	nightly := model.NewRule("rl2", "Nightly")
	nightly.EventPattern = ""
	nightly.Schedule = "cron(0 3 * * ? *)"
	nightly.Disabled = true
	s.Rules = []*model.Rule{placed, nightly}

	uploads := model.NewBucket("bkt1", "Uploads")
	uploads.BucketName = "everything-uploads"
	uploads.Versioned = true
	uploads.Events = []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}
	uploads.DeletionPolicy = model.DeletionDelete
	s.Buckets = []*model.Bucket{uploads}

	clicks := model.NewStream("ks1", "Clicks")
	clicks.ShardCount = 2
	clicks.RetentionHours = 48
	s.Streams = []*model.Stream{clicks}

	shared := model.NewLayer("ly1", "SharedLibs")
	shared.Description = "Helpers every handler uses"
	shared.CompatibleRuntimes = []string{"nodejs22.x"}
	s.Layers = []*model.Layer{shared}

	plan := model.NewUsagePlan("up1", "Partners")
	plan.Description = "Partners' connections"
	plan.ThrottleBurst, plan.ThrottleRate = 20, 10
	plan.QuotaLimit, plan.QuotaPeriod = 10000, "MONTH"
	plan.Keys = []*model.APIKey{{Name: "AcmeKey"}, {Name: "GlobexKey", Disabled: true}}
	s.UsagePlans = []*model.UsagePlan{plan}

	domain := model.NewDomain("dom1", "EverythingDomain")
	domain.DomainName = "ws.example.com"
	domain.MappingKey = "v1"
	s.Domains = []*model.Domain{domain}

	memory, timeout, table, retention, visibility, stage := "256", "10", "everything-connections", "345600", "60", "dev"
	s.Parameters = []*model.Parameter{
		{Name: "Stage", Default: &stage, AllowedValues: []string{"dev", "prod"}, Description: "The deployment's stage"},
		{Name: "HandlerMemory", Type: "Number", Default: &memory, AllowedValues: []string{"256", "512"}},
		{Name: "HandlerTimeout", Type: "Number", Default: &timeout},
		{Name: "ConnectionsTableName", Default: &table, Description: "The connections table's name"},
		{Name: "JobsRetention", Type: "Number", Default: &retention},
		{Name: "JobsVisibility", Type: "Number", Default: &visibility},
		{Name: "ApiSecret", NoEcho: true, Description: "Shared secret of the connect handler"},
		{Name: domain.CertificateParameter, Description: "ARN of the ACM certificate for ws.example.com"},
	}
	cert := "arn:aws:acm:us-east-1:123456789012:certificate/everything"
	s.Environments = []*model.Environment{
		{Name: "dev", Values: map[string]string{"ApiSecret": "dev-secret", domain.CertificateParameter: cert}},
		{Name: "prod", Values: map[string]string{"Stage": "prod", "HandlerMemory": "512", "ConnectionsTableName": "everything-prod-connections",
			"ApiSecret": "prod-secret", domain.CertificateParameter: cert}},
	}
	s.Sections = []model.Field{
		{Key: "Mappings", Value: raw(`{"StageSettings": {"dev": {"Label": "development"}, "prod": {"Label": "production"}}}`)},
		{Key: "Conditions", Value: raw(`{"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}}`)},
		{Key: "Outputs", Value: raw(`{"JobsUrlParameterName": {"Condition": "IsProd", "Description": "Where the jobs queue's URL is published", "Value": {"Ref": "JobsUrlParameter"}}}`)},
	}

	// A generic node: an SSM parameter publishing the jobs queue's URL,
	// written as in its panel, referring to the queue and the mapping. It
	// is named: moto cannot make an SSM parameter CloudFormation names.
	s.Others = []*model.Other{{Node: model.Node{ID: "res1", Name: "JobsUrlParameter"}, Type: "AWS::SSM::Parameter"}}
	resource, problems := ParseResource("AWS::SSM::Parameter", "Properties:\n"+
		"  Name: !Sub '/${AWS::StackName}/jobs-url'\n"+
		"  Type: String\n"+
		"  Value: !Ref Jobs\n"+
		"  Description: !Sub\n"+
		"    - 'The ${Label} URL of ${Jobs.QueueName}'\n"+
		"    - Label: !FindInMap [StageSettings, !Ref Stage, Label]\n", nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	s.Others[0].Resource = resource

	s.Wires = []*model.Wire{
		// Routes.
		{ID: "w1", Kind: model.WireIntegration, From: "rt1", To: "fn1"},
		{ID: "w2", Kind: model.WireIntegration, From: "rt2", To: "fn1"},
		{ID: "w3", Kind: model.WireIntegration, From: "rt4", To: "fn1"},
		{ID: "w4", Kind: model.WireIntegration, From: "rt5", To: "fn3"},
		{ID: "w5", Kind: model.WireSendMessage, From: "rt6", To: "q1"},
		{ID: "w6", Kind: model.WireSendMessage, From: "rt7", To: "q3"},
		{ID: "w7", Kind: model.WirePublish, From: "rt8", To: "tp1"},
		{ID: "w8", Kind: model.WireStartExecution, From: "rt9", To: "sm1"},
		{ID: "w9", Kind: model.WireStartSyncExecution, From: "rt10", To: "sm2"},
		{ID: "w10", Kind: model.WirePutItem, From: "rt11", To: "tbl2"},
		{ID: "w11", Kind: model.WirePutEvents, From: "rt12", To: "bus1"},
		{ID: "w12", Kind: model.WirePutRecord, From: "rt13", To: "ks1"},
		// What functions may do.
		{ID: "w13", Kind: model.WireReadWrite, From: "fn1", To: "tbl1"},
		{ID: "w14", Kind: model.WireSend, From: "fn1", To: "api1"},
		{ID: "w15", Kind: model.WireAuthorizer, From: "fn2", To: "api1"},
		{ID: "w16", Kind: model.WireRead, From: "fn4", To: "tbl1"},
		{ID: "w17", Kind: model.WireLayer, From: "fn1", To: "ly1"},
		{ID: "w18", Kind: model.WireLayer, From: "fn4", To: "ly1"},
		// Event sources.
		{ID: "w19", Kind: model.WireConsume, From: "q1", To: "fn4"},
		{ID: "w20", Kind: model.WireDeadLetter, From: "q1", To: "q2"},
		{ID: "w21", Kind: model.WireDeadLetter, From: "q3", To: "q4"},
		{ID: "w22", Kind: model.WireSubscribe, From: "tp1", To: "fn4"},
		{ID: "w23", Kind: model.WireStream, From: "tbl2", To: "fn5"},
		{ID: "w24", Kind: model.WireMatch, From: "bus1", To: "rl1"},
		{ID: "w25", Kind: model.WireTrigger, From: "rl1", To: "fn5"},
		{ID: "w26", Kind: model.WireDeliver, From: "rl1", To: "q5"},
		{ID: "w27", Kind: model.WireTrigger, From: "rl2", To: "fn5"},
		{ID: "w28", Kind: model.WireNotify, From: "bkt1", To: "fn5"},
		// Around the API.
		{ID: "w29", Kind: model.WireUsagePlan, From: "up1", To: "api1"},
		{ID: "w30", Kind: model.WireAPIMapping, From: "dom1", To: "api1"},
		// Functions calling services.
		{ID: "w31", Kind: model.WireSendToQueue, From: "fn4", To: "q5"},
		{ID: "w32", Kind: model.WirePublishToTopic, From: "fn5", To: "tp1"},
		{ID: "w33", Kind: model.WirePutEventsOnBus, From: "fn5", To: "bus1"},
		{ID: "w34", Kind: model.WireStartMachine, From: "fn4", To: "sm1"},
		{ID: "w35", Kind: model.WireBucketRead, From: "fn5", To: "bkt1"},
		{ID: "w36", Kind: model.WireBucketReadWrite, From: "fn3", To: "bkt1"},
		{ID: "w37", Kind: model.WirePutRecords, From: "fn5", To: "ks1"},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

// uncovered lists what the model offers that the stack does not use: a
// kind of node, a generic node with a reference, a wire kind, an
// integration type (and a Lambda or HTTP one without the proxy, with its
// templates and responses), a service action, a resource grant, a state
// machine type, a rule's pattern or schedule, a FIFO queue with a
// dead-letter queue, a field that takes a parameter, a section, an
// environment. Every list is the model's own, so a kind, wire or
// integration added there is missing here until the stack has it.
func uncovered(s *model.Stack) []string {
	var missing []string
	miss := func(format string, args ...any) { missing = append(missing, fmt.Sprintf(format, args...)) }

	nodes := map[model.Kind][]model.NodeRef{}
	for _, n := range s.Nodes() {
		nodes[n.Kind] = append(nodes[n.Kind], n)
	}
	for _, k := range model.Kinds() {
		if len(nodes[k.Kind]) == 0 {
			miss("kind %s", k.Kind)
		}
	}
	if len(s.Others) == 0 {
		miss("a generic node")
	}
	if len(s.References()) == 0 {
		miss("a reference between a generic node and another node")
	}

	wires := map[model.WireKind][]*model.Wire{}
	for _, w := range s.Wires {
		wires[w.Kind] = append(wires[w.Kind], w)
	}
	for _, k := range model.WireKinds {
		if len(wires[k]) == 0 {
			miss("wire %s", k)
		}
	}
	for _, r := range model.WireRules {
		if !slices.ContainsFunc(wires[r.Kind], func(w *model.Wire) bool {
			return kindOf(s, w.From) == r.From && kindOf(s, w.To) == r.To
		}) {
			miss("wire %s from a %s to a %s", r.Kind, r.From, r.To)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(model.ServiceActions)) {
		if !slices.ContainsFunc(wires[k], func(w *model.Wire) bool { return model.RouteWire(w.Kind) }) {
			miss("a route's service integration %s", model.ServiceActions[k].IAMAction())
		}
	}
	for _, k := range slices.Sorted(maps.Keys(model.ResourceGrants)) {
		if len(wires[k]) == 0 {
			miss("a resource grant of wire %s", k)
		}
	}

	// Integrations: each type the model offers as it is written, a proxy
	// and a non-proxy one of each target that takes both.
	written := map[model.IntegrationType]bool{}
	var lambdaTemplated, httpTemplated bool
	for _, a := range s.APIs {
		for _, r := range a.Routes {
			target := routeWire(s, r.ID)
			t := model.EffectiveIntegrationType(r.Integration, target)
			written[t] = true
			i := r.Integration
			templated := i != nil && len(i.RequestTemplates) > 1 && i.TemplateSelectionExpression != "" && len(i.Responses) > 1 && r.TwoWay
			if t == model.IntegrationAWS && target != nil && target.Kind == model.WireIntegration && templated {
				lambdaTemplated = true
			}
			if t == model.IntegrationHTTP && i != nil && len(i.RequestTemplates) > 0 && len(i.Responses) > 0 && r.TwoWay {
				httpTemplated = true
			}
		}
	}
	for _, t := range append([]model.IntegrationType{model.IntegrationAWSProxy}, model.IntegrationTypes...) {
		if t != "" && !written[t] {
			miss("integration type %s", t)
		}
	}
	if !lambdaTemplated {
		miss("a two-way Lambda integration without the proxy, with request templates, a template selection expression and integration responses")
	}
	if !httpTemplated {
		miss("a two-way HTTP integration with a request template and an integration response")
	}

	for _, t := range []model.StateMachineType{model.StateMachineStandard, model.StateMachineExpress} {
		if !slices.ContainsFunc(s.StateMachines, func(m *model.StateMachine) bool { return m.Type == t }) {
			miss("a state machine of type %s", t)
		}
	}
	if !slices.ContainsFunc(s.Rules, func(r *model.Rule) bool { return r.EventPattern != "" }) {
		miss("a rule with an event pattern")
	}
	if !slices.ContainsFunc(s.Rules, func(r *model.Rule) bool { return r.Schedule != "" }) {
		miss("a rule with a schedule")
	}
	if !slices.ContainsFunc(wires[model.WireDeadLetter], func(w *model.Wire) bool { q := s.Queue(w.From); return q != nil && q.FIFO }) {
		miss("a FIFO queue with a dead-letter queue")
	}
	if !slices.ContainsFunc(s.UsagePlans, func(p *model.UsagePlan) bool { return len(p.Keys) > 0 }) {
		miss("a usage plan with an API key")
	}

	for _, k := range model.Kinds() {
		for _, f := range model.ParameterFields(k.Kind) {
			if !slices.ContainsFunc(nodes[k.Kind], func(n model.NodeRef) bool { return n.ParamOf(f.Field) != "" }) {
				miss("the %s field %s taking a parameter", k.Kind, f.Field)
			}
		}
	}
	if !slices.ContainsFunc(s.Functions, func(f *model.Function) bool {
		return slices.ContainsFunc(slices.Collect(maps.Values(f.Environment)), func(v string) bool { return len(s.ParameterRefs(v)) > 0 })
	}) {
		miss("an environment variable taking a parameter")
	}
	for _, section := range []string{"Mappings", "Conditions", "Outputs"} {
		if s.Section(section) == nil {
			miss("the %s section", section)
		}
	}
	if len(s.Parameters) == 0 || len(s.Environments) == 0 {
		miss("parameters and environments")
	}
	return missing
}

// kindOf is the kind of the node or route with the ID.
func kindOf(s *model.Stack, id string) model.Kind {
	if n, ok := s.Node(id); ok {
		return n.Kind
	}
	return model.KindRoute
}

// routeWire is the wire a route starts, or nil.
func routeWire(s *model.Stack, routeID string) *model.Wire {
	for _, w := range s.Wires {
		if w.From == routeID && model.RouteWire(w.Kind) {
			return w
		}
	}
	return nil
}

// TestEverythingCoversTheCatalogue fails when the model has a kind, a
// wire kind, an integration or a parameter field the everything golden
// does not use. The other goldens each cover a part, which the check sees.
func TestEverythingCoversTheCatalogue(t *testing.T) {
	t.Parallel()
	if missing := uncovered(everythingStack(t)); len(missing) > 0 {
		t.Errorf("the everything stack (export/everything_test.go) lacks, and its golden so does not cover:\n  %s", strings.Join(missing, "\n  "))
	}
	for _, name := range []string{"services", "events", "apikinds"} {
		if missing := uncovered(goldenStacks[name](t)); len(missing) == 0 {
			t.Errorf("the %s stack is said to cover everything; the check sees nothing", name)
		}
	}
	// Without the nodes of a kind, or the wires of a kind, the check says
	// so: as it will when the model gains one.
	for _, k := range model.Kinds() {
		s := everythingStack(t)
		for _, n := range s.Nodes() { // a copy: removal leaves it as it is
			if n.Kind == k.Kind {
				s.RemoveNode(n.ID)
			}
		}
		if missing := uncovered(s); !slices.Contains(missing, "kind "+string(k.Kind)) {
			t.Errorf("without its %s nodes the stack lacks only %q", k.Kind, missing)
		}
	}
	for _, k := range model.WireKinds {
		s := everythingStack(t)
		s.Wires = slices.DeleteFunc(s.Wires, func(w *model.Wire) bool { return w.Kind == k })
		if missing := uncovered(s); !slices.Contains(missing, "wire "+string(k)) {
			t.Errorf("without its %s wires the stack lacks only %q", k, missing)
		}
	}
	for _, typ := range []model.IntegrationType{model.IntegrationMock, model.IntegrationHTTP, model.IntegrationHTTPProxy} {
		s := everythingStack(t)
		for _, r := range slices.Clone(s.APIs[0].Routes) {
			if r.Integration != nil && r.Integration.Type == typ {
				s.RemoveRoute(r.ID)
			}
		}
		if missing := uncovered(s); !slices.Contains(missing, "integration type "+string(typ)) {
			t.Errorf("without its %s routes the stack lacks only %q", typ, missing)
		}
	}
}
