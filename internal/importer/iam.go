package importer

import (
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// importGrants recovers the read, read-write and send wires from what each
// function's role allows: the role's inline policies, and policies
// attached to it as separate AWS::IAM::Policy or ManagedPolicy resources
// (the CDK's way). A role several functions share grants each of them.
func (im *importer) importGrants() error {
	// attached maps a role's logical ID to the policy documents attached to
	// it from outside.
	attached := map[string][]*cfn.Value{}
	for _, id := range im.order {
		r := im.res[id]
		if r.typ != typePolicy && r.typ != typeManagedPolicy {
			continue
		}
		for _, role := range valueList(r.props.Get("Roles")) {
			if rid := role.RefTo(); rid != "" {
				attached[rid] = append(attached[rid], r.props.Get("PolicyDocument"))
			}
		}
	}
	isTable := func(id string) bool { return im.tables[id] != nil }
	isAPI := func(id string) bool { return im.apis[id] != nil }
	services, nodeOf := im.serviceNodes()
	for _, f := range im.stack.Functions {
		if err := im.stopped(); err != nil {
			return err
		}
		src := im.fnSrc[im.srcID[f.ID]]
		var roles []string
		if src.role != nil {
			roles = append(roles, src.role.id)
		}
		if src.roleRef != "" && (src.role == nil || src.roleRef != src.role.id) {
			roles = append(roles, src.roleRef)
		}
		// A policy the export wrote for the wires the user added
		// (model.PartGrants), attached to this function's role alone.
		var grantsDoc *cfn.Value
		if id := src.r.id + "Grants"; im.isType(id, typePolicy) {
			if rs := valueList(im.res[id].props.Get("Roles")); len(rs) == 1 && slices.Contains(roles, rs[0].RefTo()) {
				src.grants = im.res[id]
				grantsDoc = src.grants.props.Get("PolicyDocument")
			}
		}
		var docs []*cfn.Value
		for _, sg := range im.samWired {
			if sg.fn == src.r.id {
				for _, pol := range sg.docs {
					docs = append(docs, pol.Get("PolicyDocument"))
				}
			}
		}
		for _, rid := range roles {
			role := im.res[rid]
			for _, pol := range valueList(role.props.Get("Policies")) {
				docs = append(docs, pol.Get("PolicyDocument"))
			}
			for _, arn := range valueList(role.props.Get("ManagedPolicyArns")) {
				if mp := arn.RefTo(); im.isType(mp, typeManagedPolicy) {
					docs = append(docs, im.res[mp].props.Get("PolicyDocument"))
				}
			}
			docs = append(docs, attached[rid]...)
		}
		bySource, byGrants := map[string]bool{}, map[string]bool{}
		for _, doc := range docs {
			found := bySource
			if doc == grantsDoc {
				found = byGrants
			}
			for _, st := range statements(doc) {
				if kind, targets := serviceGrants(st, services); kind != "" {
					for _, id := range targets {
						im.wire(kind, f.ID, nodeOf[id])
					}
					continue
				}
				gs, _ := grants(st, isTable, isAPI)
				if len(im.stack.APIs) == 1 && sendsToAnyAPI(st) && !slices.ContainsFunc(gs, func(g grant) bool { return g.send }) {
					// ManageConnections on every API (as AWS's samples
					// write it) covers the stack's one API; the statement
					// itself stays as written.
					for id := range im.apis {
						gs = append(gs, grant{target: id, send: true})
					}
				}
				for _, g := range gs {
					switch {
					case g.send:
						a := im.apis[g.target]
						if !im.wiredAs(f.ID, a.ID, model.WireAuthorizer) {
							im.wire(model.WireSend, f.ID, a.ID)
						}
						found[grantKey(model.WireSend, a.ID)] = true
					case g.write:
						im.wire(model.WireReadWrite, f.ID, im.tables[g.target].ID)
						found[grantKey(model.WireReadWrite, im.tables[g.target].ID)] = true
					default:
						im.wire(model.WireRead, f.ID, im.tables[g.target].ID)
						found[grantKey(model.WireRead, im.tables[g.target].ID)] = true
					}
				}
			}
		}
		for k := range byGrants {
			if !bySource[k] {
				if src.onlyGrants == nil {
					src.onlyGrants = map[string]bool{}
				}
				src.onlyGrants[k] = true
			}
		}
	}
	return nil
}

// wiredAs reports whether a wire of the kind joins from and to.
func (im *importer) wiredAs(from, to string, kind model.WireKind) bool {
	for _, w := range im.stack.Wires {
		if w.From == from && w.To == to && w.Kind == kind {
			return true
		}
	}
	return false
}

// sendsToAnyAPI reports whether a statement allows
// execute-api:ManageConnections on resources that name no API: "*", or an
// execute-api ARN of wildcards (and pseudo parameters, as the Serverless
// Framework's arn:${AWS::Partition}:execute-api:*:*:*/@connections/*).
func sendsToAnyAPI(st statement) bool {
	if !st.allow || !slices.ContainsFunc(st.actions, func(a string) bool { return a == model.SendAction || a == "execute-api:*" }) {
		return false
	}
	namesNone := func(text string) bool {
		return !slices.ContainsFunc(references(text), func(r reference) bool { return !strings.HasPrefix(r.id, "AWS::") })
	}
	for _, r := range st.resources {
		text, ok := flatten(r)
		if ok && (text == "*" || strings.HasPrefix(text, "arn:") && strings.Contains(text, ":execute-api:") && namesNone(text) && strings.Contains(text, "*")) {
			return true
		}
	}
	return false
}

// serviceNodes gathers the queues, topics, buses, state machines, buckets
// and streams a function's role may grant calls to, by source logical ID,
// and maps those IDs to their nodes' IDs.
func (im *importer) serviceNodes() (serviceNodes, map[string]string) {
	nodes := serviceNodes{kinds: map[string]model.Kind{}, buckets: map[string]*model.Bucket{}}
	nodeOf := map[string]string{}
	for _, n := range im.stack.Nodes() {
		switch n.Kind {
		case model.KindQueue, model.KindTopic, model.KindBus, model.KindStateMachine, model.KindBucket, model.KindStream:
		default:
			continue
		}
		src := im.srcID[n.ID]
		if src == "" {
			continue
		}
		nodes.kinds[src] = n.Kind
		nodeOf[src] = n.ID
		if n.Kind == model.KindBucket {
			nodes.buckets[src] = im.stack.Bucket(n.ID)
		}
	}
	return nodes, nodeOf
}
