package localrun

import "github.com/switchboard-dev/switchboard/internal/model"

// A local run does not emulate S3 buckets: each bucket is named when the run
// starts, with the routes that reach it and the functions it would
// trigger (unserved.go).
func init() {
	registerKind(&kindServer{kind: model.KindBucket, order: 45, serve: func(st *starting) error {
		warnUnserved(st, "bucket", nodesOf(st.s.Buckets, func(x *model.Bucket) *model.Node { return &x.Node }))
		return nil
	}})
}
