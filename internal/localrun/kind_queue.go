package localrun

import "github.com/switchboard-dev/switchboard/internal/model"

// A local run does not emulate queues yet: each is named when the run
// starts, with the routes that reach it and the functions it would
// trigger (unserved.go).
func init() {
	registerKind(&kindServer{kind: model.KindQueue, order: 40, serve: func(st *starting) error {
		warnUnserved(st, "queue", nodesOf(st.s.Queues, func(x *model.Queue) *model.Node { return &x.Node }))
		return nil
	}})
}
