package server

import (
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// An API's form: name, description, selection expressions, stage, its
// routes' rows and its authorizer.
func init() {
	registerKindForm(model.KindAPI, &kindForm{
		fields: set("name", "description", "routeSelectionExpression", "apiKeySelectionExpression", "stageName",
			"routes", "authorizer", "authorizer.name", "authorizer.identitySources"),
		read: readAPIFields,
	})
}

// apiFields is an API's part of the properties form.
type apiFields struct {
	RouteSelectionExpression, APIKeySelectionExpression, StageName *string
	// Routes are the route rows sent, by route ID.
	Routes map[string]routeFields
	// Authorizer is nil when the form had no authorizer part.
	Authorizer *authorizerFields
}

// routeFields is one route's row of an API's form.
type routeFields struct {
	Key                                string
	TwoWay, APIKeyRequired, Authorized bool
	// Integration, Method and URI are a route wired to nothing's
	// integration (MOCK, HTTP); nil when the row did not send them.
	Integration, Method, URI *string
}

// authorizerFields is the authorizer part of an API's form.
type authorizerFields struct {
	On              bool
	Name            *string
	IdentitySources []string // nil: not sent
}

func readAPIFields(v formValues, _ map[string]string) kindFields {
	a := &apiFields{
		RouteSelectionExpression:  v.str("routeSelectionExpression"),
		APIKeySelectionExpression: v.str("apiKeySelectionExpression"),
		StageName:                 v.str("stageName"),
	}
	for name := range v {
		rest, isRoute := strings.CutPrefix(name, "route.")
		id, isKey := strings.CutSuffix(rest, ".key")
		if !isRoute || !isKey || id == "" {
			continue
		}
		if a.Routes == nil {
			a.Routes = map[string]routeFields{}
		}
		prefix := "route." + id + "."
		a.Routes[id] = routeFields{Key: *v.str(prefix + "key"), TwoWay: v.checked(prefix + "twoWay"),
			APIKeyRequired: v.checked(prefix + "apiKeyRequired"), Authorized: v.checked(prefix + "authorized"),
			Integration: v.str(prefix + "integration"), Method: v.str(prefix + "method"), URI: v.str(prefix + "uri")}
	}
	if _, sent := v["authorizerForm"]; sent {
		a.Authorizer = &authorizerFields{On: v.checked("authorizer"), Name: v.str("authorizer.name")}
		if s := v.str("authorizer.identitySources"); s != nil {
			a.Authorizer.IdentitySources = lines(*s)
			if a.Authorizer.IdentitySources == nil {
				a.Authorizer.IdentitySources = []string{}
			}
		}
	}
	return a
}

func (p *apiFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	a := st.API(id)
	sent(&a.Name, common.Name)
	sent(&a.Description, common.Description)
	sent(&a.RouteSelectionExpression, p.RouteSelectionExpression)
	sent(&a.APIKeySelectionExpression, p.APIKeySelectionExpression)
	sent(&a.StageName, p.StageName)
	for _, rt := range a.Routes {
		if row, ok := p.Routes[rt.ID]; ok {
			rt.Key, rt.TwoWay, rt.APIKeyRequired, rt.Authorized = row.Key, row.TwoWay, row.APIKeyRequired, row.Authorized
			row.applyIntegration(rt)
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

// applyIntegration sets a route's integration that needs no wire, or
// clears it back to the wire's; templates and responses it had stay.
func (row routeFields) applyIntegration(rt *model.Route) {
	if row.Integration == nil {
		return
	}
	typ := model.IntegrationType(*row.Integration)
	if typ == "" {
		if rt.Integration.Wireless() {
			rt.Integration = nil
		}
		return
	}
	in := model.Integration{}
	if rt.Integration != nil {
		in = *rt.Integration
	}
	in.Type = typ
	if typ == model.IntegrationMock {
		in.URI, in.Method = "", ""
	} else {
		sent(&in.URI, row.URI)
		sent(&in.Method, row.Method)
		if in.Method == "" {
			in.Method = "POST"
		}
	}
	rt.Integration = &in
}
