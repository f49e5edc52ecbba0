package importer

import (
	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Queues come after functions, which their event source mappings name, and
// before APIs, whose routes may send to them.
func init() {
	registerKind(&recogniser{kind: model.KindQueue, mainType: typeQueue, order: 24, recognise: (*importer).importQueues})
}

// importQueues turns each AWS::SQS::Queue into a queue, a RedrivePolicy to
// another queue of the template into a dead-letter wire, and each event
// source mapping of a queue to a function, written as the export writes
// one, into a consume wire.
func (im *importer) importQueues() error {
	queues := map[string]*model.Queue{}
	for _, r := range im.ofType(typeQueue) {
		if err := im.stopped(); err != nil {
			return err
		}
		q := model.NewQueue(im.id("q"), im.nodeName[r.id])
		p := r.props
		q.FIFO, _ = p.Get("FifoQueue").Bool()
		q.ContentBasedDeduplication, _ = p.Get("ContentBasedDeduplication").Bool()
		if n, ok := p.Get("VisibilityTimeout").Int(); ok {
			q.VisibilityTimeout = n
		}
		if n, ok := p.Get("MessageRetentionPeriod").Int(); ok {
			q.RetentionPeriod = n
		}
		if n, ok := p.Path("RedrivePolicy", "maxReceiveCount").Int(); ok {
			q.MaxReceiveCount = n
		}
		resetInvalid(&model.Stack{Queues: []*model.Queue{q}}, q.ID, func(field string) {
			switch field {
			case "visibilityTimeout":
				q.VisibilityTimeout = model.DefaultVisibilityTimeout
			case "retentionPeriod":
				q.RetentionPeriod = model.DefaultRetentionPeriod
			case "maxReceiveCount":
				q.MaxReceiveCount = model.DefaultMaxReceiveCount
			case "contentBasedDeduplication":
				q.ContentBasedDeduplication = false
			}
		})
		queues[r.id] = q
		im.srcID[q.ID] = r.id
		im.claimed[r.id] = true
		im.stack.Queues = append(im.stack.Queues, q)
	}
	for src, q := range queues {
		rp := im.res[src].props.Get("RedrivePolicy")
		if dead, att := rp.Get("deadLetterTargetArn").GetAttOf(); att == "Arn" && queues[dead] != nil && len(rp.Keys) == 2 {
			im.wire(model.WireDeadLetter, q.ID, queues[dead].ID)
		}
	}
	for _, r := range im.ofType(typeEventSource) {
		if im.tableStream(r) {
			continue
		}
		src, att := r.props.Get("EventSourceArn").GetAttOf()
		q := queues[src]
		f := im.funcs[functionRef(r.props.Get("FunctionName"))]
		// Only a mapping the export writes the same: anything more (a
		// batch size, a filter) keeps it as it is, since a wire keeps
		// nothing of its own.
		if q == nil || att != "Arn" || f == nil || len(r.props.Keys) != 2 || hasAttributesBesides(r, "DependsOn") ||
			r.id != model.EventSourceLogicalID(im.res[src].id, im.fnLogicalID(f)) {
			continue
		}
		im.wire(model.WireConsume, q.ID, f.ID)
		im.claimed[r.id] = true
	}
	return nil
}

// fnLogicalID is the logical ID the export writes for a function: its
// source one.
func (im *importer) fnLogicalID(f *model.Function) string { return im.srcID[f.ID] }

// hasAttributesBesides reports whether the resource has attributes other
// than those named (DependsOn, which the export writes itself).
func hasAttributesBesides(r *resource, allowed ...string) bool {
	for _, a := range r.attrs() {
		ok := false
		for _, x := range allowed {
			ok = ok || a == x
		}
		if !ok {
			return true
		}
	}
	return false
}

// keepServices works out what each queue, topic and state machine keeps.
func (im *importer) keepServices() {
	for _, q := range im.stack.Queues {
		g := im.part(q.ID, model.PartMain, q.Name)
		if q.FIFO {
			g.compareWith("QueueName", func(src, gen *cfn.Value) bool { return sameValue(src, gen) })
		}
		q.Kept = keep(nil, model.PartMain, im.res[im.srcID[q.ID]], g)
	}
	for _, t := range im.stack.Topics {
		t.Kept = keep(nil, model.PartMain, im.res[im.srcID[t.ID]], im.part(t.ID, model.PartMain, t.Name))
	}
	for _, m := range im.stack.StateMachines {
		src := im.res[im.srcID[m.ID]]
		kept := keep(nil, model.PartMain, src, im.part(m.ID, model.PartMain, m.Name).consume("Definition", "DefinitionString", "DefinitionS3Location"))
		if id, _ := src.props.Get("RoleArn").GetAttOf(); id != "" && im.smRoles[m.ID] == id {
			kept = keep(kept, model.PartRole, im.res[id], im.part(m.ID, model.PartRole, m.RoleLogicalID()))
		}
		sortKept(kept, model.PartMain, model.PartRole)
		m.Kept = kept
	}
}
