package export

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/policies"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The table kind becomes a DynamoDB table; its output is the table's name.
func init() {
	registerKind(model.KindTable, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) {
			for _, w := range s.Wires {
				if w.Kind == model.WireStream {
					resources++
				}
			}
			return resources + len(s.Tables), len(s.Tables)
		},
		build: func(b *builder) {
			for _, t := range b.s.Tables {
				b.table(t)
			}
		},
	})
}

func (b *builder) table(t *model.Table) {
	keys := []model.Key{t.PartitionKey}
	if t.SortKey != nil {
		keys = append(keys, *t.SortKey)
	}
	tbl := &dynamodb.Table{
		BillingMode:                          cloudformation.String(string(t.BillingMode)),
		AWSCloudFormationDeletionPolicy:      policies.DeletionPolicy(t.DeletionPolicy),
		AWSCloudFormationUpdateReplacePolicy: policies.UpdateReplacePolicy(t.DeletionPolicy),
	}
	for i, k := range keys {
		keyType := "HASH"
		if i == 1 {
			keyType = "RANGE"
		}
		tbl.KeySchema = append(tbl.KeySchema, dynamodb.Table_KeySchema{AttributeName: k.Name, KeyType: keyType})
		tbl.AttributeDefinitions = append(tbl.AttributeDefinitions, dynamodb.Table_AttributeDefinition{AttributeName: k.Name, AttributeType: string(k.Type)})
	}
	if t.BillingMode == model.BillingProvisioned {
		tbl.ProvisionedThroughput = &dynamodb.Table_ProvisionedThroughput{ReadCapacityUnits: t.ReadCapacity, WriteCapacityUnits: t.WriteCapacity}
	}
	if t.TTLAttribute != "" {
		tbl.TimeToLiveSpecification = &dynamodb.Table_TimeToLiveSpecification{AttributeName: cloudformation.String(t.TTLAttribute), Enabled: true}
	}
	streams := b.index.WiresFromOfKind(t.ID, model.WireStream)
	if len(streams) > 0 {
		// The functions it triggers see each item before and after.
		tbl.StreamSpecification = &dynamodb.Table_StreamSpecification{StreamViewType: "NEW_AND_OLD_IMAGES"}
	}
	b.add(tableID(t), tbl, t.ID, t.Kept, model.PartMain)
	for _, w := range streams {
		f := b.index.Function(w.To)
		if f == nil {
			continue
		}
		mapping := &lambda.EventSourceMapping{StartingPosition: cloudformation.String("LATEST")}
		// Lambda checks the function may read the stream when the mapping
		// is made, so the role and its policy come first.
		if keptProperty(f.Kept, model.PartMain, "Role") == nil {
			mapping.AWSCloudFormationDependsOn = []string{model.KeptLogicalID(f.Kept, model.PartRole, f.RoleLogicalID())}
		}
		b.add(model.EventSourceLogicalID(tableID(t), functionID(f)), mapping, w.ID, nil, model.PartMain,
			at(b.getAtt(tableID(t), "StreamArn"), "EventSourceArn"), at(b.ref(functionID(f)), "FunctionName"))
	}
	b.output(t.NameOutputName(), fmt.Sprintf("Name of table %s", t.Name), b.ref(tableID(t)))
}
