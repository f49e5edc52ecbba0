package web

import (
	"encoding/json"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// ProblemRoute is the route a problem is about, "" when it is about
// something else: the problems tab marks that route's row on the canvas.
func (v ProblemsView) ProblemRoute(p model.Problem) string {
	if a, r := v.Stack.Route(p.Resource); a != nil && r != nil {
		return r.ID
	}
	return ""
}

// ProblemField is the id of the panel's form control a problem is about,
// which the problems tab focuses once the panel shows: a route's key for a
// route, else the field the problem names ("" for none). The control may
// not exist (a field the panel does not show); the script then focuses
// nothing.
func (v ProblemsView) ProblemField(p model.Problem) string {
	if r := v.ProblemRoute(p); r != "" {
		return "f-route-" + r
	}
	if p.Field == "" || p.Resource == "" {
		return ""
	}
	if _, ok := v.Stack.Node(p.Resource); !ok {
		return ""
	}
	return "f-" + p.Field
}

// codeMoveVals is a code move as the yes button posts it (hx-vals JSON).
func codeMoveVals(m *CodeMove) string {
	b, _ := json.Marshal(map[string]string{"from": m.From, "to": m.To})
	return string(b)
}
