package dynamo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestDataKeptBetweenRuns: with a data folder, what one run wrote is there
// in the next, including the table's time to live; without one, nothing is.
func TestDataKeptBetweenRuns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx := t.Context()
	first, err := Start(ctx, nil, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	db := client(first.URL())
	createTable(t, db, "chat-Connections")
	for i := range 30 {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("chat-Connections"),
			Item: map[string]types.AttributeValue{"pk": s("c"), "sk": n(i), "tags": &types.AttributeValueMemberSS{Value: []string{"a", "b"}}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("chat-Connections"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "chat-Connections"+fileSuffix))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("table file mode %v; want 0600", st.Mode().Perm())
	}

	second, err := Start(ctx, nil, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	db = client(second.URL())
	q, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("chat-Connections"), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("c")}})
	if err != nil || q.Count != 30 {
		t.Fatalf("second run: %d items, %v; want 30", q.Count, err)
	}
	if ss, ok := q.Items[0]["tags"].(*types.AttributeValueMemberSS); !ok || len(ss.Value) != 2 {
		t.Errorf("string set came back as %#v", q.Items[0]["tags"])
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("chat-Connections")})
	if err != nil || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expires" {
		t.Fatalf("time to live after reload: %+v, %v", ttl, err)
	}

	memory, err := Start(ctx, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer memory.Close()
	if out, err := client(memory.URL()).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil || len(out.TableNames) != 0 {
		t.Fatalf("a run without a data folder starts with %v, %v; want no tables", out, err)
	}
}

// TestDataKeptWhileRunning: the data folder is written a moment after a
// write, so a run that is killed rather than stopped keeps its data.
func TestDataKeptWhileRunning(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	srv, err := Start(t.Context(), nil, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	db := client(srv.URL())
	createTable(t, db, "kept")
	if _, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("kept"), Item: map[string]types.AttributeValue{"pk": s("a"), "sk": n(1)}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "kept"+fileSuffix)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if data, err := os.ReadFile(path); err == nil && strings.Contains(string(data), `"pk":{"S":"a"}`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the write never reached the data folder while the server ran")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A second server (the next run after a kill) finds it.
	next, err := Start(t.Context(), nil, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	got, err := client(next.URL()).GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("kept"), Key: map[string]types.AttributeValue{"pk": s("a"), "sk": n(1)}})
	if err != nil || got.Item == nil {
		t.Fatalf("next run: %v, %v", got, err)
	}
}
