package localrun

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/internal/dynamo"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Tables are created first on the run's DynamoDB endpoint: the one the run
// names, or else a built-in one on loopback that lives as long as the run.
func init() {
	registerKind(&kindServer{kind: model.KindTable, order: 10, serve: serveTables})
}

func serveTables(st *starting) (err error) {
	s := st.s
	if len(s.Tables) == 0 {
		return nil
	}
	if st.cfg.DynamoDBEndpoint == "" {
		onWrite := st.cfg.OnTableWrite
		st.r.dynamo, err = dynamo.Start(st.ctx, st.logger, dynamo.Options{DataDir: st.cfg.DataDir, OnWrite: onWrite})
		if err != nil {
			return fmt.Errorf("localrun: built-in DynamoDB: %w", err)
		}
		// The functions, started later, read the endpoint from here.
		st.cfg.DynamoDBEndpoint = st.r.dynamo.URL()
		st.logger.InfoContext(st.ctx, "built-in DynamoDB endpoint", slog.String("url", st.cfg.DynamoDBEndpoint), slog.String("data", cmp.Or(st.cfg.DataDir, "in memory, gone when the run stops")))
	}
	st.r.dynamoEndpoint = st.cfg.DynamoDBEndpoint
	if st.r.tables, err = CreateTables(st.ctx, st.cfg.DynamoDBEndpoint, st.cfg.Region, s); err != nil {
		return err
	}
	st.logger.InfoContext(st.ctx, "tables ready", slog.String("endpoint", st.cfg.DynamoDBEndpoint), slog.Any("tables", st.r.tables))
	return nil
}

// Dummy credentials for the local endpoints: local DynamoDB servers and the
// @connections API check that requests are signed, not by whom.
const (
	dummyAccessKey = "switchboard"
	dummySecretKey = "switchboard-local"
)

var tableNameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// TableName is the name a table of the stack gets on the local DynamoDB
// endpoint: <stack>-<Table>, as CloudFormation names a table after its stack
// and logical ID, so two stacks sharing one endpoint keep apart.
func TableName(s *model.Stack, t *model.Table) string {
	stack := strings.Trim(tableNameUnsafe.ReplaceAllString(s.Name, "-"), "-")
	if stack == "" {
		return t.Name
	}
	return stack + "-" + t.Name
}

// dynamoClient returns a DynamoDB client for the endpoint with dummy
// credentials.
func dynamoClient(endpoint, region string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(dummyAccessKey, dummySecretKey, ""),
	})
}

// CreateTables creates the stack's tables on the DynamoDB endpoint with
// their keys, billing mode and time to live. A table that exists already is
// kept with its items, so a second run finds the data of the first.
func CreateTables(ctx context.Context, endpoint, region string, s *model.Stack) ([]string, error) {
	db := dynamoClient(endpoint, region)
	var names []string
	for _, t := range s.Tables {
		name := TableName(s, t)
		in := &dynamodb.CreateTableInput{
			TableName:            aws.String(name),
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(t.PartitionKey.Name), AttributeType: types.ScalarAttributeType(t.PartitionKey.Type)}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(t.PartitionKey.Name), KeyType: types.KeyTypeHash}},
			BillingMode:          types.BillingModePayPerRequest,
		}
		if t.SortKey != nil {
			in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(t.SortKey.Name), AttributeType: types.ScalarAttributeType(t.SortKey.Type)})
			in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(t.SortKey.Name), KeyType: types.KeyTypeRange})
		}
		if t.BillingMode == model.BillingProvisioned {
			in.BillingMode = types.BillingModeProvisioned
			in.ProvisionedThroughput = &types.ProvisionedThroughput{
				ReadCapacityUnits:  aws.Int64(int64(max(t.ReadCapacity, 1))),
				WriteCapacityUnits: aws.Int64(int64(max(t.WriteCapacity, 1))),
			}
		}
		_, err := db.CreateTable(ctx, in)
		var exists *types.ResourceInUseException
		switch {
		case errors.As(err, &exists):
			names = append(names, name)
			continue
		case err != nil:
			return names, fmt.Errorf("localrun: create table %s at %s: %w", name, endpoint, err)
		}
		w := dynamodb.NewTableExistsWaiter(db)
		if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, tableWait); err != nil {
			return names, fmt.Errorf("localrun: table %s did not become active: %w", name, err)
		}
		if t.TTLAttribute != "" {
			_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
				TableName:               aws.String(name),
				TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(t.TTLAttribute), Enabled: aws.Bool(true)},
			})
			if err != nil {
				return names, fmt.Errorf("localrun: time to live of table %s: %w", name, err)
			}
		}
		names = append(names, name)
	}
	return names, nil
}
