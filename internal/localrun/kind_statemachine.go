package localrun

import "github.com/switchboard-dev/switchboard/internal/model"

// A local run does not emulate state machines yet: each is named when the run
// starts, with the routes that reach it and the functions it would
// trigger (unserved.go).
func init() {
	registerKind(&kindServer{kind: model.KindStateMachine, order: 42, serve: func(st *starting) error {
		warnUnserved(st, "state machine", nodesOf(st.s.StateMachines, func(x *model.StateMachine) *model.Node { return &x.Node }))
		return nil
	}})
}
