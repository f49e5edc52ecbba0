package importer

import (
	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Rules come after the functions and queues they target and the buses
// they are on.
func init() {
	registerKind(&recogniser{kind: model.KindRule, mainType: typeRule, order: 29, recognise: (*importer).importRules})
}

// importRules turns each AWS::Events::Rule into a rule. Its bus, named by
// GetAtt Name or Ref, becomes a match wire; a target function whose
// invoke permission is written as the export writes it becomes a trigger
// wire, and a target queue whose policy is the export's a deliver wire.
// Other targets stay in the rule's kept Targets, other permissions and
// policies as they are.
func (im *importer) importRules() error {
	rules := map[string]*model.Rule{}
	var order []string
	for _, r := range im.ofType(typeRule) {
		if err := im.stopped(); err != nil {
			return err
		}
		rule := model.NewRule(im.id("rl"), im.nodeName[r.id])
		p := r.props
		rule.Description, _ = p.Get("Description").Str()
		rule.Schedule, _ = p.Get("ScheduleExpression").Str()
		rule.EventPattern = ""
		if v := p.Get("EventPattern"); v != nil {
			// A pattern with intrinsic functions in it stays as written
			// (kept); the model holds a pattern matching nothing beside it.
			rule.EventPattern = "{}"
			if s, ok := v.Str(); ok {
				if parsed, err := cfn.ParseJSON([]byte(s)); err == nil && parsed.Kind == cfn.Map && literal(parsed) {
					rule.EventPattern = string(parsed.JSON())
				}
			} else if v.Kind == cfn.Map && literal(v) {
				rule.EventPattern = string(v.JSON())
			}
		}
		if state, _ := p.Get("State").Str(); state == "DISABLED" {
			rule.Disabled = true
		}
		resetInvalid(&model.Stack{Rules: []*model.Rule{rule}}, rule.ID, func(field string) {
			switch field {
			case "eventPattern":
				rule.EventPattern = "{}"
			case "schedule":
				rule.Schedule = ""
			case "description":
				rule.Description = ""
			}
		})
		if rule.EventPattern == "" && rule.Schedule == "" {
			rule.EventPattern = "{}"
		}
		rules[r.id] = rule
		order = append(order, r.id)
		im.srcID[rule.ID] = r.id
		im.claimed[r.id] = true
		im.stack.Rules = append(im.stack.Rules, rule)
	}
	queues := map[string]*model.Queue{}
	for _, q := range im.stack.Queues {
		queues[im.srcID[q.ID]] = q
	}
	delivered := map[string][]string{} // queue source ID → rule source IDs
	for _, src := range order {
		rule, p := rules[src], im.res[src].props
		bus := p.Get("EventBusName")
		busID, att := bus.GetAttOf()
		if att != "Name" {
			busID = bus.RefTo()
		}
		if id := im.nodeOfType(busID, model.KindBus); id != "" && rule.Schedule == "" {
			im.wire(model.WireMatch, id, rule.ID)
		}
		targets := p.Get("Targets")
		if targets == nil || targets.Kind != cfn.List {
			continue
		}
		for _, t := range targets.Items {
			if t.Kind != cfn.Map || len(t.Keys) != 2 || t.Get("Id") == nil {
				continue
			}
			to, att := t.Get("Arn").GetAttOf()
			if att != "Arn" {
				continue
			}
			if f := im.funcs[to]; f != nil && im.ruleInvokes(src, to) {
				im.wire(model.WireTrigger, rule.ID, f.ID)
			} else if q := queues[to]; q != nil && !q.FIFO {
				delivered[to] = append(delivered[to], src)
			}
		}
	}
	for _, q := range im.stack.Queues {
		src := im.srcID[q.ID]
		if len(delivered[src]) == 0 || !im.rulesMaySend(src, delivered[src]) {
			continue
		}
		for _, r := range delivered[src] {
			im.wire(model.WireDeliver, rules[r].ID, q.ID)
		}
	}
	return nil
}

// ruleInvokes finds the permission the export writes for a rule to invoke
// a function, claims it and reports whether it was there.
func (im *importer) ruleInvokes(rule, fn string) bool {
	p := im.res[model.EventSourcePermissionLogicalID(rule, fn)]
	grant := model.ResourceGrants[model.WireTrigger]
	if p == nil || p.typ != typePermission || im.claimed[p.id] || len(p.props.Keys) != 4 || len(p.attrs()) > 0 {
		return false
	}
	action, _ := p.props.Get("Action").Str()
	principal, _ := p.props.Get("Principal").Str()
	source, att := p.props.Get("SourceArn").GetAttOf()
	if action != grant.Action || principal != grant.Principal || functionRef(p.props.Get("FunctionName")) != fn || source != rule || att != "Arn" {
		return false
	}
	im.claimed[p.id] = true
	return true
}

// rulesMaySend finds the queue policy the export writes for the rules that
// deliver to a queue, one statement per rule in order, claims it and
// reports whether it was there.
func (im *importer) rulesMaySend(queue string, rules []string) bool {
	p := im.res[model.QueuePolicyLogicalID(queue)]
	if p == nil || p.typ != typeQueuePolicy || im.claimed[p.id] || len(p.props.Keys) != 2 || len(p.attrs()) > 0 {
		return false
	}
	queues := p.props.Get("Queues")
	if queues == nil || len(queues.Items) != 1 || queues.Items[0].RefTo() != queue {
		return false
	}
	doc := p.props.Get("PolicyDocument")
	stmts := doc.Get("Statement")
	if v, _ := doc.Get("Version").Str(); v != "2012-10-17" || len(doc.Keys) != 2 || stmts == nil || len(stmts.Items) != len(rules) {
		return false
	}
	grant := model.ResourceGrants[model.WireDeliver]
	for i, s := range stmts.Items {
		want := cfn.MapOf(
			"Effect", cfn.Str("Allow"),
			"Principal", cfn.MapOf("Service", cfn.Strings(grant.Principal)),
			"Action", cfn.Strings(grant.Action),
			"Resource", cfn.ListOf(cfn.GetAtt(queue, "Arn")),
			"Condition", cfn.MapOf("ArnEquals", cfn.MapOf("aws:SourceArn", cfn.GetAtt(rules[i], "Arn"))))
		if !cfn.Equal(s, want) {
			return false
		}
	}
	im.claimed[p.id] = true
	return true
}
