package localrun

import "github.com/switchboard-dev/switchboard/internal/model"

// A local run does not emulate EventBridge buses: each bus is named when the run
// starts, with the routes that reach it and the functions it would
// trigger (unserved.go).
func init() {
	registerKind(&kindServer{kind: model.KindBus, order: 43, serve: func(st *starting) error {
		warnUnserved(st, "bus", nodesOf(st.s.Buses, func(x *model.Bus) *model.Node { return &x.Node }))
		return nil
	}})
}
