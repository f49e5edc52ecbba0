package localrun

import (
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A local run does not emulate usage plans: a route that requires an API
// key accepts any key sent (none is refused, as API Gateway does), and
// nothing is throttled or counted. Each plan is named when the run starts.
func init() {
	registerKind(&kindServer{kind: model.KindUsagePlan, order: 43, serve: func(st *starting) error {
		x := model.NewIndex(st.s)
		for _, p := range st.s.UsagePlans {
			var apis []string
			for _, w := range x.WiresFromOfKind(p.ID, model.WireUsagePlan) {
				if a := x.API(w.To); a != nil {
					apis = append(apis, a.Name)
				}
			}
			msg := fmt.Sprintf("warning: usage plan %s is not emulated in a local run: its keys, throttle and quota are not checked", p.Name)
			if len(apis) > 0 {
				msg += fmt.Sprintf("; routes of %s that require an API key accept any key sent", strings.Join(apis, ", "))
			}
			st.progress(msg)
		}
		return nil
	}})
}
