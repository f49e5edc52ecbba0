package server_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

var sqsURL = regexp.MustCompile(`data-testid="run-sqs">(http://127\.0\.0\.1:\d+)<`)

// TestRunTabNamesTheQueueEndpoint: the Run tab of a stack with a queue
// names the run's SQS endpoint, where an SDK finds the queue.
func TestRunTabNamesTheQueueEndpoint(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run starts the echo example's Node.js handler")
	srv := mustServeRun(t, server.RunOptions{CADir: t.TempDir()})
	s, _ := model.Example("echo", "echo")
	s.Queues = append(s.Queues, model.NewQueue("q9", "Jobs"))
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
	m := sqsURL.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the Run tab names no SQS endpoint:\n%s", body)
	}
	c := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(m[1]), Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")})
	got, err := c.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("echo-Jobs")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: got.QueueUrl, MessageBody: aws.String("hi")}); err != nil {
		t.Fatal(err)
	}
}
