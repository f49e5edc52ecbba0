package export

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

func init() { goldenStacks["services"] = servicesStack }

// servicesStack uses every kind and every route integration: a Lambda
// proxy and a Lambda without the proxy, SQS (standard and FIFO), SNS, Step
// Functions (asynchronous and synchronous), DynamoDB, MOCK and HTTP_PROXY;
// a queue, a topic and a table's stream trigger a function, and a queue has
// a dead-letter queue.
func servicesStack(t testing.TB) *model.Stack {
	t.Helper()
	s := &model.Stack{Name: "services"}
	a := model.NewAPI("api1", "ServicesApi")
	a.Routes = []*model.Route{
		{ID: "rt1", Key: model.RouteConnect},
		{ID: "rt2", Key: "enqueue"},
		{ID: "rt3", Key: "order"},
		{ID: "rt4", Key: "notify"},
		{ID: "rt5", Key: "start"},
		{ID: "rt6", Key: "run", TwoWay: true},
		{ID: "rt7", Key: "save"},
		{ID: "rt8", Key: "ping", TwoWay: true, Integration: &model.Integration{Type: model.IntegrationMock,
			RequestTemplates: map[string]string{"200": `{"statusCode": 200}`}, TemplateSelectionExpression: "200",
			Responses: []model.IntegrationResponse{{Key: "$default", Templates: map[string]string{"$default": `{"pong": true}`}}}}},
		{ID: "rt9", Key: "forward", Integration: &model.Integration{Type: model.IntegrationHTTPProxy, URI: "https://example.com/ws", Method: "POST", TimeoutMillis: 10000}},
		{ID: "rt10", Key: "legacy", Integration: &model.Integration{Type: model.IntegrationAWS,
			RequestTemplates: map[string]string{"$default": `{"body": $input.body, "connectionId": "$context.connectionId"}`}, TemplateSelectionExpression: `\$default`}},
	}
	s.APIs = []*model.API{a}
	connect := model.NewFunction("fn1", "ConnectHandler")
	worker := model.NewFunction("fn2", "Worker")
	s.Functions = []*model.Function{connect, worker}
	tbl := model.NewTable("tbl1", "Messages")
	tbl.DeletionPolicy = model.DeletionDelete
	s.Tables = []*model.Table{tbl}
	jobs, dead, orders := model.NewQueue("q1", "Jobs"), model.NewQueue("q2", "JobsDead"), model.NewQueue("q3", "Orders")
	jobs.MaxReceiveCount = 5
	orders.FIFO = true
	s.Queues = []*model.Queue{jobs, dead, orders}
	s.Topics = []*model.Topic{model.NewTopic("tp1", "Events")}
	flow, sync := model.NewStateMachine("sm1", "Flow"), model.NewStateMachine("sm2", "Quick")
	sync.Type = model.StateMachineExpress
	s.StateMachines = []*model.StateMachine{flow, sync}
	s.Wires = []*model.Wire{
		{ID: "w1", Kind: model.WireIntegration, From: "rt1", To: "fn1"},
		{ID: "w2", Kind: model.WireSendMessage, From: "rt2", To: "q1"},
		{ID: "w3", Kind: model.WireSendMessage, From: "rt3", To: "q3"},
		{ID: "w4", Kind: model.WirePublish, From: "rt4", To: "tp1"},
		{ID: "w5", Kind: model.WireStartExecution, From: "rt5", To: "sm1"},
		{ID: "w6", Kind: model.WireStartSyncExecution, From: "rt6", To: "sm2"},
		{ID: "w7", Kind: model.WirePutItem, From: "rt7", To: "tbl1"},
		{ID: "w8", Kind: model.WireIntegration, From: "rt10", To: "fn2"},
		{ID: "w9", Kind: model.WireConsume, From: "q1", To: "fn2"},
		{ID: "w10", Kind: model.WireSubscribe, From: "tp1", To: "fn2"},
		{ID: "w11", Kind: model.WireDeadLetter, From: "q1", To: "q2"},
		{ID: "w12", Kind: model.WireStream, From: "tbl1", To: "fn1"},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

// Each service integration's credentials role allows exactly the wire's
// action on exactly the wired resource, and API Gateway alone assumes it.
func TestServiceIntegrationRolesAreLeastPrivilege(t *testing.T) {
	t.Parallel()
	out, err := Render(servicesStack(t), FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	var doc jsonDoc
	if err := json.Unmarshal(out, &doc.v); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ role, action, resource string }{
		{"ServicesApiEnqueueIntegrationRole", "sqs:SendMessage", `{"Fn::GetAtt":["Jobs","Arn"]}`},
		{"ServicesApiOrderIntegrationRole", "sqs:SendMessage", `{"Fn::GetAtt":["Orders","Arn"]}`},
		{"ServicesApiNotifyIntegrationRole", "sns:Publish", `{"Ref":"Events"}`},
		{"ServicesApiStartIntegrationRole", "states:StartExecution", `{"Ref":"Flow"}`},
		{"ServicesApiRunIntegrationRole", "states:StartSyncExecution", `{"Ref":"Quick"}`},
		{"ServicesApiSaveIntegrationRole", "dynamodb:PutItem", `{"Fn::GetAtt":["Messages","Arn"]}`},
	} {
		role := doc.Path("Resources", c.role, "Properties")
		if role.v == nil {
			t.Errorf("no role %s", c.role)
			continue
		}
		assume := role.Path("AssumeRolePolicyDocument", "Statement")
		if got := jsonOf(t, assume); got != `[{"Action":["sts:AssumeRole"],"Effect":"Allow","Principal":{"Service":["apigateway.amazonaws.com"]}}]` {
			t.Errorf("%s is assumed by %s", c.role, got)
		}
		pols, _ := role.Path("Policies").v.([]any)
		if len(pols) != 1 {
			t.Errorf("%s has policies %v", c.role, pols)
			continue
		}
		stmt := jsonOf(t, jsonDoc{pols[0]}.Path("PolicyDocument", "Statement"))
		want := `[{"Action":["` + c.action + `"],"Effect":"Allow","Resource":[` + c.resource + `]}]`
		if stmt != want {
			t.Errorf("%s allows %s, want %s", c.role, stmt, want)
		}
	}
	// The FIFO queue's messages are grouped per connection.
	if tpl := string(out); !strings.Contains(tpl, `MessageGroupId=$util.urlEncode($context.connectionId)`) {
		t.Error("the FIFO queue's template has no message group")
	}
	// The worker may receive from the queue it consumes, and nothing else
	// of it.
	stmt := doc.Path("Resources", "WorkerRole", "Properties", "Policies")
	if got := jsonOf(t, stmt); !strings.Contains(got, `"Action":["sqs:ChangeMessageVisibility","sqs:DeleteMessage","sqs:GetQueueAttributes","sqs:ReceiveMessage"],"Effect":"Allow","Resource":[{"Fn::GetAtt":["Jobs","Arn"]}]`) || strings.Contains(got, "sqs:SendMessage") {
		t.Errorf("the worker's role: %s", got)
	}
	// The connect handler may read the table's stream, not the table.
	stmt = doc.Path("Resources", "ConnectHandlerRole", "Properties", "Policies")
	if got := jsonOf(t, stmt); !strings.Contains(got, `"Action":["dynamodb:DescribeStream","dynamodb:GetRecords","dynamodb:GetShardIterator","dynamodb:ListStreams"],"Effect":"Allow","Resource":[{"Fn::GetAtt":["Messages","StreamArn"]}]`) || strings.Contains(got, "dynamodb:GetItem") {
		t.Errorf("the connect handler's role: %s", got)
	}
}

// jsonDoc walks a decoded JSON template.
type jsonDoc struct{ v any }

func (d jsonDoc) Path(keys ...string) jsonDoc {
	v := d.v
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return jsonDoc{v}
}

func jsonOf(t *testing.T, d jsonDoc) string {
	t.Helper()
	b, err := json.Marshal(d.v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Each state machine's definition file is written at its path beside the
// template; a path out of the folder (from an opened stack file, say) is
// refused by validation and never written.
func TestDefinitionsStayInTheFolder(t *testing.T) {
	t.Parallel()
	s := servicesStack(t)
	files := Definitions(s)
	if len(files) != 2 || string(files["statemachines/flow.asl.json"]) != model.DefaultDefinition {
		t.Fatalf("definitions %v", files)
	}
	for _, p := range []string{"../flow.json", "/etc/flow.json", "statemachines/../../flow.json"} {
		s.StateMachines[0].DefinitionPath = p
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "definition file") {
			t.Errorf("%s: validation says %v", p, err)
		}
		if _, ok := Definitions(s)[p]; ok || len(Definitions(s)) != 1 {
			t.Errorf("%s is written: %v", p, Definitions(s))
		}
	}
	// Kept in the template, it is no file.
	s.StateMachines[0].DefinitionPath = ""
	if len(Definitions(s)) != 1 {
		t.Errorf("an inline definition became a file: %v", Definitions(s))
	}
	out, err := YAML(s)
	if err != nil || !strings.Contains(string(out), "Definition:\n        Comment: Passes its input on") {
		t.Errorf("the inline definition: %v\n%s", err, out)
	}
}
