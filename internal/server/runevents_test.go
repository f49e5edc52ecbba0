package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

var eventBridgeURL = regexp.MustCompile(`data-testid="run-eventbridge">(http://127\.0\.0\.1:\d+)<`)

// TestRunTabNamesTheEventBridgeEndpoint: the Run tab of a stack with a bus
// names the run's EventBridge endpoint; an event put there on the bus
// reaches the queue its rule delivers to, on the SQS endpoint the tab
// names. A stack with no bus or rule names none.
func TestRunTabNamesTheEventBridgeEndpoint(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run starts the echo example's Node.js handler")
	srv := mustServeRun(t, server.RunOptions{CADir: t.TempDir()})
	s, _ := model.Example("echo", "echo")
	s.Queues = append(s.Queues, model.NewQueue("q9", "Jobs"))
	s.Buses = append(s.Buses, model.NewBus("bus9", "Orders"))
	s.Rules = append(s.Rules, model.NewRule("rl9", "OnOrder"))
	s.Wires = append(s.Wires, &model.Wire{ID: "w91", Kind: model.WireMatch, From: "bus9", To: "rl9"},
		&model.Wire{ID: "w92", Kind: model.WireDeliver, From: "rl9", To: "q9"})
	created, err := srv.store.CreateStack(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	base := srv.url + "/stacks/" + strconv.FormatInt(created.ID, 10)
	status, body := post(t, base+"/run")
	if status != http.StatusOK {
		t.Fatalf("run: %d\n%s", status, body)
	}
	defer post(t, base+"/run/stop")
	eb, q := eventBridgeURL.FindStringSubmatch(body), sqsURL.FindStringSubmatch(body)
	if eb == nil || q == nil {
		t.Fatalf("the Run tab names no EventBridge or SQS endpoint:\n%s", body)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, eb[1], strings.NewReader(`{"Entries":[{"EventBusName":"echo-Orders","Source":"shop","DetailType":"Order","Detail":"{\"n\":7}"}]}`))
	req.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(answer), `"FailedEntryCount":0`) {
		t.Fatalf("PutEvents: %d %s", res.StatusCode, answer)
	}
	c := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(q[1]), Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")})
	url, err := c.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("echo-Jobs")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, WaitTimeSeconds: 5})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("the rule's queue holds %v (%v), want the event", got, err)
	}
	var ev struct {
		Source string
		Detail struct{ N int }
	}
	if err := json.Unmarshal([]byte(aws.ToString(got.Messages[0].Body)), &ev); err != nil || ev.Source != "shop" || ev.Detail.N != 7 {
		t.Errorf("the message is %s (%v)", aws.ToString(got.Messages[0].Body), err)
	}
	post(t, base+"/run/stop")

	plain, _ := model.Example("echo", "plain")
	other, err := srv.store.CreateStack(context.Background(), plain)
	if err != nil {
		t.Fatal(err)
	}
	otherBase := srv.url + "/stacks/" + strconv.FormatInt(other.ID, 10)
	status, body = post(t, otherBase+"/run")
	if status != http.StatusOK {
		t.Fatalf("run: %d\n%s", status, body)
	}
	defer post(t, otherBase+"/run/stop")
	if eventBridgeURL.MatchString(body) {
		t.Errorf("the Run tab of a stack with no bus names an EventBridge endpoint")
	}
}
