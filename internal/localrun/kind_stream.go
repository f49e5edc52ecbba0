package localrun

import "github.com/switchboard-dev/switchboard/internal/model"

// A local run does not emulate Kinesis streams: each stream is named when the run
// starts, with the routes that reach it and the functions it would
// trigger (unserved.go).
func init() {
	registerKind(&kindServer{kind: model.KindStream, order: 46, serve: func(st *starting) error {
		warnUnserved(st, "stream", nodesOf(st.s.Streams, func(x *model.Stream) *model.Node { return &x.Node }))
		return nil
	}})
}
