package dynamo

import (
	"os"
	"path/filepath"
	"testing"

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
