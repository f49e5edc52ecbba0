package localrun

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// busStack adds a bus and a rule on it with the pattern, triggering the
// function, to a services stack.
func addBusRule(s *model.Stack, bus, rule, pattern, function string) {
	if bus != "" && !containsBus(s, bus) {
		s.Buses = append(s.Buses, model.NewBus("bus"+bus, bus))
	}
	r := model.NewRule("rl"+rule, rule)
	r.EventPattern = pattern
	s.Rules = append(s.Rules, r)
	if bus != "" {
		wire(s, model.WireMatch, "bus"+bus, "rl"+rule)
	}
	wire(s, model.WireTrigger, "rl"+rule, "fn"+function)
}

func containsBus(s *model.Stack, name string) bool {
	for _, b := range s.Buses {
		if b.Name == name {
			return true
		}
	}
	return false
}

// TestRouteBusRuleFunction: a two-way route integrated with a bus answers
// with PutEvents' response; the event, in EventBridge's envelope with the
// API as its source and the route as its detail type, reaches the
// function of the rule whose pattern matches it and not that of the rule
// whose pattern does not; a message that is not a JSON object is refused
// as EventBridge refuses its Detail.
func TestRouteBusRuleFunction(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Fulfil": "", "Refund": ""})
	addRoute(s, "$default", true, model.WirePutEvents, "busOrders")
	addBusRule(s, "Orders", "OnOrder", `{"source":["Api"],"detail-type":["$default"],"detail":{"kind":["order"],"total":[{"numeric":[">",0]}]}}`, "Fulfil")
	addBusRule(s, "Orders", "OnRefund", `{"detail":{"kind":[{"prefix":"refund"}]}}`, "Refund")
	var lines []string
	var mu sync.Mutex
	r := MustRun(t, Config{Stack: s, CodeDir: code, Region: "eu-west-1", OnProgress: func(m string) { mu.Lock(); lines = append(lines, m); mu.Unlock() }})
	mu.Lock()
	for _, l := range lines {
		if strings.Contains(l, "not emulated") {
			t.Errorf("the start says %q", l)
		}
	}
	mu.Unlock()

	c := MustDial(t, r, "")
	MustSend(t, c, `{"kind":"order","total":12.5}`)
	var res struct {
		FailedEntryCount int
		Entries          []struct{ EventId, ErrorCode string }
	}
	if err := json.Unmarshal([]byte(MustRead(t, c)), &res); err != nil || res.FailedEntryCount != 0 || len(res.Entries) != 1 || len(res.Entries[0].EventId) != 36 {
		t.Fatalf("the route answered %+v (%v), want PutEvents' response with one event ID", res, err)
	}
	ev := waitEvents(t, out, "Fulfil", 1)[0]
	detail, _ := ev["detail"].(map[string]any)
	if ev["source"] != "Api" || ev["detail-type"] != "$default" || ev["id"] != res.Entries[0].EventId || ev["version"] != "0" ||
		ev["account"] != "000000000000" || ev["region"] != "eu-west-1" || detail["kind"] != "order" || detail["total"] != 12.5 {
		t.Errorf("Fulfil got %v", ev)
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(ev["time"])); err != nil {
		t.Errorf("time = %v: %v", ev["time"], err)
	}
	if res, ok := ev["resources"].([]any); !ok || len(res) != 0 {
		t.Errorf("resources = %v, want []", ev["resources"])
	}

	// A refund matches only OnRefund; an order with no total matches
	// neither (its numeric field is missing).
	MustSend(t, c, `{"kind":"order"}`)
	MustRead(t, c)
	MustSend(t, c, `{"kind":"refund-partial","total":3}`)
	MustRead(t, c)
	if got := waitEvents(t, out, "Refund", 1); len(got) != 1 || got[0]["detail"].(map[string]any)["kind"] != "refund-partial" {
		t.Errorf("Refund got %v", got)
	}
	// Fulfil is invoked again by a matching order, after which nothing
	// it must not get can still be on its way.
	MustSend(t, c, `{"kind":"order","total":1}`)
	MustRead(t, c)
	got := waitEvents(t, out, "Fulfil", 2)
	for _, e := range got {
		if d := e["detail"].(map[string]any); d["kind"] != "order" || d["total"] == nil {
			t.Errorf("Fulfil got an event its pattern does not match: %v", e)
		}
	}
	if len(got) != 2 {
		t.Errorf("Fulfil got %d events, want 2", len(got))
	}

	MustSend(t, c, "not json")
	if err := json.Unmarshal([]byte(MustRead(t, c)), &res); err != nil || res.FailedEntryCount != 1 || res.Entries[0].ErrorCode != "MalformedDetail" {
		t.Errorf("a message that is no JSON object: %+v (%v), want MalformedDetail", res, err)
	}
}

// emitter puts the message it is given on the default bus with the AWS
// SDK for JavaScript v3, which finds the run's EventBridge through
// AWS_ENDPOINT_URL_EVENTBRIDGE; it names no endpoint and no bus.
const emitter = `const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');
const eb = new EventBridgeClient({});
exports.handler = async (event) => {
  const out = await eb.send(new PutEventsCommand({ Entries: [
    { Source: 'app.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ id: JSON.parse(event.body).id }), Resources: ['arn:aws:s3:::orders'] },
    { Source: 'other.app', DetailType: 'Noise', Detail: '{}' },
  ] }));
  return { statusCode: 200, body: JSON.stringify(out) };
};
`

// pyEmitter is the same in Python with boto3, which reads
// AWS_ENDPOINT_URL_EVENTBRIDGE too.
const pyEmitter = `import json
import boto3

events = boto3.client("events")

def handler(event, context):
    out = events.put_events(Entries=[{"Source": "app.py", "DetailType": "FromPython", "Detail": json.dumps({"id": json.loads(event["body"])["id"]})}])
    return {"statusCode": 200, "body": json.dumps({"FailedEntryCount": out["FailedEntryCount"], "Entries": out["Entries"]})}
`

// TestHandlerPutsEventsWithSDK: a function's SDK PutEvents, with no
// endpoint or bus of its own, reaches the default bus; the rule there
// whose pattern matches one of the two events sends it to a queue, whose
// function gets it as the message's body. A Python function's boto3 does
// the same, when python3 has boto3.
func TestHandlerPutsEventsWithSDK(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Worker": ""})
	p := model.NewFunction("fnEmitter", "Emitter")
	s.Functions = append(s.Functions, p)
	MustWrite(t, code, map[string]string{p.CodePath + "/index.js": emitter})
	s.Queues = []*model.Queue{model.NewQueue("q1", "Jobs")}
	r := model.NewRule("rl1", "OrdersToQueue")
	r.EventPattern = `{"source":[{"prefix":"app."}],"detail":{"id":[{"exists":true}]}}`
	s.Rules = []*model.Rule{r}
	s.APIs[0].RouteSelectionExpression = "$request.body.action"
	addRoute(s, "node", true, model.WireIntegration, "fnEmitter")
	python := exec.Command("python3", "-c", "import boto3").Run() == nil
	if python {
		py := model.NewFunction("fnPyEmitter", "PyEmitter")
		py.Runtime, py.Handler = "python3.13", "app.handler"
		s.Functions = append(s.Functions, py)
		MustWrite(t, code, map[string]string{py.CodePath + "/app.py": pyEmitter})
		addRoute(s, "py", true, model.WireIntegration, "fnPyEmitter")
	} else {
		t.Log("python3 with boto3 is not installed: only the Node.js handler is checked")
	}
	wire(s, model.WireDeliver, "rl1", "q1")
	wire(s, model.WireConsume, "q1", "fnWorker")
	run := MustRun(t, Config{Stack: s, CodeDir: code})

	c := MustDial(t, run, "")
	MustSend(t, c, `{"action":"node","id":"o-1"}`)
	var res struct {
		FailedEntryCount int
		Entries          []struct{ EventId string }
	}
	if err := json.Unmarshal([]byte(MustRead(t, c)), &res); err != nil || res.FailedEntryCount != 0 || len(res.Entries) != 2 {
		t.Fatalf("PutEvents answered %+v (%v)", res, err)
	}
	rec := records(waitEvents(t, out, "Worker", 1)[0])
	if len(rec) != 1 {
		t.Fatalf("the queue's function got %d messages, want the one event the rule matched: %v", len(rec), rec)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(rec[0]["body"].(string)), &ev); err != nil {
		t.Fatalf("body %q: %v", rec[0]["body"], err)
	}
	if ev["source"] != "app.orders" || ev["detail-type"] != "OrderPlaced" || ev["detail"].(map[string]any)["id"] != "o-1" ||
		ev["id"] != res.Entries[0].EventId || fmt.Sprint(ev["resources"]) != "[arn:aws:s3:::orders]" {
		t.Errorf("the message is %v", ev)
	}
	if !python {
		return
	}
	MustSend(t, c, `{"action":"py","id":"p-1"}`)
	if err := json.Unmarshal([]byte(MustRead(t, c)), &res); err != nil || res.FailedEntryCount != 0 || len(res.Entries) != 1 {
		t.Fatalf("boto3's put_events answered %+v (%v)", res, err)
	}
	var recs []map[string]any
	for _, e := range waitEvents(t, out, "Worker", 2) {
		recs = append(recs, records(e)...)
	}
	if err := json.Unmarshal([]byte(recs[len(recs)-1]["body"].(string)), &ev); err != nil || ev["source"] != "app.py" || ev["detail"].(map[string]any)["id"] != "p-1" {
		t.Errorf("the Python function's event reached the queue as %v (%v)", ev, err)
	}
}

// fakeClock is a Clock a test moves on.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeTimer
	// most is the most timers that ever waited at once.
	most int
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeTimer{c.now.Add(d), ch})
	c.most = max(c.most, len(c.waiters))
	return ch
}

// advance moves the clock on once n timers wait, firing those due.
func (c *fakeClock) advance(t *testing.T, n int, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		c.mu.Lock()
		waiting := len(c.waiters)
		c.mu.Unlock()
		if waiting >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d timers wait, want %d", waiting, n)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- w.at
	}
	c.waiters = kept
}

// TestScheduleRuleFires: a rate(1 minute) rule fires its function on each
// minute of the run's clock, with EventBridge's Scheduled Event; a
// disabled one never does.
func TestScheduleRuleFires(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Ticker": "", "Idle": ""})
	r := model.NewRule("rl1", "EveryMinute")
	r.EventPattern, r.Schedule = "", "rate(1 minute)"
	off := model.NewRule("rl2", "Off")
	off.EventPattern, off.Schedule, off.Disabled = "", "rate(1 minute)", true
	s.Rules = []*model.Rule{r, off}
	wire(s, model.WireTrigger, "rl1", "fnTicker")
	wire(s, model.WireTrigger, "rl2", "fnIdle")
	start := time.Date(2026, 12, 7, 23, 0, 30, 0, time.UTC)
	clock := &fakeClock{now: start}
	MustRun(t, Config{Stack: s, CodeDir: code, Clock: clock})

	clock.advance(t, 1, 59*time.Second)
	clock.advance(t, 1, time.Second)
	first := waitEvents(t, out, "Ticker", 1)[0]
	if first["detail-type"] != "Scheduled Event" || first["source"] != "aws.events" || first["time"] != "2026-12-07T23:01:30Z" ||
		fmt.Sprint(first["resources"]) != "[arn:aws:events:us-east-1:000000000000:rule/svc-EveryMinute]" || fmt.Sprint(first["detail"]) != "map[]" {
		t.Errorf("the scheduled event is %v", first)
	}
	clock.advance(t, 1, time.Minute)
	if second := waitEvents(t, out, "Ticker", 2)[1]; second["time"] != "2026-12-07T23:02:30Z" {
		t.Errorf("the second tick is %v", second)
	}
	// Only the enabled rule ever waited for a tick: a disabled one has no
	// timer, and so never fires.
	clock.advance(t, 1, 0)
	clock.mu.Lock()
	if clock.most != 1 {
		t.Errorf("%d schedules waited at once, want 1 (the disabled rule's too?)", clock.most)
	}
	clock.mu.Unlock()
	if got := waitEvents(t, out, "Idle", 0); len(got) != 0 {
		t.Errorf("a disabled rule fired: %v", got)
	}
}

// TestEventBridgeEndpointRefusesForeignHost: the EventBridge endpoint
// answers a page whose name is rebound to 127.0.0.1 with 421, as the
// run's other endpoints do, and puts no event; a request from the machine
// itself is answered.
func TestEventBridgeEndpointRefusesForeignHost(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run's function is a Node.js handler")
	root := t.TempDir()
	s := probeStack(t, root, nil)
	s.Name = "eb"
	s.Buses = []*model.Bus{model.NewBus("bus1", "Orders")}
	r := MustRun(t, Config{Stack: s, CodeDir: root})
	addr := strings.TrimPrefix(r.EventBridgeEndpoint(), "http://")
	_, port, _ := net.SplitHostPort(addr)
	body := `{"Entries":[{"Source":"page","DetailType":"x","Detail":"{}","EventBusName":"eb-Orders"}]}`
	put := func(host string) string {
		return fmt.Sprintf("POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: AWSEvents.PutEvents\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n%s", host, len(body), body)
	}
	if got := rawStatus(t, addr, put("evil.test:"+port)); got != http.StatusMisdirectedRequest {
		t.Errorf("a rebound page's PutEvents: status %d, want 421", got)
	}
	if got := rawStatus(t, addr, put(addr)); got != http.StatusOK {
		t.Errorf("a local PutEvents: status %d, want 200", got)
	}
	if got := rawStatus(t, addr, fmt.Sprintf("POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: 2\r\n\r\n{}", addr)); got != http.StatusBadRequest {
		t.Errorf("a request naming no operation: status %d, want 400", got)
	}
	// More than PutEvents' 10 entries is refused whole.
	body = `{"Entries":[` + strings.Repeat(`{"Source":"s","DetailType":"x","Detail":"{}"},`, 10) + `{"Source":"s","DetailType":"x","Detail":"{}"}]}`
	if got := rawStatus(t, addr, put(addr)); got != http.StatusBadRequest {
		t.Errorf("11 entries: status %d, want 400", got)
	}
}

// TestRuleTargetInputs: targets an imported template wrote with an
// InputPath, an InputTransformer or an Input (kept as written, since the
// export does not generate them) get what those make of the event; a
// target that is no function or queue of the stack is named at the start.
func TestRuleTargetInputs(t *testing.T) {
	t.Parallel()
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Detail": "", "Shaped": "", "Fixed": ""})
	addRoute(s, "$default", true, model.WirePutEvents, "busOrders")
	s.Buses = []*model.Bus{model.NewBus("busOrders", "Orders")}
	r := model.NewRule("rl1", "OnOrder")
	r.EventPattern = `{"source":["Api"]}`
	r.Kept = []model.Kept{{Part: model.PartMain, Properties: []model.Field{{Key: "Targets", Value: json.RawMessage(`[
		{"Id": "T1", "Arn": {"Fn::GetAtt": ["Detail", "Arn"]}, "InputPath": "$.detail"},
		{"Id": "T2", "Arn": {"Fn::GetAtt": ["Shaped", "Arn"]}, "InputTransformer": {"InputPathsMap": {"kind": "$.detail.kind", "n": "$.detail.n"},
			"InputTemplate": "{\"what\": \"<kind>\", \"n\": <n>, \"rule\": \"<aws.events.rule-name>\", \"other\": \"<src>\"}"}},
		{"Id": "T3", "Arn": {"Fn::GetAtt": ["Fixed", "Arn"]}, "Input": "{\"fixed\": true}"},
		{"Id": "T4", "Arn": {"Ref": "Alerts"}}]`)}}}}
	s.Rules = []*model.Rule{r}
	wire(s, model.WireMatch, "busOrders", "rl1")
	var mu sync.Mutex
	var lines []string
	run := MustRun(t, Config{Stack: s, CodeDir: code, OnProgress: func(m string) { mu.Lock(); lines = append(lines, m); mu.Unlock() }})
	mu.Lock()
	if got := strings.Join(lines, "\n"); !strings.Contains(got, "warning: rule OnOrder: target T4 is not a function or queue of the stack, which a local run does not deliver to") {
		t.Errorf("the start does not name target T4:\n%s", got)
	}
	mu.Unlock()

	c := MustDial(t, run, "")
	MustSend(t, c, `{"kind":"order","n":2}`)
	MustRead(t, c)
	if got := waitEvents(t, out, "Detail", 1)[0]; fmt.Sprint(got) != "map[kind:order n:2]" {
		t.Errorf("InputPath $.detail gave %v", got)
	}
	if got := waitEvents(t, out, "Shaped", 1)[0]; fmt.Sprint(got) != "map[n:2 other:<src> rule:OnOrder what:order]" {
		t.Errorf("the InputTransformer gave %v", got)
	}
	if got := waitEvents(t, out, "Fixed", 1)[0]; fmt.Sprint(got) != "map[fixed:true]" {
		t.Errorf("Input gave %v", got)
	}
}

// TestRuleToFIFOQueue: a rule's event goes to a FIFO queue in the rule's
// message group (the export's SqsParameters), deduplicated by the event's
// ID as EventBridge does: the same event twice is one message.
func TestRuleToFIFOQueue(t *testing.T) {
	t.Parallel()
	s := &model.Stack{Name: "fifo"}
	q := model.NewQueue("q1", "Orders")
	q.FIFO = true
	s.Queues = []*model.Queue{q}
	s.Rules = []*model.Rule{model.NewRule("rl1", "OnOrder")}
	wire(s, model.WireDeliver, "rl1", "q1")
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	st := &starting{ctx: t.Context(), logger: slog.New(slog.DiscardHandler), s: s, r: &Runner{}, gate: newGate(), cfg: Config{Region: "us-east-1"}}
	b, err := st.bridge()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.r.svc.close() })
	detail := `{"n":1}`
	res, err := b.putEvents([]putEntry{{Source: "shop", DetailType: "Order", Detail: &detail}}, "test")
	if err != nil || res.FailedEntryCount != 0 {
		t.Fatalf("put: %+v, %v", res, err)
	}
	lr := b.rules[0]
	ev, _ := json.Marshal(envelope{ID: res.Entries[0].EventID, Source: "shop", Detail: json.RawMessage(detail)})
	b.deliver(lr, ev) // the same event again
	msgs, err := st.r.svc.sqs.Receive(t.Context(), QueueName(s, q), 10, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Attributes["MessageGroupId"] != "OnOrder" || msgs[0].Attributes["MessageDeduplicationId"] != res.Entries[0].EventID {
		t.Errorf("the queue holds %+v, want one message in group OnOrder deduplicated by the event's ID", msgs)
	}
}
