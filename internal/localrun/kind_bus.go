package localrun

import (
	"encoding/json"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Buses are served by the run's EventBridge (eventbridge.go), with the
// account's default bus, before the functions, whose environment names
// its endpoint (AWS_ENDPOINT_URL_EVENTBRIDGE): every run serves it, so
// that function code putting events never reaches AWS. A partner's event
// source bus is named as not emulated: nothing puts events on it here.
func init() {
	registerKind(&kindServer{kind: model.KindBus, order: 18, serve: func(st *starting) error {
		b, err := st.bridge()
		if err != nil {
			return err
		}
		for _, bus := range st.s.Buses {
			if keptProperty(bus.Kept, "EventSourceName") {
				st.progress(fmt.Sprintf("warning: bus %s is a partner's event source, which a local run does not emulate; only PutEvents reaches it", bus.Name))
			}
		}
		if len(st.s.Buses) > 0 {
			names := make([]string, 0, len(st.s.Buses))
			for _, bus := range st.s.Buses {
				names = append(names, BusName(st.s, bus))
			}
			st.progress(fmt.Sprintf("event buses on %s: %s (and %s)", b.URL(), joinNames(names), defaultBus))
		}
		return nil
	}})
}

// bridge returns the run's EventBridge, made on first need.
func (st *starting) bridge() (*bridge, error) {
	svc, err := st.services()
	if err != nil {
		return nil, err
	}
	if svc.bridge == nil {
		if svc.bridge, err = newBridge(st, svc); err != nil {
			return nil, err
		}
	}
	return svc.bridge, nil
}

// keptProperty says whether an object's main part keeps a property.
func keptProperty(kept []model.Kept, key string) bool {
	_, ok := keptValue(kept, key)
	return ok
}

// keptValue is a property an object's main part keeps, as JSON.
func keptValue(kept []model.Kept, key string) (json.RawMessage, bool) {
	for _, k := range kept {
		if k.Part != model.PartMain {
			continue
		}
		for _, p := range k.Properties {
			if p.Key == key {
				return p.Value, true
			}
		}
	}
	return nil, false
}
