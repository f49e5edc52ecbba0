package localrun

import "github.com/switchboard-dev/switchboard/internal/model"

// A local run does not emulate EventBridge rules: each rule is named when the run
// starts, with the routes that reach it and the functions it would
// trigger (unserved.go).
func init() {
	registerKind(&kindServer{kind: model.KindRule, order: 44, serve: func(st *starting) error {
		warnUnserved(st, "rule", nodesOf(st.s.Rules, func(x *model.Rule) *model.Node { return &x.Node }))
		return nil
	}})
}
