package export

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/sns"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The topic kind becomes an SNS topic and, per function it triggers, a
// subscription with the permission to invoke the function from this topic
// only; its output is the topic's ARN.
func init() {
	registerKind(model.KindTopic, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) {
			for _, w := range s.Wires {
				if w.Kind == model.WireSubscribe {
					resources += 2
				}
			}
			return resources + len(s.Topics), len(s.Topics)
		},
		build: func(b *builder) {
			for _, t := range b.s.Topics {
				b.topic(t)
			}
		},
	})
}

func topicID(t *model.Topic) string { return model.KeptLogicalID(t.Kept, model.PartMain, t.Name) }

func (b *builder) topic(t *model.Topic) {
	id := topicID(t)
	res := &sns.Topic{}
	if t.DisplayName != "" {
		res.DisplayName = cloudformation.String(t.DisplayName)
	}
	if t.FIFO {
		res.FifoTopic = cloudformation.Bool(true)
	}
	var fns []propertyFn
	if t.FIFO {
		// As a FIFO queue's, a FIFO topic's name must end in .fifo.
		fns = append(fns, at(b.sub("${AWS::StackName}-"+t.Name+".fifo"), "TopicName"))
	}
	b.add(id, res, t.ID, t.Kept, model.PartMain, fns...)
	for _, w := range b.index.WiresFromOfKind(t.ID, model.WireSubscribe) {
		f := b.index.Function(w.To)
		if f == nil {
			continue
		}
		fid := functionID(f)
		b.add(model.EventSourceLogicalID(id, fid), &sns.Subscription{Protocol: "lambda"}, w.ID, nil, model.PartMain,
			at(b.ref(id), "TopicArn"), at(b.getAtt(fid, "Arn"), "Endpoint"))
		b.add(model.EventSourcePermissionLogicalID(id, fid), &lambda.Permission{
			Action:    "lambda:InvokeFunction",
			Principal: "sns.amazonaws.com",
		}, w.ID, nil, model.PartPermission, at(b.getAtt(fid, "Arn"), "FunctionName"), at(b.ref(id), "SourceArn"))
	}
	b.output(t.ArnOutputName(), fmt.Sprintf("ARN of topic %s", t.Name), b.ref(id))
}
