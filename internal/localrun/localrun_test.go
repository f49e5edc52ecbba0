package localrun

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// scanCount counts the items of a table on the endpoint.
func scanCount(t *testing.T, endpoint, table string) int {
	t.Helper()
	out, err := dynamoClient(endpoint, "us-east-1").Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	return int(out.Count)
}

// TestChatEndToEnd runs the chat example's scaffold handlers as Lambda
// processes behind the emulated API, with the built-in DynamoDB endpoint
// and with moto_server's: two
// clients, a broadcast through @connections by the AWS SDK for JavaScript
// v3 inside the handler, $default, a client that vanishes, an oversized
// frame.
func TestChatEndToEnd(t *testing.T) {
	t.Parallel()
	sdk := MustSDK(t)
	t.Run("built-in DynamoDB", func(t *testing.T) { chatEndToEnd(t, sdk, "") })
	t.Run("moto", func(t *testing.T) { chatEndToEnd(t, sdk, MustStartMoto(t)) })
}

// chatEndToEnd runs the chat example with the DynamoDB endpoint given, or
// the built-in one when it is empty.
func chatEndToEnd(t *testing.T, sdk, endpoint string) {
	s, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	r := MustRun(t, Config{Stack: s, DynamoDBEndpoint: endpoint, NodePath: sdk})
	dynamo := r.DynamoDBEndpoint()
	if endpoint != "" && dynamo != endpoint {
		t.Fatalf("run uses %s, want %s", dynamo, endpoint)
	}
	table := TableName(s, s.Tables[0])
	if got := r.Tables(); len(got) != 1 || got[0] != "chat-Connections" {
		t.Fatalf("tables = %v", got)
	}
	events, stop := r.Gateway().Subscribe(256)
	defer stop()

	a := MustDial(t, r, "")
	b := MustDial(t, r, "")
	if n := scanCount(t, dynamo, table); n != 2 {
		t.Fatalf("$connect stored %d connections, want 2", n)
	}

	MustSend(t, a, `{"action":"sendMessage","data":"hello everyone"}`)
	for name, c := range map[string]interface{ Read() ([]byte, error) }{"a": a, "b": b} {
		if got, err := c.Read(); err != nil || string(got) != "hello everyone" {
			t.Errorf("client %s got %q, %v", name, got, err)
		}
	}
	push := waitEvent(t, events, apigw.EventPush, nil)
	if len(push.WireIDs) != 2 {
		t.Errorf("push event wires = %v, want the API's two send wires", push.WireIDs)
	}

	MustSend(t, a, "not json at all")
	var reply struct{ RouteKey, Received string }
	if err := json.Unmarshal([]byte(MustRead(t, a)), &reply); err != nil || reply.RouteKey != "$default" || reply.Received != "not json at all" {
		t.Errorf("$default reply = %+v (%v)", reply, err)
	}

	// b vanishes without a close frame; its $disconnect forgets it. The
	// disconnect event comes after the $disconnect handler returned.
	if err := b.Abort(); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, events, apigw.EventDisconnect, nil)
	if n := scanCount(t, dynamo, table); n != 1 {
		t.Errorf("after b vanished the table holds %d connections, want 1", n)
	}
	MustSend(t, a, `{"action":"sendMessage","data":"still here"}`)
	if got := MustRead(t, a); got != "still here" {
		t.Errorf("a got %q", got)
	}

	if err := a.Send([]byte(strings.Repeat("x", apigw.MaxFrameSize+1))); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Read(); closeCode(err) != 1009 {
		t.Errorf("oversized frame: read ended with %v, want close 1009", err)
	}
}

// TestEchoTwoWay runs the echo example's scaffold with its route two-way,
// then one-way: a one-way route's result never reaches the client.
func TestEchoTwoWay(t *testing.T) {
	t.Parallel()
	sdk := MustSDK(t)
	s, err := model.Example("echo", "echo")
	if err != nil {
		t.Fatal(err)
	}
	// A second, one-way route to the same function. One message at a time
	// per connection, so the one-way result, if it leaked, would arrive
	// before the two-way reply.
	s.APIs[0].Routes = append(s.APIs[0].Routes, &model.Route{ID: "rt9", Key: "quiet"})
	s.Wires = append(s.Wires, &model.Wire{ID: "w9", Kind: model.WireIntegration, From: "rt9", To: "fn3"})
	r := MustRun(t, Config{Stack: s, NodePath: sdk, Gateway: apigw.Options{MaxInflight: 1}})
	c := MustDial(t, r, "")
	MustSend(t, c, `{"action":"quiet","n":1}`)
	MustSend(t, c, `{"action":"test","n":2}`)
	if got := MustRead(t, c); got != `{"action":"test","n":2}` {
		t.Fatalf("got %q, want only the two-way route's reply", got)
	}
}

// handlers for the failure tests, written as a user would.
var failureHandlers = map[string]string{
	"functions/gate/index.mjs": `export const handler = async (event) => {
  const token = event.queryStringParameters?.token;
  if (token !== "letmein") return { statusCode: 401 };
  return { statusCode: 200 };
};
`,
	"functions/work/index.mjs": `export const handler = async (event) => {
  const { what } = JSON.parse(event.body);
  if (what === "crash") process.exit(1);
  if (what === "throw") throw new Error("secret internals");
  if (what === "hang") await new Promise((r) => setTimeout(r, 5000));
  return { statusCode: 200, body: "done " + what };
};
`,
}

func failureStack() *model.Stack {
	api := model.NewAPI("api1", "Api")
	api.RouteSelectionExpression = "$request.body.action"
	api.Routes = []*model.Route{{ID: "r1", Key: "$connect"}, {ID: "r2", Key: "work", TwoWay: true}}
	gate := model.NewFunction("f1", "Gate")
	gate.CodePath = "functions/gate"
	work := model.NewFunction("f2", "Work")
	work.CodePath = "functions/work"
	work.Timeout = 1
	return &model.Stack{
		Name: "failures", APIs: []*model.API{api}, Functions: []*model.Function{gate, work},
		Wires: []*model.Wire{
			{ID: "w1", Kind: model.WireIntegration, From: "r1", To: "f1"},
			{ID: "w2", Kind: model.WireIntegration, From: "r2", To: "f2"},
		},
	}
}

// TestHandlerFailures: $connect refusal, a crash, a thrown error and a
// Lambda timeout each give the client what API Gateway gives, and the
// function keeps serving afterwards.
func TestHandlerFailures(t *testing.T) {
	t.Parallel()
	sdk := MustSDK(t)
	root := t.TempDir()
	MustWrite(t, root, failureHandlers)
	r := MustRun(t, Config{Stack: failureStack(), CodeDir: root, NodePath: sdk})

	if _, err := MustDialErr(r, ""); !strings.Contains(errString(err), "401") {
		t.Fatalf("connect without token: %v, want 401", err)
	}
	c := MustDial(t, r, "?token=letmein")
	for _, what := range []string{"crash", "throw", "hang"} {
		MustSend(t, c, `{"action":"work","what":"`+what+`"}`)
		got := MustRead(t, c)
		if !strings.HasPrefix(got, `{"message": "Internal server error", "connectionId":"`) || strings.Contains(got, "secret") {
			t.Errorf("%s: got %s, want API Gateway's Internal server error frame", what, got)
		}
		MustSend(t, c, `{"action":"work","what":"ok"}`)
		if got := MustRead(t, c); got != "done ok" {
			t.Errorf("after %s: got %q", what, got)
		}
	}
}

// TestGoHandler runs a handler built with aws-lambda-go, which decodes the
// event into events.APIGatewayWebsocketProxyRequest: the gateway's event
// shape must suit it.
func TestGoHandler(t *testing.T) {
	t.Parallel()
	gobin := testtool.Command(t, "go", "the handler is built with aws-lambda-go")
	root := t.TempDir()
	dir := filepath.Join(root, "functions", "go-echo")
	cmd := exec.Command(gobin, "build", "-trimpath", "-o", filepath.Join(dir, "bootstrap"), "../lambdaemu/testdata/gohandler")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	api := model.NewAPI("api1", "Api")
	api.Routes = []*model.Route{{ID: "r1", Key: "$default", TwoWay: true}}
	fn := model.NewFunction("f1", "GoEcho")
	fn.Runtime, fn.Handler, fn.CodePath = "provided.al2023", "bootstrap", "functions/go-echo"
	s := &model.Stack{Name: "go", APIs: []*model.API{api}, Functions: []*model.Function{fn},
		Wires: []*model.Wire{{ID: "w1", Kind: model.WireIntegration, From: "r1", To: "f1"}}}
	r := MustRun(t, Config{Stack: s, CodeDir: root})
	c := MustDial(t, r, "")
	MustSend(t, c, "ping")
	if got := MustRead(t, c); !strings.HasPrefix(got, "$default:ping:") || !strings.HasSuffix(got, ":GoEcho") {
		t.Errorf("go handler replied %q", got)
	}
	MustSend(t, c, "fail")
	if got := MustRead(t, c); !strings.HasPrefix(got, `{"message": "Internal server error"`) {
		t.Errorf("failing go handler: %q", got)
	}
}

func TestFunctionEnvironment(t *testing.T) {
	t.Parallel()
	s, _ := model.Example("chat", "my chat")
	eps := []apigw.Endpoint{{APIID: "api1", ConnectionsURL: "http://127.0.0.1:9/dev/@connections"}}
	fns := FunctionConfigs(s, "/code", eps, "http://127.0.0.1:8000", "eu-west-1")
	env := map[string]map[string]string{}
	for _, f := range fns {
		env[f.Name] = f.Env
	}
	want := map[string]map[string]string{
		"ConnectionHandler": {"CONNECTIONS_TABLE_NAME": "my-chat-Connections", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000", "AWS_REGION": "eu-west-1"},
		"SendHandler":       {"CONNECTIONS_TABLE_NAME": "my-chat-Connections", "CHAT_API_CONNECTIONS_URL": "http://127.0.0.1:9/dev/@connections"},
		"DefaultHandler":    {"CHAT_API_CONNECTIONS_URL": "http://127.0.0.1:9/dev/@connections"},
	}
	for fn, vars := range want {
		for k, v := range vars {
			if env[fn][k] != v {
				t.Errorf("%s %s = %q, want %q", fn, k, env[fn][k], v)
			}
		}
	}
	if _, ok := env["DefaultHandler"]["CONNECTIONS_TABLE_NAME"]; ok {
		t.Errorf("DefaultHandler is not wired to the table but gets its name")
	}
	if fns[0].CodeDir != filepath.Join("/code", "functions", "connection-handler") {
		t.Errorf("code dir = %s", fns[0].CodeDir)
	}
}

// TestDataDirKeepsTables: without --dynamodb-endpoint the tables live on the
// built-in endpoint, which starts empty; with a data folder, an item a run
// stored is there in the next run of the stack.
func TestDataDirKeepsTables(t *testing.T) {
	t.Parallel()
	MustSDK(t) // node
	// The echo example's handler imports nothing; a table is all it needs.
	s, err := model.Example("echo", "echo")
	if err != nil {
		t.Fatal(err)
	}
	s.Tables = append(s.Tables, model.NewTable("tb9", "Notes"))
	data := filepath.Join(t.TempDir(), "data")
	table := TableName(s, s.Tables[0])
	first := MustRun(t, Config{Stack: s, DataDir: data})
	if n := scanCount(t, first.DynamoDBEndpoint(), table); n != 0 {
		t.Fatalf("a first run's table holds %d items", n)
	}
	_, err = dynamoClient(first.DynamoDBEndpoint(), "us-east-1").PutItem(t.Context(), &dynamodb.PutItemInput{
		TableName: aws.String(table), Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "kept"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := MustRun(t, Config{Stack: s, DataDir: data})
	if n := scanCount(t, second.DynamoDBEndpoint(), table); n != 1 {
		t.Fatalf("the next run's table holds %d items, want the 1 kept", n)
	}
}
