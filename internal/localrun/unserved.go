package localrun

import (
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A local run does not yet emulate queues, topics and state machines, nor
// integrations other than a Lambda proxy. Each is named when the run
// starts, with what that leaves undone, rather than skipped in silence.

// warnUnserved tells the user of the nodes of a kind the run does not
// emulate: what reaches them fails as an integration error, what they
// would trigger never runs.
func warnUnserved(st *starting, noun string, nodes []*model.Node) {
	if len(nodes) == 0 {
		return
	}
	x := model.NewIndex(st.s)
	for _, n := range nodes {
		var routes, triggers []string
		for _, a := range st.s.APIs {
			for _, r := range a.Routes {
				if w := x.RouteTarget(r.ID); w != nil && w.To == n.ID {
					routes = append(routes, a.Name+" "+r.Key)
				}
			}
		}
		for _, w := range x.WiresFrom(n.ID) {
			if f := x.Function(w.To); f != nil {
				triggers = append(triggers, f.Name)
			}
		}
		msg := fmt.Sprintf("warning: %s %s is not emulated in a local run", noun, n.Name)
		if len(routes) > 0 {
			msg += fmt.Sprintf("; route %s answers with an integration error", strings.Join(routes, ", "))
		}
		if len(triggers) > 0 {
			msg += fmt.Sprintf("; it does not trigger %s", strings.Join(triggers, ", "))
		}
		st.progress(msg)
	}
}

// warnIntegrations names the routes whose integration the run does not
// serve as AWS would: MOCK and HTTP ones fail as an integration error, a
// Lambda function without the proxy gets the proxy's event, not its
// request template's.
func warnIntegrations(st *starting) {
	x := model.NewIndex(st.s)
	for _, a := range st.s.APIs {
		for _, r := range a.Routes {
			i := r.Integration
			switch {
			case i == nil:
			case i.Wireless():
				st.progress(fmt.Sprintf("warning: route %s %s is a %s integration, which a local run does not emulate; it answers with an integration error", a.Name, r.Key, i.Type))
			case i.Type == model.IntegrationAWS && x.RouteHandler(r.ID) != nil:
				st.progress(fmt.Sprintf("warning: route %s %s invokes %s without the proxy; a local run sends it the proxy's event, not its request template's", a.Name, r.Key, x.RouteHandler(r.ID).Name))
			}
		}
	}
}

func nodesOf[T any](items []*T, node func(*T) *model.Node) []*model.Node {
	out := make([]*model.Node, 0, len(items))
	for _, it := range items {
		out = append(out, node(it))
	}
	return out
}
