package importer

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Buses come before rules, which name them, and APIs, whose routes may put
// events on them.
func init() {
	registerKind(&recogniser{kind: model.KindBus, mainType: typeBus, order: 27, recognise: (*importer).importBuses})
}

// importBuses turns each AWS::Events::EventBus into a bus; its Name, and
// anything else it says, is kept where it differs from the export's.
func (im *importer) importBuses() error {
	for _, r := range im.ofType(typeBus) {
		if err := im.stopped(); err != nil {
			return err
		}
		b := model.NewBus(im.id("bus"), im.nodeName[r.id])
		im.srcID[b.ID] = r.id
		im.claimed[r.id] = true
		im.stack.Buses = append(im.stack.Buses, b)
	}
	return nil
}
