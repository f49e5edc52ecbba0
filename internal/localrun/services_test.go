package localrun

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// recorder is a Node.js handler that appends each event it gets to
// $OUT/<function>.jsonl, then does what $MODE says: fail (throw), fail a
// batch item whose body is "bad", or answer with a value.
const recorder = `const fs = require('fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.OUT + '/' + process.env.NAME + '.jsonl', JSON.stringify(event) + '\n');
  if (process.env.MODE === 'fail') throw new Error('always fails');
  if (process.env.MODE === 'partial') {
    return { batchItemFailures: event.Records.filter(r => r.body === 'bad').map(r => ({ itemIdentifier: r.messageId })) };
  }
  if (process.env.MODE === 'double') return { n: event.n * 2, seen: event };
  return {};
};
`

// servicesStack is a stack with one API and the functions named, each a
// recorder writing to out.
func servicesStack(t *testing.T, out string, functions map[string]string) (*model.Stack, string) {
	t.Helper()
	s := &model.Stack{Name: "svc"}
	s.APIs = []*model.API{model.NewAPI("api", "Api")}
	code := t.TempDir()
	files := map[string]string{}
	for name, mode := range functions {
		f := model.NewFunction("fn"+name, name)
		f.Timeout = 1
		f.Environment = map[string]string{"OUT": out, "NAME": name, "MODE": mode}
		s.Functions = append(s.Functions, f)
		files[f.CodePath+"/index.js"] = recorder
	}
	MustWrite(t, code, files)
	return s, code
}

func addRoute(s *model.Stack, key string, twoWay bool, kind model.WireKind, to string) {
	id := "rt" + strings.TrimPrefix(key, "$")
	s.APIs[0].Routes = append(s.APIs[0].Routes, &model.Route{ID: id, Key: key, TwoWay: twoWay})
	s.Wires = append(s.Wires, &model.Wire{ID: "w" + id, Kind: kind, From: id, To: to})
}

func wire(s *model.Stack, kind model.WireKind, from, to string) {
	s.Wires = append(s.Wires, &model.Wire{ID: "w" + from + to, Kind: kind, From: from, To: to})
}

// waitEvents waits until the function recorded n events and returns them.
func waitEvents(t *testing.T, out, function string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var events []map[string]any
		if f, err := os.Open(filepath.Join(out, function+".jsonl")); err == nil {
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var e map[string]any
				if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
					t.Fatal(err)
				}
				events = append(events, e)
			}
			f.Close()
		}
		if len(events) >= n {
			return events
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s recorded %d events within 20s, want %d: %v", function, len(events), n, events)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func records(e map[string]any) []map[string]any {
	var out []map[string]any
	for _, r := range e["Records"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

// TestRouteQueueFunction sends messages through a route integrated with a
// queue; the queue's function gets them as SQS events, in batches, and a
// batch item it reports failed comes back; an SDK client reaches the same
// queue on the endpoint the functions are given.
func TestRouteQueueFunction(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Worker": "partial"})
	q := model.NewQueue("q1", "Jobs")
	q.VisibilityTimeout = 1
	s.Queues = []*model.Queue{q}
	addRoute(s, "$default", false, model.WireSendMessage, "q1")
	wire(s, model.WireConsume, "q1", "fnWorker")
	r := MustRun(t, Config{Stack: s, CodeDir: code})

	c := MustDial(t, r, "")
	MustSend(t, c, `{"job":1}`)
	MustSend(t, c, "bad")
	seen := map[string]int{}
	var first map[string]any
	for _, e := range waitEvents(t, out, "Worker", 1) {
		for _, rec := range records(e) {
			seen[rec["body"].(string)]++
			first = rec
		}
	}
	if first["eventSource"] != "aws:sqs" || !strings.HasSuffix(first["eventSourceARN"].(string), ":svc-Jobs") || first["receiptHandle"] == "" {
		t.Errorf("record = %v, want an SQS record of queue svc-Jobs", first)
	}
	if attrs := first["attributes"].(map[string]any); attrs["ApproximateReceiveCount"] == nil || attrs["SentTimestamp"] == nil {
		t.Errorf("attributes = %v", attrs)
	}
	// "bad" was reported failed: it comes back after the visibility
	// timeout, with a higher receive count; {"job":1} never does.
	deadline := time.Now().Add(20 * time.Second)
	for {
		seen = map[string]int{}
		var again map[string]any
		for _, e := range waitEvents(t, out, "Worker", 1) {
			for _, rec := range records(e) {
				seen[rec["body"].(string)]++
				if rec["body"] == "bad" {
					again = rec
				}
			}
		}
		if seen["bad"] >= 2 {
			if n := again["attributes"].(map[string]any)["ApproximateReceiveCount"]; n == "1" {
				t.Errorf("the redelivered message's receive count is %v", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the failed batch item did not come back: %v", seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if seen[`{"job":1}`] != 1 {
		t.Errorf(`{"job":1} delivered %d times, want once (it was handled)`, seen[`{"job":1}`])
	}

	// The SQS endpoint the functions get speaks SQS's JSON protocol: an
	// SDK's client sends through it and the function gets that message too.
	sqsc := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.SQSEndpoint()),
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")})
	url, err := sqsc.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("svc-Jobs")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqsc.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: url.QueueUrl, MessageBody: aws.String("from the sdk")}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		found := false
		for _, e := range waitEvents(t, out, "Worker", 1) {
			for _, rec := range records(e) {
				found = found || rec["body"] == "from the sdk"
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the SDK's message did not reach the function")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestQueueDeadLetter: a function that always fails gets the message
// maxReceiveCount times; then it moves to the dead-letter queue, whose own
// function gets it.
func TestQueueDeadLetter(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Failing": "fail", "Janitor": ""})
	q := model.NewQueue("q1", "Jobs")
	q.VisibilityTimeout, q.MaxReceiveCount = 1, 2
	dlq := model.NewQueue("q2", "JobsDead")
	s.Queues = []*model.Queue{q, dlq}
	addRoute(s, "$default", false, model.WireSendMessage, "q1")
	wire(s, model.WireConsume, "q1", "fnFailing")
	wire(s, model.WireDeadLetter, "q1", "q2")
	wire(s, model.WireConsume, "q2", "fnJanitor")
	r := MustRun(t, Config{Stack: s, CodeDir: code})

	MustSend(t, MustDial(t, r, ""), "poison")
	dead := records(waitEvents(t, out, "Janitor", 1)[0])[0]
	if dead["body"] != "poison" || !strings.HasSuffix(dead["eventSourceARN"].(string), ":svc-JobsDead") {
		t.Errorf("dead letter = %v", dead)
	}
	if tries := waitEvents(t, out, "Failing", 2); len(tries) != 2 {
		t.Errorf("the failing function got the message %d times, want maxReceiveCount (2)", len(tries))
	}
}

// TestRouteTopicFunctions: a message to a route integrated with a topic
// reaches both functions subscribed to it as SNS events.
func TestRouteTopicFunctions(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Mailer": "", "Auditor": ""})
	s.Topics = []*model.Topic{model.NewTopic("tp1", "News")}
	addRoute(s, "$default", false, model.WirePublish, "tp1")
	wire(s, model.WireSubscribe, "tp1", "fnMailer")
	wire(s, model.WireSubscribe, "tp1", "fnAuditor")
	r := MustRun(t, Config{Stack: s, CodeDir: code})

	MustSend(t, MustDial(t, r, ""), `{"headline":"local topics"}`)
	for _, fn := range []string{"Mailer", "Auditor"} {
		rec := records(waitEvents(t, out, fn, 1)[0])[0]
		sns, _ := rec["Sns"].(map[string]any)
		if rec["EventSource"] != "aws:sns" || sns["Message"] != `{"headline":"local topics"}` || !strings.HasSuffix(sns["TopicArn"].(string), ":svc-News") {
			t.Errorf("%s got %v", fn, rec)
		}
	}
}

// TestRouteExpressStateMachine: a two-way route integrated with an express
// state machine (StartSyncExecution) answers with the execution, whose
// output the definition's Task, Choice and Pass states made by invoking
// a function of the stack.
func TestRouteExpressStateMachine(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Doubler": "double"})
	m := model.NewStateMachine("sm1", "Flow")
	m.Type = model.StateMachineExpress
	m.Definition = `{
  "StartAt": "Double",
  "States": {
    "Double": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Doubler", "ResultSelector": {"n.$": "$.n"}, "ResultPath": "$.doubled", "Next": "Big?"},
    "Big?": {"Type": "Choice", "Choices": [{"Variable": "$.doubled.n", "NumericGreaterThan": 10, "Next": "Big"}, {"Variable": "$.doubled.n", "NumericLessThan": 0, "Next": "Negative"}], "Default": "Small"},
    "Negative": {"Type": "Fail", "Error": "Negative", "Cause": "n is below zero"},
    "Big": {"Type": "Pass", "Parameters": {"size": "big", "n.$": "$.doubled.n"}, "End": true},
    "Small": {"Type": "Wait", "Seconds": 0, "Next": "Done"},
    "Done": {"Type": "Pass", "Result": {"size": "small"}, "End": true}
  }
}`
	// A standard one, started by another route, runs after the answer.
	bg := model.NewStateMachine("sm2", "Background")
	bg.Definition = `{"StartAt": "Record", "States": {"Record": {"Type": "Task", "Resource": "${RecorderArn}", "End": true}}}`
	bg.Kept = []model.Kept{{Part: model.PartMain, Properties: []model.Field{{Key: "DefinitionSubstitutions", Value: json.RawMessage(`{"RecorderArn": {"Fn::GetAtt": ["Recorder", "Arn"]}}`)}}}}
	rec := model.NewFunction("fnRecorder", "Recorder")
	rec.Timeout, rec.Environment = 1, map[string]string{"OUT": out, "NAME": "Recorder"}
	s.Functions = append(s.Functions, rec)
	MustWrite(t, code, map[string]string{rec.CodePath + "/index.js": recorder})
	s.StateMachines = []*model.StateMachine{m, bg}
	s.APIs[0].RouteSelectionExpression = "$request.body.action"
	addRoute(s, "$default", true, model.WireStartSyncExecution, "sm1")
	addRoute(s, "later", true, model.WireStartExecution, "sm2")
	r := MustRun(t, Config{Stack: s, CodeDir: code})

	c := MustDial(t, r, "")
	for _, tc := range []struct{ in, want string }{{`{"n":21}`, `{"n":42,"size":"big"}`}, {`{"n":2}`, `{"size":"small"}`}} {
		MustSend(t, c, tc.in)
		var res struct{ Status, Output, ExecutionArn string }
		if err := json.Unmarshal([]byte(MustRead(t, c)), &res); err != nil {
			t.Fatal(err)
		}
		if res.Status != "SUCCEEDED" || res.Output != tc.want || !strings.Contains(res.ExecutionArn, ":express:svc-Flow:") {
			t.Errorf("input %s answered %+v, want output %s", tc.in, res, tc.want)
		}
	}
	if got := waitEvents(t, out, "Doubler", 2); got[0]["n"] != 21.0 {
		t.Errorf("the task's function got %v", got[0])
	}

	MustSend(t, c, `{"n":-3}`)
	var failed struct{ Status, Error, Cause string }
	if err := json.Unmarshal([]byte(MustRead(t, c)), &failed); err != nil || failed.Status != "FAILED" || failed.Error != "Negative" || failed.Cause != "n is below zero" {
		t.Errorf("a failed execution answered %+v, %v", failed, err)
	}

	MustSend(t, c, `{"action":"later","job":7}`)
	var started struct{ ExecutionArn string }
	if err := json.Unmarshal([]byte(MustRead(t, c)), &started); err != nil || !strings.Contains(started.ExecutionArn, ":execution:svc-Background:") {
		t.Errorf("StartExecution answered %+v, %v", started, err)
	}
	if got := waitEvents(t, out, "Recorder", 1)[0]; got["job"] != 7.0 {
		t.Errorf("the standard execution's task got %v", got)
	}
}

// TestStateMachineOutsideSubsetRefused: a definition with a state a run
// cannot emulate refuses the run, naming the machine and the state.
func TestStateMachineOutsideSubsetRefused(t *testing.T) {
	t.Parallel()
	s, code := servicesStack(t, t.TempDir(), map[string]string{"Fn": ""})
	m := model.NewStateMachine("sm1", "Flow")
	m.Definition = `{"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemProcessor": {}, "End": true}}}`
	s.StateMachines = []*model.StateMachine{m}
	_, err := Start(context.Background(), nil, Config{Stack: s, CodeDir: code, CADir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "state machine Flow") || !strings.Contains(err.Error(), `state "Each"`) || !strings.Contains(err.Error(), "Map") {
		t.Fatalf("err = %v, want a refusal naming state machine Flow and its state Each", err)
	}
}

// TestTableStreamFunction: writes to the built-in DynamoDB endpoint reach
// the function wired to the table's stream as stream records with the new
// and old images.
func TestTableStreamFunction(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Indexer": ""})
	tbl := model.NewTable("t1", "Notes")
	s.Tables = []*model.Table{tbl}
	wire(s, model.WireStream, "t1", "fnIndexer")
	r := MustRun(t, Config{Stack: s, CodeDir: code})

	db := dynamoClient(r.DynamoDBEndpoint(), "us-east-1")
	ctx := context.Background()
	name := aws.String(TableName(s, tbl))
	key := tbl.PartitionKey.Name
	for _, text := range []string{"first", "second"} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: name, Item: map[string]types.AttributeValue{
			key: &types.AttributeValueMemberS{Value: "n1"}, "text": &types.AttributeValueMemberS{Value: text}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: name, Key: map[string]types.AttributeValue{key: &types.AttributeValueMemberS{Value: "n1"}}}); err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	for deadline := time.Now().Add(20 * time.Second); len(recs) < 3; {
		recs = nil
		for _, e := range waitEvents(t, out, "Indexer", 1) {
			recs = append(recs, records(e)...)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d stream records within 20s, want 3", len(recs))
		}
	}
	var names []string
	for _, r := range recs {
		names = append(names, r["eventName"].(string))
	}
	if strings.Join(names, ",") != "INSERT,MODIFY,REMOVE" {
		t.Fatalf("events = %v, want INSERT,MODIFY,REMOVE", names)
	}
	modify := recs[1]["dynamodb"].(map[string]any)
	oldText := modify["OldImage"].(map[string]any)["text"].(map[string]any)["S"]
	newText := modify["NewImage"].(map[string]any)["text"].(map[string]any)["S"]
	if oldText != "first" || newText != "second" || modify["StreamViewType"] != "NEW_AND_OLD_IMAGES" || recs[1]["eventSource"] != "aws:dynamodb" {
		t.Errorf("MODIFY record = %v", recs[1])
	}
	if _, ok := recs[2]["dynamodb"].(map[string]any)["NewImage"]; ok {
		t.Errorf("REMOVE record has a new image: %v", recs[2])
	}
}

// producer sends the message it is given to the queue its QUEUE_URL names
// with the AWS SDK for JavaScript v3, which finds the run's SQS through
// AWS_ENDPOINT_URL_SQS.
const producer = `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (event) => {
  const out = await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: 'via sdk: ' + event.body }));
  return { statusCode: 200, body: out.MessageId };
};
`

// TestHandlerSendsWithSDK: a handler's SDK SendMessage, to the queue URL
// its environment names through !Ref (kept from an imported template),
// reaches the run's queue and the function the queue triggers.
func TestHandlerSendsWithSDK(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Worker": ""})
	p := model.NewFunction("fnProducer", "Producer")
	p.Kept = []model.Kept{{Part: model.PartMain, Properties: []model.Field{{Key: "Environment.Variables.QUEUE_URL", Value: json.RawMessage(`{"Ref":"Jobs"}`)}}}}
	s.Functions = append(s.Functions, p)
	MustWrite(t, code, map[string]string{p.CodePath + "/index.js": producer})
	s.Queues = []*model.Queue{model.NewQueue("q1", "Jobs")}
	addRoute(s, "$default", true, model.WireIntegration, "fnProducer")
	wire(s, model.WireConsume, "q1", "fnWorker")
	r := MustRun(t, Config{Stack: s, CodeDir: code})

	c := MustDial(t, r, "")
	MustSend(t, c, "hello")
	if id := MustRead(t, c); len(id) != 36 {
		t.Errorf("SendMessage answered message ID %q", id)
	}
	if rec := records(waitEvents(t, out, "Worker", 1)[0])[0]; rec["body"] != "via sdk: hello" {
		t.Errorf("worker got %v", rec)
	}
}

// TestRouteQueueRequestTemplate: a route's own request template (form
// encoded, as for SQS's query API) is rendered as API Gateway would: the
// message body and group come from the message, the group keeps a FIFO
// queue's order.
func TestRouteQueueRequestTemplate(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Worker": ""})
	q := model.NewQueue("q1", "Chat")
	q.FIFO = true
	s.Queues = []*model.Queue{q}
	addRoute(s, "$default", false, model.WireSendMessage, "q1")
	s.APIs[0].Routes[0].Integration = &model.Integration{
		TemplateSelectionExpression: `\$default`,
		RequestTemplates: map[string]string{"$default": "Action=SendMessage&MessageGroupId=$util.urlEncode($input.path('$.room'))" +
			"&MessageDeduplicationId=$context.requestId&MessageBody=$util.urlEncode($input.json('$.text'))"},
	}
	wire(s, model.WireConsume, "q1", "fnWorker")
	r := MustRun(t, Config{Stack: s, CodeDir: code})

	c := MustDial(t, r, "")
	for i := range 5 {
		MustSend(t, c, `{"room":"lobby","text":"m`+string(rune('0'+i))+` & more"}`)
	}
	var got []string
	for deadline := time.Now().Add(20 * time.Second); len(got) < 5; {
		got = nil
		for _, e := range waitEvents(t, out, "Worker", 1) {
			for _, rec := range records(e) {
				if g := rec["attributes"].(map[string]any)["MessageGroupId"]; g != "lobby" {
					t.Fatalf("group = %v, want lobby", g)
				}
				got = append(got, rec["body"].(string))
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %v within 20s", got)
		}
	}
	// Messages on one connection are handled concurrently, as on API
	// Gateway, so the order they reach the queue in is not the sent one;
	// each is there once, and the worker got them in the queue's order.
	seen := map[string]bool{}
	for _, b := range got {
		seen[b] = true
	}
	if len(seen) != 5 || !seen[`"m0 & more"`] {
		t.Errorf("worker got %v, want the five texts as JSON strings", got)
	}
}

// TestRouteLambdaWithoutProxy: a two-way route integrated with a function
// without the proxy sends it its request template's rendering, not the
// proxy's event, and answers with the integration response's template.
func TestRouteLambdaWithoutProxy(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Doubler": "double"})
	addRoute(s, "$default", true, model.WireIntegration, "fnDoubler")
	s.APIs[0].Routes[0].Integration = &model.Integration{
		Type:                        model.IntegrationAWS,
		TemplateSelectionExpression: `\$default`,
		RequestTemplates:            map[string]string{"$default": `{"n": $input.json('$.value'), "who": "$context.connectionId"}`},
		Responses:                   []model.IntegrationResponse{{Key: "$default", Templates: map[string]string{"$default": `{"doubled": $input.json('$.n')}`}}},
	}
	r := MustRun(t, Config{Stack: s, CodeDir: code})

	c := MustDial(t, r, "")
	MustSend(t, c, `{"value": 7}`)
	if got := MustRead(t, c); got != `{"doubled": 14}` {
		t.Errorf("answer = %s, want the response template's", got)
	}
	ev := waitEvents(t, out, "Doubler", 1)[0]
	if ev["n"] != 7.0 || ev["who"] == "" || ev["requestContext"] != nil {
		t.Errorf("the function got %v, want the request template's rendering", ev)
	}
}

// TestRouteTablePutItem: a route integrated with a table puts an item
// with the export's request template: keyed by the request, holding the
// connection ID and the message.
func TestRouteTablePutItem(t *testing.T) {
	t.Parallel()
	s, code := servicesStack(t, t.TempDir(), nil)
	tbl := model.NewTable("t1", "Messages")
	s.Tables = []*model.Table{tbl}
	addRoute(s, "$default", false, model.WirePutItem, "t1")
	r := MustRun(t, Config{Stack: s, CodeDir: code})

	events, stop := r.Gateway().Subscribe(64)
	defer stop()
	// No apostrophe: $util.escapeJavaScript turns it into \', which is not
	// JSON, and DynamoDB refuses the request, on AWS as here.
	MustSend(t, MustDial(t, r, ""), `{"text":"a \"quoted\" word"}`)
	connected := waitEvent(t, events, apigw.EventMessage, nil)
	var item map[string]types.AttributeValue
	for deadline := time.Now().Add(10 * time.Second); item == nil; time.Sleep(20 * time.Millisecond) {
		res, err := dynamoClient(r.DynamoDBEndpoint(), "us-east-1").Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(TableName(s, tbl))})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) > 0 {
			item = res.Items[0]
		}
		if time.Now().After(deadline) {
			t.Fatal("no item within 10s")
		}
	}
	body, _ := item["body"].(*types.AttributeValueMemberS)
	conn, _ := item["connectionId"].(*types.AttributeValueMemberS)
	if body == nil || body.Value != `{"text":"a \"quoted\" word"}` || conn == nil || conn.Value != connected.ConnectionID {
		t.Errorf("item = %v", item)
	}
	if _, ok := item[tbl.PartitionKey.Name].(*types.AttributeValueMemberS); !ok {
		t.Errorf("item has no %s key: %v", tbl.PartitionKey.Name, item)
	}
}
