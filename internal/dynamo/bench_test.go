package dynamo

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// BenchmarkStart is what the built-in endpoint adds to a run's start-up:
// listening and one table created and active.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		srv, err := Start(context.Background(), nil, Options{})
		if err != nil {
			b.Fatal(err)
		}
		createTable(b, client(srv.URL()), "bench")
		_ = srv.Close()
	}
}

// BenchmarkPutGet is a handler's typical pair of calls through the real
// SDK client, against a table of 1,000 items, on the built-in endpoint and
// on moto for comparison.
func BenchmarkPutGet(b *testing.B) {
	b.Run("builtin", func(b *testing.B) {
		srv, err := Start(context.Background(), nil, Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		benchPutGet(b, srv.URL())
	})
	b.Run("moto", func(b *testing.B) {
		benchPutGet(b, testtool.StartMoto(b, "the benchmark compares with moto"))
	})
}

func benchPutGet(b *testing.B, endpoint string) {
	db := client(endpoint)
	ctx := context.Background()
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("bench"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}); err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: map[string]types.AttributeValue{"pk": s(strconv.Itoa(i))}}); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	for b.Loop() {
		key := map[string]types.AttributeValue{"pk": s(strconv.Itoa(i % 1000))}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: map[string]types.AttributeValue{"pk": key["pk"], "v": n(i)}}); err != nil {
			b.Fatal(err)
		}
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("bench"), Key: key}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
