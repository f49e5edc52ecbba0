package importer

import (
	"github.com/switchboard-dev/switchboard/model"
)

// importTables turns each AWS::DynamoDB::Table into a table.
func (im *importer) importTables() error {
	for _, r := range im.ofType(typeTable) {
		if err := im.stopped(); err != nil {
			return err
		}
		t, err := im.table(r)
		if err != nil {
			return err
		}
		im.stack.Tables = append(im.stack.Tables, t)
	}
	return nil
}

func (im *importer) table(r *resource) (*model.Table, error) {
	p := r.props
	t := model.NewTable(im.id("tbl"), im.nodeName[r.id])
	im.tables[r.id] = t
	im.srcID[t.ID] = r.id
	im.claimed[r.id] = true

	types := map[string]model.AttributeType{}
	for _, d := range valueList(p.get("AttributeDefinitions")) {
		name, _ := d.get("AttributeName").str()
		typ, _ := d.get("AttributeType").str()
		types[name] = model.AttributeType(typ)
	}
	var hash, rng *model.Key
	for _, ks := range valueList(p.get("KeySchema")) {
		name, _ := ks.get("AttributeName").str()
		kt, _ := ks.get("KeyType").str()
		k := &model.Key{Name: name, Type: types[name]}
		switch kt {
		case "HASH":
			hash = k
		case "RANGE":
			rng = k
		}
	}
	if hash == nil || hash.Name == "" {
		at := r.pos
		if ks := p.get("KeySchema"); ks != nil {
			at = ks.pos
		}
		return nil, im.errorAt(at, "table %s: KeySchema must name a HASH key attribute", r.id)
	}
	if hash.Type == "" || rng != nil && rng.Type == "" {
		return nil, im.errorAt(r.pos, "table %s: each key attribute needs an AttributeDefinitions entry with its type", r.id)
	}
	t.PartitionKey = *hash
	t.SortKey = rng

	pt := p.get("ProvisionedThroughput")
	switch mode, _ := p.get("BillingMode").str(); {
	case mode == string(model.BillingProvisioned) || mode == "" && pt != nil:
		t.BillingMode = model.BillingProvisioned
		t.ReadCapacity, _ = pt.get("ReadCapacityUnits").int()
		t.WriteCapacity, _ = pt.get("WriteCapacityUnits").int()
	case mode == string(model.BillingOnDemand):
		t.BillingMode = model.BillingOnDemand
	}
	if ttl := p.get("TimeToLiveSpecification"); ttl != nil {
		if on, _ := ttl.get("Enabled").bool(); on {
			t.TTLAttribute, _ = ttl.get("AttributeName").str()
		}
	}
	if dp, ok := deletionPolicy(r.v.get("DeletionPolicy")); ok {
		t.DeletionPolicy = dp
	}
	resetInvalid(&model.Stack{Tables: []*model.Table{t}}, t.ID, func(field string) {
		switch field {
		case "readCapacity", "writeCapacity", "billingMode":
			t.BillingMode, t.ReadCapacity, t.WriteCapacity = model.BillingOnDemand, 0, 0
		case "ttlAttribute":
			t.TTLAttribute = ""
		}
	})

	g := newGenerated(t.Name).
		prop("BillingMode", strValue(string(t.BillingMode))).
		prop("KeySchema", keySchema(t)).
		prop("AttributeDefinitions", attributeDefinitions(t)).
		attr("DeletionPolicy", strValue(string(t.DeletionPolicy))).
		attr("UpdateReplacePolicy", strValue(string(t.DeletionPolicy)))
	if t.BillingMode == model.BillingProvisioned {
		g.prop("ProvisionedThroughput", mapValue("ReadCapacityUnits", numValue(t.ReadCapacity), "WriteCapacityUnits", numValue(t.WriteCapacity)))
	}
	if t.TTLAttribute != "" {
		g.prop("TimeToLiveSpecification", mapValue("AttributeName", strValue(t.TTLAttribute), "Enabled", boolValue(true)))
	}
	t.Kept = keep(nil, model.PartMain, r, g)
	return t, nil
}

func keySchema(t *model.Table) *value {
	l := listValue(mapValue("AttributeName", strValue(t.PartitionKey.Name), "KeyType", strValue("HASH")))
	if t.SortKey != nil {
		l.items = append(l.items, mapValue("AttributeName", strValue(t.SortKey.Name), "KeyType", strValue("RANGE")))
	}
	return l
}

func attributeDefinitions(t *model.Table) *value {
	l := listValue(mapValue("AttributeName", strValue(t.PartitionKey.Name), "AttributeType", strValue(string(t.PartitionKey.Type))))
	if t.SortKey != nil {
		l.items = append(l.items, mapValue("AttributeName", strValue(t.SortKey.Name), "AttributeType", strValue(string(t.SortKey.Type))))
	}
	return l
}
