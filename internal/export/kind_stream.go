package export

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/kinesis"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The stream kind becomes a Kinesis data stream; its output is its ARN.
func init() {
	registerKind(model.KindStream, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) { return len(s.Streams), len(s.Streams) },
		build: func(b *builder) {
			for _, t := range b.s.Streams {
				id := streamID(t)
				res := &kinesis.Stream{}
				if t.OnDemand {
					res.StreamModeDetails = &kinesis.Stream_StreamModeDetails{StreamMode: "ON_DEMAND"}
				} else {
					res.ShardCount = cloudformation.Int(t.ShardCount)
				}
				// Kinesis's default is left unsaid.
				if t.RetentionHours != model.DefaultStreamRetentionHours {
					res.RetentionPeriodHours = cloudformation.Int(t.RetentionHours)
				}
				b.add(id, res, t.ID, t.Kept, model.PartMain)
				b.output(t.ArnOutputName(), fmt.Sprintf("ARN of stream %s", t.Name), b.getAtt(id, "Arn"))
			}
		},
	})
}

func streamID(t *model.Stream) string { return model.KeptLogicalID(t.Kept, model.PartMain, t.Name) }
