package localrun

import "github.com/switchboard-dev/switchboard/internal/model"

// A local run does not emulate topics yet: each is named when the run
// starts, with the routes that reach it and the functions it would
// trigger (unserved.go).
func init() {
	registerKind(&kindServer{kind: model.KindTopic, order: 41, serve: func(st *starting) error {
		warnUnserved(st, "topic", nodesOf(st.s.Topics, func(x *model.Topic) *model.Node { return &x.Node }))
		return nil
	}})
}
