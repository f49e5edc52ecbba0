package importer

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Streams come before APIs, whose routes may put records on them.
func init() {
	registerKind(&recogniser{kind: model.KindStream, mainType: typeStream, order: 28, recognise: (*importer).importStreams})
}

// importStreams turns each AWS::Kinesis::Stream into a stream.
func (im *importer) importStreams() error {
	for _, r := range im.ofType(typeStream) {
		if err := im.stopped(); err != nil {
			return err
		}
		t := model.NewStream(im.id("ks"), im.nodeName[r.id])
		p := r.props
		if mode, _ := p.Path("StreamModeDetails", "StreamMode").Str(); mode == "ON_DEMAND" {
			t.OnDemand, t.ShardCount = true, 0
		} else if n, ok := p.Get("ShardCount").Int(); ok {
			t.ShardCount = n
		}
		if n, ok := p.Get("RetentionPeriodHours").Int(); ok {
			t.RetentionHours = n
		}
		resetInvalid(&model.Stack{Streams: []*model.Stream{t}}, t.ID, func(field string) {
			switch field {
			case "shardCount":
				t.ShardCount = 1
				if t.OnDemand {
					t.ShardCount = 0
				}
			case "retentionHours":
				t.RetentionHours = model.DefaultStreamRetentionHours
			}
		})
		im.srcID[t.ID] = r.id
		im.claimed[r.id] = true
		im.stack.Streams = append(im.stack.Streams, t)
	}
	return nil
}
