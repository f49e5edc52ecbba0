package export

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/sqs"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The queue kind becomes an SQS queue, its redrive policy naming the
// dead-letter queue it is wired to, and an event source mapping per
// function it triggers; its output is the queue's URL.
func init() {
	registerKind(model.KindQueue, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) {
			for _, w := range s.Wires {
				if w.Kind == model.WireConsume {
					resources++
				}
			}
			return resources + len(s.Queues), len(s.Queues)
		},
		build: func(b *builder) {
			for _, q := range b.s.Queues {
				b.queue(q)
			}
		},
	})
}

func queueID(q *model.Queue) string { return model.KeptLogicalID(q.Kept, model.PartMain, q.Name) }

// redrivePolicy is SQS's RedrivePolicy: a struct, so its keys come out in
// the order AWS documents them.
type redrivePolicy struct {
	DeadLetterTargetArn any `json:"deadLetterTargetArn"`
	MaxReceiveCount     int `json:"maxReceiveCount"`
}

func (b *builder) queue(q *model.Queue) {
	id := queueID(q)
	// SQS's defaults are left unsaid, as a hand-written template does.
	res := &sqs.Queue{}
	if q.VisibilityTimeout != model.DefaultVisibilityTimeout {
		res.VisibilityTimeout = cloudformation.Int(q.VisibilityTimeout)
	}
	if q.RetentionPeriod != model.DefaultRetentionPeriod {
		res.MessageRetentionPeriod = cloudformation.Int(q.RetentionPeriod)
	}
	if q.FIFO {
		res.FifoQueue = cloudformation.Bool(true)
		if q.ContentBasedDeduplication {
			res.ContentBasedDeduplication = cloudformation.Bool(true)
		}
	}
	for _, w := range b.index.WiresFromOfKind(q.ID, model.WireDeadLetter) {
		if d := b.index.Queue(w.To); d != nil {
			res.RedrivePolicy = redrivePolicy{DeadLetterTargetArn: b.getAtt(queueID(d), "Arn"), MaxReceiveCount: q.MaxReceiveCount}
		}
	}
	var fns []propertyFn
	if q.FIFO {
		// A FIFO queue's name must end in .fifo; named here rather than
		// left to CloudFormation, which not every implementation does.
		fns = append(fns, at(b.sub("${AWS::StackName}-"+q.Name+".fifo"), "QueueName"))
	}
	b.add(id, res, q.ID, q.Kept, model.PartMain, fns...)
	for _, w := range b.index.WiresFromOfKind(q.ID, model.WireConsume) {
		f := b.index.Function(w.To)
		if f == nil {
			continue
		}
		mapping := &lambda.EventSourceMapping{}
		// Lambda checks the function may read the queue when the mapping
		// is made, so the role and its policy come first.
		if keptProperty(f.Kept, model.PartMain, "Role") == nil {
			mapping.AWSCloudFormationDependsOn = []string{model.KeptLogicalID(f.Kept, model.PartRole, f.RoleLogicalID())}
		}
		b.add(model.EventSourceLogicalID(id, functionID(f)), mapping, w.ID, nil, model.PartMain,
			at(b.getAtt(id, "Arn"), "EventSourceArn"), at(b.ref(functionID(f)), "FunctionName"))
	}
	b.output(q.URLOutputName(), fmt.Sprintf("URL of queue %s", q.Name), b.ref(id))
}
