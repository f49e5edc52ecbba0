package store

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The custom domain kind: a row in domains (migration 0015).
var domainsCodec = newCodec("domains", true,
	text("id", func(d *model.Domain) *string { return &d.ID }).asKey(),
	text("domain_name", func(d *model.Domain) *string { return &d.DomainName }),
	text("certificate_parameter", func(d *model.Domain) *string { return &d.CertificateParameter }),
	text("security_policy", func(d *model.Domain) *string { return &d.SecurityPolicy }),
	text("mapping_key", func(d *model.Domain) *string { return &d.MappingKey }),
	kept(func(d *model.Domain) *[]model.Kept { return &d.Kept }),
)

func init() {
	registerKind(model.KindDomain, &kindStore{
		tables: []*table{&domainsCodec.table},
		size: func(st *model.Stack, sizes map[*table]int) {
			sizes[&nodesCodec.table] += len(st.Domains)
			sizes[&domainsCodec.table] += len(st.Domains)
		},
		rows: func(st *model.Stack, sets map[*table]rowSet) error {
			var node nodeRow
			for i, d := range st.Domains {
				if err := nodesCodec.add(sets[&nodesCodec.table], reuse(&node, nodeRow{&d.Node, model.KindDomain, i})); err != nil {
					return err
				}
				if err := domainsCodec.add(sets[&domainsCodec.table], d); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(ctx context.Context, tx *sql.Tx, stackID int64, st *model.Stack) error {
			return readNodes(ctx, tx, domainsCodec, stackID, func(d *model.Domain) *model.Node { return &d.Node }, func(d *model.Domain) {
				st.Domains = append(st.Domains, d)
			})
		},
	})
}
