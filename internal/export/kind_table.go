package export

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"github.com/awslabs/goformation/v7/cloudformation/policies"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The table kind becomes a DynamoDB table; its output is the table's name.
func init() {
	registerKind(model.KindTable, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) { return len(s.Tables), len(s.Tables) },
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
	b.add(tableID(t), tbl, t.ID, t.Kept, model.PartMain)
	b.output(t.NameOutputName(), fmt.Sprintf("Name of table %s", t.Name), b.ref(tableID(t)))
}
