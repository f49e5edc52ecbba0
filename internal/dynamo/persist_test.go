package dynamo

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestDataKeptBetweenRuns: with a data folder, what one run wrote is there
// in the next, including the table's time to live; without one, nothing is.
func TestDataKeptBetweenRuns(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// TestChangesTold: every table a write changes is told, also in batches
// and transactions over several tables, and a table deleted during a run
// leaves the data folder.
func TestChangesTold(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	var mu sync.Mutex
	told := map[string]int{}
	srv, err := Start(t.Context(), nil, Options{DataDir: dir, OnWrite: func(table string) {
		mu.Lock()
		told[table]++
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	db := client(srv.URL())
	createTable(t, db, "one")
	createTable(t, db, "two")
	item := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": s(pk), "sk": n(1)}
	}
	if _, err := db.TransactWriteItems(t.Context(), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("one"), Item: item("t1")}},
		{Put: &types.Put{TableName: aws.String("two"), Item: item("t2")}},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.BatchWriteItem(t.Context(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"one": {{PutRequest: &types.PutRequest{Item: item("b1")}}},
		"two": {{PutRequest: &types.PutRequest{Item: item("b2")}}},
	}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	// CreateTable, the transaction and the batch.
	if told["one"] != 3 || told["two"] != 3 {
		t.Errorf("told %v; want each table 3 times", told)
	}
	mu.Unlock()
	if _, err := db.DeleteTable(t.Context(), &dynamodb.DeleteTableInput{TableName: aws.String("two")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "one"+fileSuffix {
		t.Errorf("data folder holds %v; want only table one", names)
	}
}
