package importer

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

func init() {
	registerKind(&recogniser{kind: model.KindTable, mainType: typeTable, order: 10, recognise: (*importer).importTables})
}

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
	for _, d := range valueList(p.Get("AttributeDefinitions")) {
		name, _ := d.Get("AttributeName").Str()
		typ, _ := d.Get("AttributeType").Str()
		types[name] = model.AttributeType(typ)
	}
	var hash, rng *model.Key
	for _, ks := range valueList(p.Get("KeySchema")) {
		name, _ := ks.Get("AttributeName").Str()
		kt, _ := ks.Get("KeyType").Str()
		k := &model.Key{Name: name, Type: types[name]}
		switch kt {
		case "HASH":
			hash = k
		case "RANGE":
			rng = k
		}
	}
	if hash == nil || hash.Name == "" {
		at := r.Pos
		if ks := p.Get("KeySchema"); ks != nil {
			at = ks.Pos
		}
		return nil, im.errorAt(at, "table %s: KeySchema must name a HASH key attribute", r.id)
	}
	if hash.Type == "" || rng != nil && rng.Type == "" {
		return nil, im.errorAt(r.Pos, "table %s: each key attribute needs an AttributeDefinitions entry with its type", r.id)
	}
	t.PartitionKey = *hash
	t.SortKey = rng

	pt := p.Get("ProvisionedThroughput")
	switch mode, _ := p.Get("BillingMode").Str(); {
	case mode == string(model.BillingProvisioned) || mode == "" && pt != nil:
		t.BillingMode = model.BillingProvisioned
		t.ReadCapacity, _ = pt.Get("ReadCapacityUnits").Int()
		t.WriteCapacity, _ = pt.Get("WriteCapacityUnits").Int()
	case mode == string(model.BillingOnDemand):
		t.BillingMode = model.BillingOnDemand
	}
	if ttl := p.Get("TimeToLiveSpecification"); ttl != nil {
		if on, _ := ttl.Get("Enabled").Bool(); on {
			t.TTLAttribute, _ = ttl.Get("AttributeName").Str()
		}
	}
	// CloudFormation deletes a resource with no DeletionPolicy.
	t.DeletionPolicy = model.DeletionDelete
	if dp, ok := deletionPolicy(r.v.Get("DeletionPolicy")); ok {
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

	return t, nil
}

// tableStream recognises an event source mapping of a table's stream to a
// function written as the export writes one, as a stream wire, and reports
// whether it did. Anything more (a batch size, a filter, another starting
// position) keeps it as it is.
func (im *importer) tableStream(r *resource) bool {
	src, att := r.props.Get("EventSourceArn").GetAttOf()
	t := im.tables[src]
	f := im.funcs[functionRef(r.props.Get("FunctionName"))]
	pos, _ := r.props.Get("StartingPosition").Str()
	if t == nil || att != "StreamArn" || f == nil || pos != "LATEST" || len(r.props.Keys) != 3 || hasAttributesBesides(r, "DependsOn") ||
		r.id != model.EventSourceLogicalID(src, im.fnLogicalID(f)) {
		return false
	}
	im.wire(model.WireStream, t.ID, f.ID)
	im.claimed[r.id] = true
	return true
}
