package dynamo

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// client is the real AWS SDK client, as handlers and the run use it.
func client(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("x", "y", ""),
	})
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int) types.AttributeValue    { return &types.AttributeValueMemberN{Value: strconv.Itoa(v)} }

func str(t *testing.T, item map[string]types.AttributeValue, name string) string {
	t.Helper()
	switch v := item[name].(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	case nil:
		return "<missing>"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// createTable makes a table keyed by pk (string) and sk (number) and waits
// until it is active, as localrun.CreateTables does.
func createTable(t testing.TB, db *dynamodb.Client, name string) {
	t.Helper()
	ctx := t.Context()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	if err := dynamodb.NewTableExistsWaiter(db).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, tableWaitForTest); err != nil {
		t.Fatalf("table not active: %v", err)
	}
}

// The operations the starter handlers and typical handlers use, each
// checked the same way against the built-in endpoint and moto: what one
// answers, the other must too.
var conformance = []struct {
	name string
	run  func(t *testing.T, db *dynamodb.Client, table string)
}{
	{"put get delete", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		key := map[string]types.AttributeValue{"pk": s("a"), "sk": n(1)}
		put, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{"pk": s("a"), "sk": n(1), "msg": s("hi")}})
		if err != nil {
			t.Fatal(err)
		}
		if put.Attributes != nil {
			t.Errorf("PutItem without ReturnValues returned %v", put.Attributes)
		}
		got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key})
		if err != nil || str(t, got.Item, "msg") != "hi" {
			t.Fatalf("GetItem = %v, %v; want msg hi", got, err)
		}
		del, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: key, ReturnValues: types.ReturnValueAllOld})
		if err != nil {
			t.Fatal(err)
		}
		if str(t, del.Attributes, "msg") != "hi" {
			t.Errorf("DeleteItem ALL_OLD returned msg %s", str(t, del.Attributes, "msg"))
		}
		got, err = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key})
		if err != nil || got.Item != nil {
			t.Fatalf("GetItem after delete = %v, %v; want no item", got.Item, err)
		}
	}},
	{"update with expressions", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		key := map[string]types.AttributeValue{"pk": s("u"), "sk": n(1)}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{"pk": s("u"), "sk": n(1), "count": n(1), "gone": s("x")}}); err != nil {
			t.Fatal(err)
		}
		out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 &table,
			Key:                       key,
			UpdateExpression:          aws.String("SET #c = #c + :inc, #n = :name REMOVE gone"),
			ExpressionAttributeNames:  map[string]string{"#c": "count", "#n": "name"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":inc": n(2), ":name": s("ada")},
			ReturnValues:              types.ReturnValueAllNew,
		})
		if err != nil {
			t.Fatal(err)
		}
		if str(t, out.Attributes, "count") != "3" || str(t, out.Attributes, "name") != "ada" || out.Attributes["gone"] != nil {
			t.Fatalf("UpdateItem ALL_NEW = count %s name %s gone %s; want count 3, name ada, no gone", str(t, out.Attributes, "count"), str(t, out.Attributes, "name"), str(t, out.Attributes, "gone"))
		}
	}},
	{"remove returns the old values", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		key := map[string]types.AttributeValue{"pk": s("r"), "sk": n(1)}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{"pk": s("r"), "sk": n(1), "a": s("x"), "b": s("y")}}); err != nil {
			t.Fatal(err)
		}
		out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: key,
			UpdateExpression: aws.String("REMOVE #a"), ExpressionAttributeNames: map[string]string{"#a": "a"}, ReturnValues: types.ReturnValueAllOld})
		if err != nil {
			t.Fatal(err)
		}
		if str(t, out.Attributes, "a") != "x" {
			t.Errorf("ALL_OLD after REMOVE: a = %s; want x", str(t, out.Attributes, "a"))
		}
		got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil || got.Item["a"] != nil || str(t, got.Item, "b") != "y" {
			t.Errorf("stored after REMOVE: a %s, b %s, %v; want a gone, b y", str(t, got.Item, "a"), str(t, got.Item, "b"), err)
		}
	}},
	{"expression functions handlers use", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		key := map[string]types.AttributeValue{"pk": s("f"), "sk": n(1)}
		update := func(expr string, values map[string]types.AttributeValue) map[string]types.AttributeValue {
			t.Helper()
			out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: key, UpdateExpression: aws.String(expr),
				ExpressionAttributeValues: values, ReturnValues: types.ReturnValueAllNew})
			if err != nil {
				t.Fatalf("%s: %v", expr, err)
			}
			return out.Attributes
		}
		one := map[string]types.AttributeValue{":one": n(1), ":zero": n(0)}
		update("SET hits = if_not_exists(hits, :zero) + :one", one)
		got := update("SET hits = if_not_exists(hits, :zero) + :one", one)
		if str(t, got, "hits") != "2" {
			t.Errorf("if_not_exists counter = %s; want 2", str(t, got, "hits"))
		}
		update("ADD visits :one", map[string]types.AttributeValue{":one": n(1)})
		got = update("ADD visits :one", map[string]types.AttributeValue{":one": n(1)})
		if str(t, got, "visits") != "2" {
			t.Errorf("ADD counter = %s; want 2", str(t, got, "visits"))
		}
		item := func(v string) map[string]types.AttributeValue {
			return map[string]types.AttributeValue{":empty": &types.AttributeValueMemberL{}, ":item": &types.AttributeValueMemberL{Value: []types.AttributeValue{s(v)}}}
		}
		update("SET msgs = list_append(if_not_exists(msgs, :empty), :item)", item("a"))
		got = update("SET msgs = list_append(if_not_exists(msgs, :empty), :item)", item("b"))
		if l, ok := got["msgs"].(*types.AttributeValueMemberL); !ok || len(l.Value) != 2 {
			t.Errorf("list_append = %#v; want 2 elements", got["msgs"])
		}
		update("SET body = :b", map[string]types.AttributeValue{":b": s("hello world")})
		// DynamoDB refuses values an expression does not use: each filter
		// gets only its own.
		for filter, value := range map[string]types.AttributeValue{"begins_with(body, :v)": s("hello"), "contains(body, :v)": s("world"), "attribute_exists(hits)": nil, "size(msgs) = :v": n(2)} {
			values := map[string]types.AttributeValue{":p": s("f")}
			if value != nil {
				values[":v"] = value
			}
			out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String(filter),
				ExpressionAttributeValues: values})
			if err != nil || out.Count != 1 {
				t.Errorf("filter %s: %v items, %v; want 1", filter, out, err)
			}
		}
	}},
	{"transaction with remove and a failing condition", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		for _, pk := range []string{"x", "y"} {
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{"pk": s(pk), "sk": n(1), "gone": s("g")}}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: &table, Key: map[string]types.AttributeValue{"pk": s("x"), "sk": n(1)}, UpdateExpression: aws.String("REMOVE gone")}},
			{Put: &types.Put{TableName: &table, Item: map[string]types.AttributeValue{"pk": s("z"), "sk": n(1)}}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: map[string]types.AttributeValue{"pk": s("x"), "sk": n(1)}, ConsistentRead: aws.Bool(true)})
		if got.Item == nil || got.Item["gone"] != nil {
			t.Errorf("after a transaction's REMOVE: %v", got.Item)
		}
		_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: &table, Item: map[string]types.AttributeValue{"pk": s("w"), "sk": n(1)}}},
			{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: map[string]types.AttributeValue{"pk": s("y"), "sk": n(1)}, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		}})
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			t.Fatalf("a transaction whose condition fails: %v; want TransactionCanceledException", err)
		}
		if w, _ := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: map[string]types.AttributeValue{"pk": s("w"), "sk": n(1)}, ConsistentRead: aws.Bool(true)}); w.Item != nil {
			t.Error("a cancelled transaction wrote its put")
		}
	}},
	{"conditional writes", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		item := map[string]types.AttributeValue{"pk": s("c"), "sk": n(1), "v": n(1)}
		put := &dynamodb.PutItemInput{TableName: &table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}
		if _, err := db.PutItem(ctx, put); err != nil {
			t.Fatalf("first conditional put: %v", err)
		}
		var ccf *types.ConditionalCheckFailedException
		if _, err := db.PutItem(ctx, put); !errors.As(err, &ccf) {
			t.Fatalf("second conditional put: %v; want ConditionalCheckFailedException", err)
		}
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &table, Key: map[string]types.AttributeValue{"pk": s("c"), "sk": n(1)},
			UpdateExpression:          aws.String("SET v = :two"),
			ConditionExpression:       aws.String("v = :zero"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":two": n(2), ":zero": n(0)},
		})
		if !errors.As(err, &ccf) {
			t.Fatalf("conditional update: %v; want ConditionalCheckFailedException", err)
		}
		_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: &table, Key: map[string]types.AttributeValue{"pk": s("c"), "sk": n(1)},
			ConditionExpression:       aws.String("v = :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1)},
		})
		if err != nil {
			t.Fatalf("conditional delete that holds: %v", err)
		}
	}},
	{"query", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		for i := range 5 {
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{"pk": s("room"), "sk": n(i), "odd": &types.AttributeValueMemberBOOL{Value: i%2 == 1}}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{"pk": s("other"), "sk": n(0)}}); err != nil {
			t.Fatal(err)
		}
		out, err := db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &table,
			KeyConditionExpression:    aws.String("pk = :p AND sk BETWEEN :lo AND :hi"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("room"), ":lo": n(1), ":hi": n(3)},
			ScanIndexForward:          aws.Bool(false),
		})
		if err != nil {
			t.Fatal(err)
		}
		var sks []string
		for _, it := range out.Items {
			sks = append(sks, str(t, it, "sk"))
		}
		if !slices.Equal(sks, []string{"3", "2", "1"}) {
			t.Fatalf("Query sk = %v; want [3 2 1]", sks)
		}
		out, err = db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &table,
			KeyConditionExpression:    aws.String("pk = :p"),
			FilterExpression:          aws.String("odd = :t"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("room"), ":t": &types.AttributeValueMemberBOOL{Value: true}},
		})
		if err != nil || out.Count != 2 {
			t.Fatalf("Query with filter: %d items, %v; want 2", out.Count, err)
		}
	}},
	{"scan with pagination", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		const total = 7
		for i := range total {
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{"pk": s("p" + strconv.Itoa(i)), "sk": n(i)}}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		var start map[string]types.AttributeValue
		pages := 0
		for {
			out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: &table, Limit: aws.Int32(3), ExclusiveStartKey: start})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if len(out.Items) > 3 {
				t.Fatalf("page of %d items with Limit 3", len(out.Items))
			}
			for _, it := range out.Items {
				seen[str(t, it, "pk")] = true
			}
			if len(out.LastEvaluatedKey) == 0 {
				break
			}
			start = out.LastEvaluatedKey
			if pages > total+1 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != total || pages < 3 {
			t.Fatalf("scan saw %d items in %d pages; want %d in at least 3", len(seen), pages, total)
		}
	}},
	{"query pages, projection, batch get", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		for i := range 5 {
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{"pk": s("q"), "sk": n(i), "body": s("m" + strconv.Itoa(i)), "secret": s("s")}}); err != nil {
				t.Fatal(err)
			}
		}
		var sks []string
		var start map[string]types.AttributeValue
		for range 10 {
			out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("q")}, Limit: aws.Int32(2), ExclusiveStartKey: start})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.Items {
				sks = append(sks, str(t, it, "sk"))
			}
			if start = out.LastEvaluatedKey; len(start) == 0 {
				break
			}
		}
		if !slices.Equal(sks, []string{"0", "1", "2", "3", "4"}) {
			t.Errorf("Query pages of 2: %v", sks)
		}
		got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: map[string]types.AttributeValue{"pk": s("q"), "sk": n(1)},
			ProjectionExpression: aws.String("#b"), ExpressionAttributeNames: map[string]string{"#b": "body"}})
		if err != nil || str(t, got.Item, "body") != "m1" || got.Item["secret"] != nil {
			t.Errorf("GetItem with projection = %v, %v", got, err)
		}
		bg, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{table: {Keys: []map[string]types.AttributeValue{
			{"pk": s("q"), "sk": n(0)}, {"pk": s("q"), "sk": n(4)}, {"pk": s("none"), "sk": n(0)}}}}})
		if err != nil || len(bg.Responses[table]) != 2 {
			t.Errorf("BatchGetItem: %v, %v; want 2 items", bg, err)
		}
	}},
	{"batch write", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		var reqs []types.WriteRequest
		for i := range 25 {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("b"), "sk": n(i)}}})
		}
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		if err != nil || len(out.UnprocessedItems) != 0 {
			t.Fatalf("BatchWriteItem: %v, unprocessed %v", err, out)
		}
		dels := []types.WriteRequest{{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"pk": s("b"), "sk": n(0)}}}}
		if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: dels}}); err != nil {
			t.Fatal(err)
		}
		q, err := db.Query(ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("b")}, Select: types.SelectCount})
		if err != nil || q.Count != 24 {
			t.Fatalf("after batch: %d items, %v; want 24", q.Count, err)
		}
	}},
	{"missing table", func(t *testing.T, db *dynamodb.Client, _ string) {
		var nf *types.ResourceNotFoundException
		_, err := db.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("no-such-table"), Key: map[string]types.AttributeValue{"pk": s("a"), "sk": n(1)}})
		if !errors.As(err, &nf) {
			t.Fatalf("GetItem on a missing table: %v; want ResourceNotFoundException", err)
		}
	}},
	{"time to live and list tables", func(t *testing.T, db *dynamodb.Client, table string) {
		ctx := t.Context()
		if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &table,
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}}); err != nil {
			t.Fatal(err)
		}
		out, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
		if err != nil || !slices.Contains(out.TableNames, table) {
			t.Fatalf("ListTables = %v, %v; want %s in it", out, err, table)
		}
	}},
}

// TestConformance runs the same operations with the same assertions on
// the built-in endpoint and on moto, DynamoDB's reference stand-in here.
func TestConformance(t *testing.T) {
	t.Parallel()
	backends := []struct {
		name     string
		endpoint func(t *testing.T) string
	}{
		{"builtin", func(t *testing.T) string {
			srv, err := Start(t.Context(), nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.Close() })
			return srv.URL()
		}},
		{"moto", func(t *testing.T) string {
			return testtool.StartMoto(t, "the conformance suite compares the built-in DynamoDB with moto")
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := client(b.endpoint(t))
			for i, c := range conformance {
				t.Run(c.name, func(t *testing.T) {
					table := fmt.Sprintf("conformance-%d", i)
					createTable(t, db, table)
					c.run(t, db, table)
				})
			}
		})
	}
}

const tableWaitForTest = 20 * time.Second
