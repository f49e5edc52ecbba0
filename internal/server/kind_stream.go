package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A stream's form: on demand or its shards, and its retention.
func init() {
	registerKindForm(model.KindStream, &kindForm{
		fields: set("name", "onDemand", "shardCount", "retentionHours"),
		read:   readStreamFields,
	})
}

// streamFields is a stream's part of the properties form.
type streamFields struct {
	Sent, OnDemand             bool
	ShardCount, RetentionHours *int
}

func readStreamFields(v formValues, errors map[string]string) kindFields {
	return &streamFields{Sent: v.checked("stream.sent"), OnDemand: v.checked("onDemand"),
		ShardCount: v.num("shardCount", "Shards", errors), RetentionHours: v.num("retentionHours", "Retention", errors)}
}

func (p *streamFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	t := st.Stream(id)
	sent(&t.Name, common.Name)
	sent(&t.ShardCount, p.ShardCount)
	sent(&t.RetentionHours, p.RetentionHours)
	if p.Sent {
		t.OnDemand = p.OnDemand
	}
	// The shard field is shown only for a provisioned stream: switching
	// mode sets or clears it.
	switch {
	case t.OnDemand:
		t.ShardCount = 0
	case t.ShardCount == 0:
		t.ShardCount = 1
	}
}
