package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// An API's form: name, description, selection expressions, stage, its
// routes' rows and its authorizer.
func init() {
	registerKindForm(model.KindAPI, &kindForm{
		fields: set("name", "description", "routeSelectionExpression", "apiKeySelectionExpression", "stageName",
			"routes", "authorizer", "authorizer.name", "authorizer.identitySources"),
		apply: applyAPI,
	})
}

func applyAPI(p *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	a := st.API(id)
	sent(&a.Name, p.Name)
	sent(&a.Description, p.Description)
	sent(&a.RouteSelectionExpression, p.RouteSelectionExpression)
	sent(&a.APIKeySelectionExpression, p.APIKeySelectionExpression)
	sent(&a.StageName, p.StageName)
	for _, rt := range a.Routes {
		if row, ok := p.Routes[rt.ID]; ok {
			rt.Key, rt.TwoWay, rt.APIKeyRequired, rt.Authorized = row.Key, row.TwoWay, row.APIKeyRequired, row.Authorized
		}
	}
	if au := p.Authorizer; au != nil {
		switch {
		case !au.On:
			a.Authorizer = nil
		case a.Authorizer == nil:
			a.Authorizer = &model.Authorizer{Name: a.Name + "Authorizer", IdentitySources: []string{"route.request.querystring.token"}}
		default:
			sent(&a.Authorizer.Name, au.Name)
			if au.IdentitySources != nil {
				a.Authorizer.IdentitySources = nil
				if len(au.IdentitySources) > 0 {
					a.Authorizer.IdentitySources = au.IdentitySources
				}
			}
		}
	}
}
