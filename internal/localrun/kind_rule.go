package localrun

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Rules are served by the run's EventBridge (eventbridge.go): each matches
// the events put on its bus (the default one when wired to none) against
// its pattern, and its schedule fires while the run lives, both
// delivering to the functions and queues it is wired to. What it cannot
// deliver (a target of another kind, kept as the template wrote it) is
// named when the run starts.
func init() {
	registerKind(&kindServer{kind: model.KindRule, order: 19, serve: func(st *starting) error {
		b, err := st.bridge()
		if err != nil {
			return err
		}
		b.start()
		return nil
	}})
}
