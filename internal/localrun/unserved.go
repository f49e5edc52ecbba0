package localrun

import (
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// What a local run does not emulate is named when the run starts, with
// what that leaves undone, rather than skipped in silence: MOCK, HTTP and
// PutItem integrations, templates it cannot render; and, through
// warnUnserved, kinds it cannot serve.

// warnUnserved tells the user of the nodes of a kind the run does not
// emulate: what reaches them fails as an integration error, what they
// would trigger never runs.
//
//lint:ignore U1000 the seam for kinds not yet served (buckets and streams report through it).
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
// serve as AWS would: MOCK, HTTP and PutItem ones, and templates it cannot
// render, fail as an integration error.
func warnIntegrations(st *starting) {
	x := model.NewIndex(st.s)
	for _, a := range st.s.APIs {
		for _, r := range a.Routes {
			i := r.Integration
			switch {
			case i == nil:
			case i.Wireless():
				st.progress(fmt.Sprintf("warning: route %s %s is a %s integration, which a local run does not emulate; it answers with an integration error", a.Name, r.Key, i.Type))
			}
			w := x.RouteTarget(r.ID)
			if w == nil || !model.RouteWire(w.Kind) || w.Kind == model.WireIntegration && i.Proxy() {
				continue
			}
			if w.Kind != model.WireIntegration && !servedService(w.Kind) {
				st.progress(fmt.Sprintf("warning: route %s %s is a %s integration, which a local run does not emulate; it answers with an integration error", a.Name, r.Key, model.ServiceActions[w.Kind].IAMAction()))
				continue
			}
			for _, t := range templatesOf(i) {
				if why := templateProblem(t); why != "" {
					st.progress(fmt.Sprintf("warning: route %s %s: %s; it answers with an integration error", a.Name, r.Key, why))
					break
				}
			}
		}
	}
}

func templatesOf(i *model.Integration) []string {
	if i == nil {
		return nil
	}
	var out []string
	for _, t := range i.RequestTemplates {
		out = append(out, t)
	}
	for _, r := range i.Responses {
		for _, t := range r.Templates {
			out = append(out, t)
		}
	}
	return out
}

//lint:ignore U1000 used with warnUnserved by kinds not yet served.
func nodesOf[T any](items []*T, node func(*T) *model.Node) []*model.Node {
	out := make([]*model.Node, 0, len(items))
	for _, it := range items {
		out = append(out, node(it))
	}
	return out
}
