package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The usage plan kind: a row in usage_plans, its API keys a JSON list
// (migration 0015).
var usagePlansCodec = newCodec("usage_plans", true,
	text("id", func(p *model.UsagePlan) *string { return &p.ID }).asKey(),
	text("description", func(p *model.UsagePlan) *string { return &p.Description }),
	integer("throttle_burst", func(p *model.UsagePlan) *int { return &p.ThrottleBurst }),
	float("throttle_rate", func(p *model.UsagePlan) *float64 { return &p.ThrottleRate }),
	integer("quota_limit", func(p *model.UsagePlan) *int { return &p.QuotaLimit }),
	text("quota_period", func(p *model.UsagePlan) *string { return &p.QuotaPeriod }),
	integer("quota_offset", func(p *model.UsagePlan) *int { return &p.QuotaOffset }),
	jsonItems("api_keys", func(p *model.UsagePlan) *[]*model.APIKey { return &p.Keys }),
	kept(func(p *model.UsagePlan) *[]model.Kept { return &p.Kept }),
)

func init() {
	registerKind(model.KindUsagePlan, &kindStore{
		tables: []*table{&usagePlansCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.UsagePlans)
			sizes[&usagePlansCodec.table] += len(st.UsagePlans)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, p := range st.UsagePlans {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&p.Node, model.KindUsagePlan, i})); err != nil {
					return err
				}
				if err := usagePlansCodec.add(sets[&usagePlansCodec.table], p); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, usagePlansCodec, stackID, func(p *model.UsagePlan) *model.Node { return &p.Node }, func(p *model.UsagePlan) {
				st.UsagePlans = append(st.UsagePlans, p)
			})
		},
	})
}
