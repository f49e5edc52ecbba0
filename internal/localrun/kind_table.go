package localrun

import (
	"cmp"
	"context"
	"encoding/json"
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
	streamed := hasStreams(s)
	if streamed && st.cfg.DynamoDBEndpoint != "" {
		st.progress("warning: table streams are not emulated with another DynamoDB endpoint; " + streamWires(s) + " will not be triggered")
	}
	if st.cfg.DynamoDBEndpoint == "" {
		onWrite := st.cfg.OnTableWrite
		opts := dynamo.Options{DataDir: st.cfg.DataDir, OnWrite: onWrite}
		if streamed {
			// Each write's item images go to the functions the table's
			// stream is wired to (events.go).
			svc, err := st.services()
			if err != nil {
				return err
			}
			ss := newStreams(svc, s, st.cfg.Region)
			opts.OnChange = ss.record
			ss.start()
		}
		st.r.dynamo, err = dynamo.Start(st.ctx, st.logger, opts)
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
		if err := addIndexes(in, t); err != nil {
			return names, model.Errorf(model.EINVALID, "table %s: %v", t.Name, err)
		}
		if t.BillingMode == model.BillingProvisioned {
			in.BillingMode = types.BillingModeProvisioned
			in.ProvisionedThroughput = &types.ProvisionedThroughput{
				ReadCapacityUnits:  aws.Int64(int64(max(t.ReadCapacity, 1))),
				WriteCapacityUnits: aws.Int64(int64(max(t.WriteCapacity, 1))),
			}
			for i := range in.GlobalSecondaryIndexes {
				in.GlobalSecondaryIndexes[i].ProvisionedThroughput = in.ProvisionedThroughput
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

// cfnIndex is a secondary index as a template writes it.
type cfnIndex struct {
	IndexName  string
	KeySchema  []struct{ AttributeName, KeyType string }
	Projection struct {
		ProjectionType   string
		NonKeyAttributes []string
	}
}

// addIndexes gives the table the secondary indexes an imported template
// declared (kept with the table, as the model has no indexes of its own)
// and the attribute definitions their keys need, so handlers that query
// an index work locally. An index whose definition uses an intrinsic
// function cannot be read here and is refused with its reason.
func addIndexes(in *dynamodb.CreateTableInput, t *model.Table) error {
	defined := map[string]bool{}
	for _, d := range in.AttributeDefinitions {
		defined[aws.ToString(d.AttributeName)] = true
	}
	for _, k := range t.Kept {
		if k.Part != model.PartMain {
			continue
		}
		for _, f := range k.Properties {
			switch f.Key {
			case "AttributeDefinitions":
				var defs []struct{ AttributeName, AttributeType string }
				if err := json.Unmarshal(f.Value, &defs); err != nil {
					return fmt.Errorf("its AttributeDefinitions cannot be read locally (%v)", err)
				}
				for _, d := range defs {
					if !defined[d.AttributeName] {
						defined[d.AttributeName] = true
						in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(d.AttributeName), AttributeType: types.ScalarAttributeType(d.AttributeType)})
					}
				}
			case "GlobalSecondaryIndexes", "LocalSecondaryIndexes":
				var idx []cfnIndex
				if err := json.Unmarshal(f.Value, &idx); err != nil {
					return fmt.Errorf("its %s cannot be read locally (%v)", f.Key, err)
				}
				for _, x := range idx {
					keys := make([]types.KeySchemaElement, 0, len(x.KeySchema))
					for _, ks := range x.KeySchema {
						keys = append(keys, types.KeySchemaElement{AttributeName: aws.String(ks.AttributeName), KeyType: types.KeyType(ks.KeyType)})
					}
					proj := &types.Projection{ProjectionType: types.ProjectionType(cmp.Or(x.Projection.ProjectionType, "ALL"))}
					if len(x.Projection.NonKeyAttributes) > 0 {
						proj.NonKeyAttributes = x.Projection.NonKeyAttributes
					}
					if f.Key == "GlobalSecondaryIndexes" {
						in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{IndexName: aws.String(x.IndexName), KeySchema: keys, Projection: proj})
					} else {
						in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{IndexName: aws.String(x.IndexName), KeySchema: keys, Projection: proj})
					}
				}
			}
		}
	}
	return nil
}

func hasStreams(s *model.Stack) bool {
	for _, w := range s.Wires {
		if w.Kind == model.WireStream {
			return true
		}
	}
	return false
}

// streamWires names the table → function stream wires.
func streamWires(s *model.Stack) string {
	x := model.NewIndex(s)
	var out []string
	for _, w := range s.Wires {
		if w.Kind != model.WireStream {
			continue
		}
		if t, f := x.Table(w.From), x.Function(w.To); t != nil && f != nil {
			out = append(out, f.Name+" (stream of "+t.Name+")")
		}
	}
	return strings.Join(out, ", ")
}
