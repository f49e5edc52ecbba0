package export

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation/events"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The bus kind becomes an EventBridge event bus named after the stack and
// its logical ID (a bus's name is required and unique in the account and
// region); its output is that name.
func init() {
	registerKind(model.KindBus, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) { return len(s.Buses), len(s.Buses) },
		build: func(b *builder) {
			for _, bus := range b.s.Buses {
				id := busID(bus)
				b.add(id, &events.EventBus{}, bus.ID, bus.Kept, model.PartMain, at(b.sub("${AWS::StackName}-"+bus.Name), "Name"))
				b.output(bus.NameOutputName(), fmt.Sprintf("Name of event bus %s", bus.Name), b.getAtt(id, "Name"))
			}
		},
	})
}

func busID(bus *model.Bus) string { return model.KeptLogicalID(bus.Kept, model.PartMain, bus.Name) }
