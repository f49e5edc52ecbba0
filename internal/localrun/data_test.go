package localrun

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestTableItemsPages: the Run tab reads a table a page at a time, keys
// first, every item once across the pages; a cursor that is not one of
// ours (it comes from the page's URL) is refused as the user's mistake.
func TestTableItemsPages(t *testing.T) {
	t.Parallel()
	MustSDK(t) // node
	s, err := model.Example("echo", "echo")
	if err != nil {
		t.Fatal(err)
	}
	s.Tables = append(s.Tables, model.NewTable("tb9", "Connections"))
	m := NewManager(nil)
	t.Cleanup(m.StopAll)
	s.ID = 1
	run, err := m.Start(context.Background(), Config{Stack: s, CADir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if got := run.TableNames(); !slices.Equal(got, []string{"Connections"}) {
		t.Fatalf("tables = %v", got)
	}
	db := dynamoClient(run.DynamoDBEndpoint(), "us-east-1")
	for i := range 30 {
		_, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("echo-Connections"), Item: map[string]types.AttributeValue{
			"id":   &types.AttributeValueMemberS{Value: "c" + strconv.Itoa(i)},
			"n":    &types.AttributeValueMemberN{Value: strconv.Itoa(i)},
			"tags": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberBOOL{Value: true}}},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	cursor, pages := "", 0
	for {
		page, err := run.TableItems(t.Context(), "Connections", cursor, 25)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if !slices.Equal(page.Columns, []string{"id", "n", "tags"}) {
			t.Fatalf("columns = %v", page.Columns)
		}
		for _, row := range page.Rows {
			seen[row[0]] = true
			if row[2] != "[true]" {
				t.Errorf("list shown as %q", row[2])
			}
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if len(seen) != 30 || pages != 2 {
		t.Errorf("saw %d items in %d pages; want 30 in 2", len(seen), pages)
	}
	for _, bad := range []string{"not-base64!", "eyJpZCI6WyJOIiwieCJdfQ"} {
		if _, err := run.TableItems(t.Context(), "Connections", bad, 25); model.ErrorCode(err) != model.EINVALID {
			t.Errorf("cursor %q: %v; want the user's mistake", bad, err)
		}
	}
	if _, err := run.TableItems(t.Context(), "Nope", "", 25); model.ErrorCode(err) != model.ENOTFOUND {
		t.Errorf("unknown table: %v", err)
	}
}

// TestImportedIndexesServed: a table imported with a global secondary
// index (kept with it, as the model has none) gets that index locally, on
// the built-in endpoint and on moto alike, so a handler's Query on it works.
func TestImportedIndexesServed(t *testing.T) {
	t.Parallel()
	MustSDK(t) // node
	for _, endpoint := range []string{"", MustStartMoto(t)} {
		s, err := model.Example("echo", "echo")
		if err != nil {
			t.Fatal(err)
		}
		tb := model.NewTable("tb9", "Messages")
		tb.Kept = []model.Kept{{Properties: []model.Field{
			{Key: "AttributeDefinitions", Value: []byte(`[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"room","AttributeType":"S"}]`)},
			{Key: "GlobalSecondaryIndexes", Value: []byte(`[{"IndexName":"byRoom","KeySchema":[{"AttributeName":"room","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]`)},
		}}}
		s.Tables = append(s.Tables, tb)
		r := MustRun(t, Config{Stack: s, DynamoDBEndpoint: endpoint})
		db := dynamoClient(r.DynamoDBEndpoint(), "us-east-1")
		for i, room := range []string{"a", "b", "a"} {
			if _, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("echo-Messages"), Item: map[string]types.AttributeValue{
				"id": &types.AttributeValueMemberS{Value: strconv.Itoa(i)}, "room": &types.AttributeValueMemberS{Value: room}}}); err != nil {
				t.Fatal(err)
			}
		}
		out, err := db.Query(t.Context(), &dynamodb.QueryInput{TableName: aws.String("echo-Messages"), IndexName: aws.String("byRoom"),
			KeyConditionExpression:    aws.String("room = :r"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":r": &types.AttributeValueMemberS{Value: "a"}}})
		if err != nil || out.Count != 2 {
			t.Errorf("endpoint %q: Query byRoom: %v items, %v; want 2", endpoint, out, err)
		}
	}
}
