package localrun

import "github.com/switchboard-dev/switchboard/internal/model"

// Topics are served in process: a route's Publish invokes each function
// subscribed to the topic asynchronously with SNS's event (services.go,
// events.go). A topic has nothing to start.
func init() {
	registerKind(&kindServer{kind: model.KindTopic, order: 16, serve: func(st *starting) error {
		if len(st.s.Topics) == 0 {
			return nil
		}
		_, err := st.services()
		return err
	}})
}
