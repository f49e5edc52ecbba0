package localrun

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// enqueuer sends the message it is given to the queue it is wired to, with
// the AWS SDK for JavaScript v3 and nothing but its environment: the
// queue's URL in JOBS_QUEUE_URL, the run's SQS in AWS_ENDPOINT_URL_SQS.
const enqueuer = `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (event) => {
  const out = await sqs.send(new SendMessageCommand({ QueueUrl: process.env.JOBS_QUEUE_URL, MessageBody: JSON.parse(event.body).job }));
  return { statusCode: 200, body: JSON.stringify({ messageId: out.MessageId, topic: process.env.NOTICES_TOPIC_ARN }) };
};
`

// TestHandlerSendsToWiredQueue: a Node function wired to send to a queue
// sends with the SDK through the variable the wire gives it, and the
// queue's consumer gets the message. Its wire to a topic gives it the
// topic's ARN, and the start names the calls to it the run does not serve.
func TestHandlerSendsToWiredQueue(t *testing.T) {
	MustSDK(t)
	out := t.TempDir()
	s, code := servicesStack(t, out, map[string]string{"Worker": ""})
	sender := model.NewFunction("fnSender", "Sender")
	s.Functions = append(s.Functions, sender)
	MustWrite(t, code, map[string]string{sender.CodePath + "/index.js": enqueuer})
	s.Queues = []*model.Queue{model.NewQueue("q1", "Jobs")}
	s.Topics = []*model.Topic{model.NewTopic("tp1", "Notices")}
	s.APIs[0].RouteSelectionExpression = "$request.body.action"
	addRoute(s, "enqueue", true, model.WireIntegration, "fnSender")
	wire(s, model.WireSendToQueue, "fnSender", "q1")
	wire(s, model.WirePublishToTopic, "fnSender", "tp1")
	wire(s, model.WireConsume, "q1", "fnWorker")
	var mu sync.Mutex
	var progress []string
	run := MustRun(t, Config{Stack: s, CodeDir: code, OnProgress: func(m string) {
		mu.Lock()
		defer mu.Unlock()
		progress = append(progress, m)
	}})

	c := MustDial(t, run, "")
	MustSend(t, c, `{"action":"enqueue","job":"resize photo-7"}`)
	var res struct {
		MessageID string `json:"messageId"`
		Topic     string `json:"topic"`
	}
	if err := json.Unmarshal([]byte(MustRead(t, c)), &res); err != nil || res.MessageID == "" {
		t.Fatalf("SendMessage answered %+v (%v)", res, err)
	}
	if want := "arn:aws:sns:" + "us-east-1:000000000000:svc-Notices"; res.Topic != want {
		t.Errorf("NOTICES_TOPIC_ARN is %q, want %q", res.Topic, want)
	}
	rec := records(waitEvents(t, out, "Worker", 1)[0])
	if len(rec) != 1 || rec[0]["body"] != "resize photo-7" || rec[0]["messageId"] != res.MessageID {
		t.Errorf("the queue's function got %v, want the message %s", rec, res.MessageID)
	}
	mu.Lock()
	got := strings.Join(progress, "\n")
	mu.Unlock()
	if want := "warning: Sender's calls to topic Notices (sns:Publish) are not emulated in a local run"; !strings.Contains(got, want) {
		t.Errorf("the start does not say %q:\n%s", want, got)
	}
	if strings.Contains(got, "calls to queue") {
		t.Errorf("the start names calls to a queue, which the run serves:\n%s", got)
	}
}
