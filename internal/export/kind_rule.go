package export

import (
	"encoding/json"
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/events"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/sqs"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The rule kind becomes an EventBridge rule on its bus (or the default
// one) whose targets are the functions and queues it is wired to. Each
// function gets a permission to be invoked by this rule alone; each queue
// one policy whose statements let only the rules wired to it send.
func init() {
	registerKind(model.KindRule, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) {
			queues := map[string]bool{}
			for _, w := range s.Wires {
				switch w.Kind {
				case model.WireTrigger:
					resources++
				case model.WireDeliver:
					queues[w.To] = true
				}
			}
			return resources + len(queues) + len(s.Rules), 0
		},
		build: func(b *builder) {
			for _, r := range b.s.Rules {
				b.rule(r)
			}
			b.queuePolicies()
		},
	})
}

func ruleID(r *model.Rule) string { return model.KeptLogicalID(r.Kept, model.PartMain, r.Name) }

// maxTargetID is EventBridge's limit on a target's Id.
const maxTargetID = 64

func targetID(logicalID string) string { return logicalID[:min(len(logicalID), maxTargetID)] }

func (b *builder) rule(r *model.Rule) {
	id := ruleID(r)
	res := &events.Rule{}
	var fns []propertyFn
	if r.Description != "" {
		res.Description = cloudformation.String(r.Description)
	}
	if r.EventPattern != "" {
		res.EventPattern = json.RawMessage(r.EventPattern)
	}
	if r.Schedule != "" {
		res.ScheduleExpression = cloudformation.String(r.Schedule)
	}
	if r.Disabled {
		res.State = cloudformation.String("DISABLED")
	}
	for _, w := range b.index.WiresToOfKind(r.ID, model.WireMatch) {
		if bus := b.index.Bus(w.From); bus != nil {
			// GetAtt rather than Ref, which moto resolves to no name.
			fns = append(fns, at(b.getAtt(busID(bus), "Name"), "EventBusName"))
		}
	}
	var permissions []*model.Wire
	for _, w := range b.index.WiresFrom(r.ID) {
		var arn string
		var target events.Rule_Target
		switch w.Kind {
		case model.WireTrigger:
			f := b.index.Function(w.To)
			if f == nil {
				continue
			}
			arn = functionID(f)
			permissions = append(permissions, w)
		case model.WireDeliver:
			q := b.index.Queue(w.To)
			if q == nil {
				continue
			}
			arn = queueID(q)
			if q.FIFO {
				// A FIFO queue needs a message group: one per rule
				// keeps its events in order.
				target.SqsParameters = &events.Rule_SqsParameters{MessageGroupId: r.Name}
			}
		default:
			continue
		}
		target.Id = targetID(arn)
		fns = append(fns, at(b.getAtt(arn, "Arn"), "Targets", strconv.Itoa(len(res.Targets)), "Arn"))
		res.Targets = append(res.Targets, target)
	}
	b.add(id, res, r.ID, r.Kept, model.PartMain, fns...)
	grant := model.ResourceGrants[model.WireTrigger]
	for _, w := range permissions {
		fid := functionID(b.index.Function(w.To))
		b.add(model.EventSourcePermissionLogicalID(id, fid), &lambda.Permission{Action: grant.Action, Principal: grant.Principal},
			w.ID, nil, model.PartPermission, at(b.getAtt(fid, "Arn"), "FunctionName"), at(b.getAtt(id, "Arn"), "SourceArn"))
	}
}

// queueStatement is a queue policy's statement: a service allowed one
// action on the queue on the condition that its source is one rule.
type queueStatement struct {
	Effect    string
	Principal *principal
	Action    []string
	Resource  []any
	Condition map[string]map[string]any
}

type queuePolicyDocument struct {
	Version   string
	Statement []queueStatement
}

// queuePolicies writes one policy per queue that rules deliver to: SQS
// keeps one policy per queue, so each rule wired to it is a statement.
func (b *builder) queuePolicies() {
	grant := model.ResourceGrants[model.WireDeliver]
	for _, q := range b.s.Queues {
		var doc queuePolicyDocument
		var first string
		for _, w := range b.index.WiresToOfKind(q.ID, model.WireDeliver) {
			r := b.index.Rule(w.From)
			if r == nil {
				continue
			}
			if first == "" {
				first = w.ID
			}
			doc.Statement = append(doc.Statement, queueStatement{
				Effect: "Allow", Principal: &principal{Service: []string{grant.Principal}}, Action: []string{grant.Action},
				Resource:  []any{b.getAtt(queueID(q), "Arn")},
				Condition: map[string]map[string]any{"ArnEquals": {"aws:SourceArn": b.getAtt(ruleID(r), "Arn")}},
			})
		}
		if first == "" {
			continue
		}
		doc.Version = "2012-10-17"
		b.add(model.QueuePolicyLogicalID(queueID(q)), &sqs.QueuePolicy{PolicyDocument: doc, Queues: []string{""}}, first, nil, model.PartMain,
			at(b.ref(queueID(q)), "Queues", "0"))
	}
}
