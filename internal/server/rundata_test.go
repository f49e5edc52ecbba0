package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

var dynamoURL = regexp.MustCompile(`data-testid="run-dynamodb">(http://127\.0\.0\.1:\d+)<`)

// TestRunDataKeptAcrossRestarts: with serve --run-data, a stack's tables
// outlive a Restart of its run, and the Run tab's data view shows them.
func TestRunDataKeptAcrossRestarts(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run starts the echo example's Node.js handler")
	srv := mustServeRun(t, server.RunOptions{DataDir: filepath.Join(t.TempDir(), "run-data"), CADir: filepath.Join(t.TempDir(), "ca")})
	s, _ := model.Example("echo", "echo")
	s.Tables = append(s.Tables, model.NewTable("tb9", "Notes"))
	created, err := srv.store.CreateStack(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	base := srv.url + "/stacks/" + strconv.FormatInt(created.ID, 10)
	endpoint := func(body string) string {
		t.Helper()
		m := dynamoURL.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the Run tab names no DynamoDB endpoint:\n%s", body)
		}
		return m[1]
	}
	status, body := post(t, base+"/run")
	if status != http.StatusOK {
		t.Fatalf("run: %d\n%s", status, body)
	}
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint(body)), Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")})
	if _, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("echo-Notes"),
		Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "kept-across-restarts"}}}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(base+"/run", url.Values{"restart": {"yes"}})
	if err != nil {
		t.Fatal(err)
	}
	restarted, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("restart: %d\n%s", resp.StatusCode, restarted)
	}
	resp, err = http.Get(base + "/run/data?table=Notes")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(data), "kept-across-restarts") {
		t.Errorf("after a restart the Run tab shows:\n%s", data)
	}
	post(t, base+"/run/stop")
}
