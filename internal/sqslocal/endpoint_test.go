package sqslocal

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func serve(t *testing.T, queues ...QueueConfig) *Endpoint {
	t.Helper()
	svc, err := New(queues)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := Serve(context.Background(), slog.New(slog.DiscardHandler), svc, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ep.Close() })
	return ep
}

func client(ep *Endpoint) *sqs.Client {
	return sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(ep.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
}

// TestEndpointWithTheSDK: the AWS SDK for Go, a real SQS client speaking
// the JSON protocol as every current SDK does, sends, receives, deletes,
// reads attributes and errors through the endpoint.
func TestEndpointWithTheSDK(t *testing.T) {
	t.Parallel()
	ep := serve(t, QueueConfig{Name: "app-Jobs", VisibilityTimeout: 30 * time.Second, DeadLetter: "app-Dead", MaxReceiveCount: 3},
		QueueConfig{Name: "app-Dead"}, QueueConfig{Name: "app-Chat.fifo", FIFO: true, ContentBasedDeduplication: true})
	c, ctx := client(ep), context.Background()
	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("app-Jobs")})
	if err != nil || aws.ToString(got.QueueUrl) != ep.QueueURL("app-Jobs") {
		t.Fatalf("GetQueueUrl = %v, %v", got, err)
	}
	url := got.QueueUrl
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("hello"),
		MessageAttributes: map[string]types.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("greeting")}}})
	if err != nil {
		t.Fatal(err) // the SDK also checks the body's MD5
	}
	batch, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("two")}, {Id: aws.String("b"), MessageBody: aws.String("")}}})
	if err != nil || len(batch.Successful) != 1 || len(batch.Failed) != 1 || aws.ToString(batch.Failed[0].Id) != "b" {
		t.Fatalf("SendMessageBatch = %+v, %v", batch, err)
	}
	rec, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}, MessageAttributeNames: []string{"All"}})
	if err != nil || len(rec.Messages) != 2 {
		t.Fatalf("ReceiveMessage = %+v, %v", rec, err)
	}
	m := rec.Messages[0]
	if aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) || aws.ToString(m.Body) != "hello" || m.Attributes["ApproximateReceiveCount"] != "1" ||
		aws.ToString(m.MessageAttributes["kind"].StringValue) != "greeting" {
		t.Errorf("message = %+v", m)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "2" || !strings.Contains(attrs.Attributes["RedrivePolicy"], `"maxReceiveCount":3`) {
		t.Errorf("GetQueueAttributes = %v, %v", attrs, err)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: rec.Messages[1].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 1})
	if err != nil || len(again.Messages) != 1 || aws.ToString(again.Messages[0].Body) != "two" {
		t.Errorf("after delete and visibility 0: %+v, %v", again, err)
	}
	fifo := aws.String(ep.QueueURL("app-Chat.fifo"))
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: fifo, MessageBody: aws.String("x"), MessageGroupId: aws.String("g")}); err != nil {
		t.Errorf("FIFO send with content-based deduplication: %v", err)
	}
	var missing *types.QueueDoesNotExist
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(ep.QueueURL("app-Missing")), MessageBody: aws.String("x")}); !errors.As(err, &missing) {
		t.Errorf("send to a missing queue: %v, want QueueDoesNotExist", err)
	}
	list, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("app-")})
	if err != nil || len(list.QueueUrls) != 3 {
		t.Errorf("ListQueues = %v, %v", list, err)
	}
}

// TestEndpointRefusesOtherHosts: a web page whose name is rebound to
// 127.0.0.1 names itself in Host, and gets nothing.
func TestEndpointRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	ep := serve(t, QueueConfig{Name: "q"})
	req, _ := http.NewRequest(http.MethodPost, ep.URL(), strings.NewReader(`{"QueueUrl":"q","MessageBody":"x"}`))
	req.Host = "attacker.example"
	req.Header.Set("X-Amz-Target", "AmazonSQS.SendMessage")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("status = %d, want 421", res.StatusCode)
	}
	if v, _, _, _ := ep.svc.Counts("q"); v != 0 {
		t.Fatal("the refused request sent a message")
	}
}
