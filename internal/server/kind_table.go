package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A table's form: keys, billing, time to live and deletion policy.
func init() {
	registerKindForm(model.KindTable, &kindForm{
		fields: set("name", "partitionKey.name", "partitionKey.type", "sortKey.name", "sortKey.type",
			"billingMode", "readCapacity", "writeCapacity", "ttlAttribute", "deletionPolicy"),
		read: readTableFields,
	})
}

// tableFields is a table's part of the properties form.
type tableFields struct {
	PartitionKeyName, PartitionKeyType *string
	// SortKey is nil when the form had no sort key field.
	SortKey                     *model.Key
	BillingMode                 *string
	ReadCapacity, WriteCapacity *int
	TTLAttribute                *string
	DeletionPolicy              *string
}

func readTableFields(v formValues, errors map[string]string) kindFields {
	t := &tableFields{
		PartitionKeyName: v.str("partitionKey.name"), PartitionKeyType: v.str("partitionKey.type"),
		BillingMode:   v.str("billingMode"),
		ReadCapacity:  v.num("readCapacity", "Read capacity", errors),
		WriteCapacity: v.num("writeCapacity", "Write capacity", errors),
		TTLAttribute:  v.str("ttlAttribute"), DeletionPolicy: v.str("deletionPolicy"),
	}
	if name := v.str("sortKey.name"); name != nil {
		t.SortKey = &model.Key{Name: *name}
		if typ := v.str("sortKey.type"); typ != nil && *typ != "" {
			t.SortKey.Type = model.AttributeType(*typ)
		} else {
			t.SortKey.Type = model.AttributeString
		}
	}
	return t
}

func (p *tableFields) apply(common *propertiesForm, f *nodeForm, st *model.Stack, id string) {
	t := st.Table(id)
	sent(&t.Name, common.Name)
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
