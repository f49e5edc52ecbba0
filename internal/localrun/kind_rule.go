package localrun

import (
	"fmt"
	"strings"

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
		if len(b.rules) > 0 {
			st.progress("rules: " + ruleSummary(b.rules))
		}
		return nil
	}})
}

// ruleSummary says where each rule listens: "OnOrder on svc-Orders,
// Nightly on cron(0 2 * * ? *) (disabled)".
func ruleSummary(rules []*localRule) string {
	parts := make([]string, 0, len(rules))
	for _, lr := range rules {
		var on []string
		if lr.rule.EventPattern != "" {
			on = append(on, lr.bus.name)
		}
		if lr.rule.Schedule != "" {
			on = append(on, lr.rule.Schedule)
		}
		part := fmt.Sprintf("%s on %s", lr.rule.Name, strings.Join(on, " and "))
		if lr.rule.Disabled {
			part += " (disabled)"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}
