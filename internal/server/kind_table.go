package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A table's form: keys, billing, time to live and deletion policy.
func init() {
	registerKindForm(model.KindTable, &kindForm{
		fields: set("name", "partitionKey.name", "partitionKey.type", "sortKey.name", "sortKey.type",
			"billingMode", "readCapacity", "writeCapacity", "ttlAttribute", "deletionPolicy"),
		apply: applyTable,
	})
}

func applyTable(p *propertiesForm, f *nodeForm, st *model.Stack, id string) {
	t := st.Table(id)
	sent(&t.Name, p.Name)
	sent(&t.PartitionKey.Name, p.PartitionKeyName)
	setNonEmpty(&t.PartitionKey.Type, p.PartitionKeyType)
	if k := p.SortKey; k != nil {
		t.SortKey = nil
		if k.Name != "" {
			t.SortKey = &model.Key{Name: k.Name, Type: k.Type}
		}
	}
	if p.BillingMode != nil && *p.BillingMode != "" && model.BillingMode(*p.BillingMode) != t.BillingMode {
		// Switching modes brings the capacity fields in or out of the
		// form; give them values the model accepts.
		t.BillingMode = model.BillingMode(*p.BillingMode)
		if t.BillingMode == model.BillingProvisioned {
			t.ReadCapacity, t.WriteCapacity = 5, 5
		} else {
			t.ReadCapacity, t.WriteCapacity = 0, 0
		}
		delete(f.errors, "readCapacity")
		delete(f.errors, "writeCapacity")
	} else {
		sent(&t.ReadCapacity, p.ReadCapacity)
		sent(&t.WriteCapacity, p.WriteCapacity)
	}
	sent(&t.TTLAttribute, p.TTLAttribute)
	setNonEmpty(&t.DeletionPolicy, p.DeletionPolicy)
}
