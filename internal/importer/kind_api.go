package importer

import (
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// apiSource is what an API was imported from.
type apiSource struct {
	r                                 *resource
	stage, authorizer, authorizerPerm *resource
	routes                            map[string]*routeSource // by route ID
	authorizerFn                      string                  // source ID
	routeIDs                          []string                // source IDs of its routes
	authorizerUnrecognised            bool
}

// routeSource is what a route was imported from.
type routeSource struct {
	r                           *resource
	integration, response, perm *resource
	handler                     string // source ID of the handler
	targetRecognised            bool
	// credRole is a service integration's own credentials role,
	// responses the integration responses of a route without a proxy.
	credRole  *resource
	responses []*resource
}

const apiGatewayPrincipal = "apigateway.amazonaws.com"

// APIs come last: their routes and authorizers name functions.
func init() {
	registerKind(&recogniser{kind: model.KindAPI, mainType: typeAPI, order: 30, recognise: (*importer).importAPIs})
}

// importAPIs turns each WebSocket AWS::ApiGatewayV2::Api into an API, with
// its authorizer, stage, routes and their integrations, route responses and
// permissions, and the integration and authorizer wires. HTTP APIs stay as
// they are.
func (im *importer) importAPIs() error {
	srcs := map[string]*apiSource{}
	var order []*model.API
	for _, r := range im.ofType(typeAPI) {
		if pt, _ := r.props.Get("ProtocolType").Str(); pt != "WEBSOCKET" {
			continue
		}
		a := model.NewAPI(im.id("api"), im.nodeName[r.id])
		im.apis[r.id] = a
		im.srcID[a.ID] = r.id
		im.claimed[r.id] = true
		if s, ok := r.props.Get("RouteSelectionExpression").Str(); ok {
			a.RouteSelectionExpression = s
		}
		if s, ok := r.props.Get("ApiKeySelectionExpression").Str(); ok {
			a.APIKeySelectionExpression = s
		}
		if s, ok := r.props.Get("Description").Str(); ok {
			a.Description = s
		}
		srcs[a.ID] = &apiSource{r: r, routes: map[string]*routeSource{}}
		order = append(order, a)
		im.stack.APIs = append(im.stack.APIs, a)
	}
	apiOf := func(r *resource) *model.API { return im.apis[r.props.Get("ApiId").RefTo()] }

	for _, r := range im.ofType(typeAuthorizer) {
		a := apiOf(r)
		if a == nil || a.Authorizer != nil {
			continue
		}
		typ, _ := r.props.Get("AuthorizerType").Str()
		fn := invokedFunction(r.props.Get("AuthorizerUri"))
		if typ != "REQUEST" || im.funcs[fn] == nil {
			continue
		}
		name, _ := r.props.Get("Name").Str()
		a.Authorizer = &model.Authorizer{Name: name, IdentitySources: stringList(r.props.Get("IdentitySource"))}
		src := srcs[a.ID]
		src.authorizer, src.authorizerFn = r, fn
		im.claimed[r.id] = true
		im.wire(model.WireAuthorizer, im.funcs[fn].ID, a.ID)
	}
	for _, r := range im.ofType(typeStage) {
		a := apiOf(r)
		if a == nil || srcs[a.ID].stage != nil {
			continue
		}
		if s, ok := r.props.Get("StageName").Str(); ok {
			a.StageName = s
		}
		srcs[a.ID].stage = r
		im.claimed[r.id] = true
	}
	for _, a := range order {
		src := srcs[a.ID]
		resetInvalid(&model.Stack{APIs: []*model.API{a}}, a.ID, func(field string) {
			switch {
			case field == "routeSelectionExpression":
				a.RouteSelectionExpression = model.DefaultRouteSelectionExpression
			case field == "apiKeySelectionExpression":
				a.APIKeySelectionExpression = ""
			case field == "description":
				a.Description = ""
			case field == "stageName":
				a.StageName = model.DefaultStageName
			case strings.HasPrefix(field, "authorizer"):
				src.authorizerUnrecognised = true
			}
		})
		if src.authorizerUnrecognised {
			// An authorizer the model cannot hold stays as it is written.
			im.note("API %s: authorizer %s has settings Switchboard does not offer; it is kept as it is", a.Name, src.authorizer.id)
			fn := im.funcs[src.authorizerFn]
			im.stack.Wires = slices.DeleteFunc(im.stack.Wires, func(w *model.Wire) bool {
				return w.Kind == model.WireAuthorizer && w.From == fn.ID && w.To == a.ID
			})
			im.claimed[src.authorizer.id] = false
			a.Authorizer, src.authorizer, src.authorizerFn = nil, nil, ""
		}
	}

	responses := map[string]*resource{} // by route logical ID
	for _, r := range im.ofType(typeRouteResponse) {
		key, _ := r.props.Get("RouteResponseKey").Str()
		if route := r.props.Get("RouteId").RefTo(); route != "" && key == model.RouteDefault && responses[route] == nil {
			responses[route] = r
		}
	}
	for _, r := range im.ofType(typeRoute) {
		if err := im.stopped(); err != nil {
			return err
		}
		a := apiOf(r)
		if a == nil {
			continue
		}
		key, ok := r.props.Get("RouteKey").Str()
		if !ok {
			at := r.Pos
			if k := r.props.Get("RouteKey"); k != nil {
				at = k.Pos
			}
			return im.errorAt(at, "route %s: RouteKey must be a string such as $connect", r.id)
		}
		route := &model.Route{ID: im.id("rt"), Key: key}
		im.srcID[route.ID] = r.id
		rs := &routeSource{r: r}
		im.claimed[r.id] = true
		if t := r.props.Get("Target"); t != nil {
			integ, ok := routeTarget(t)
			if ok && im.res[integ] == nil {
				return im.errorAt(t.Pos, "route %s targets integration %s, which the template does not define", r.id, integ)
			}
			if ir := im.res[integ]; ok && ir.typ == typeIntegration && ir.props.Get("ApiId").RefTo() == im.srcID[a.ID] {
				typ, _ := ir.props.Get("IntegrationType").Str()
				fn := invokedFunction(ir.props.Get("IntegrationUri"))
				if typ == "AWS_PROXY" && im.funcs[fn] != nil {
					rs.handler, rs.targetRecognised = fn, true
					im.wire(model.WireIntegration, route.ID, im.funcs[fn].ID)
					if !im.claimed[integ] {
						rs.integration = ir
						im.claimed[integ] = true
					}
				} else if !im.claimed[integ] && im.routeIntegration(route, rs, ir) {
					rs.targetRecognised, rs.integration = true, ir
					im.claimed[integ] = true
				}
			}
		}
		if rr := responses[r.id]; rr != nil && rr.props.Get("ApiId").RefTo() == im.srcID[a.ID] {
			route.TwoWay = true
			rs.response = rr
			im.claimed[rr.id] = true
		}
		im.integrationResponses(a, route, rs)
		if b, ok := r.props.Get("ApiKeyRequired").Bool(); ok {
			route.APIKeyRequired = b
		}
		src := srcs[a.ID]
		if at, _ := r.props.Get("AuthorizationType").Str(); at == "CUSTOM" && src.authorizer != nil &&
			r.props.Get("AuthorizerId").RefTo() == src.authorizer.id && key == model.RouteConnect && !src.authorizerUnrecognised {
			route.Authorized = true
		}
		a.Routes = append(a.Routes, route)
		src.routes[route.ID] = rs
		src.routeIDs = append(src.routeIDs, r.id)
	}
	im.assignPermissions(order, srcs)
	im.apiSrc = srcs
	return nil
}

// assignPermissions gives each route and authorizer the
// AWS::Lambda::Permission that lets API Gateway invoke its function: first
// those whose SourceArn names the route, then broader ones (a whole API, or
// none at all as the Serverless Framework writes) to the routes left.
func (im *importer) assignPermissions(apis []*model.API, srcs map[string]*apiSource) {
	type perm struct {
		r    *resource
		fn   string
		api  string // source ID, "" when SourceArn names none
		text string
	}
	var perms []perm
	for _, r := range im.ofType(typePermission) {
		fn := functionRef(r.props.Get("FunctionName"))
		principal, _ := r.props.Get("Principal").Str()
		action, _ := r.props.Get("Action").Str()
		if im.funcs[fn] == nil || principal != apiGatewayPrincipal || action != "lambda:InvokeFunction" {
			continue
		}
		p := perm{r: r, fn: fn}
		if sa := r.props.Get("SourceArn"); sa != nil {
			text, ok := flatten(sa)
			if !ok {
				continue
			}
			for _, ref := range references(text) {
				if im.apis[ref.id] != nil && ref.att == "" {
					p.api = ref.id
				}
			}
			if p.api == "" {
				continue
			}
			p.text = text[strings.Index(text, "${"+p.api+"}")+len(p.api)+3:]
		}
		perms = append(perms, p)
	}
	taken := map[string]bool{}
	for pass := range 2 {
		for _, a := range apis {
			src := srcs[a.ID]
			apiSrc := im.srcID[a.ID]
			for _, p := range perms {
				if taken[p.r.id] || p.api != "" && p.api != apiSrc {
					continue
				}
				specific := p.text != "" && p.text != "/*" && p.text != "/*/*"
				if pass == 0 && !specific || pass == 1 && specific {
					continue
				}
				if strings.Contains(p.text, "/authorizers/") || pass == 1 && src.authorizerFn == p.fn && src.authorizerPerm == nil && !handlesAny(src, p.fn) {
					if src.authorizerFn == p.fn && src.authorizerPerm == nil {
						src.authorizerPerm = p.r
						taken[p.r.id] = true
					}
					continue
				}
				for _, route := range a.Routes {
					rs := src.routes[route.ID]
					if rs.perm != nil || rs.handler != p.fn {
						continue
					}
					if pass == 0 && !strings.HasSuffix(p.text, "/"+route.Key) && !strings.HasSuffix(p.text, "*"+route.Key) {
						continue
					}
					rs.perm = p.r
					taken[p.r.id] = true
					break
				}
			}
		}
	}
	for id := range taken {
		im.claimed[id] = true
	}
}

func handlesAny(src *apiSource, fn string) bool {
	for _, rs := range src.routes {
		if rs.handler == fn {
			return true
		}
	}
	return false
}

// keepAPI works out what an API and its routes keep.
func (im *importer) keepAPI(a *model.API, src *apiSource) {
	kept := keep(nil, model.PartMain, src.r, im.part(a.ID, model.PartMain, a.Name))
	if src.authorizer != nil {
		ag := im.part(a.ID, model.PartAuthorizer, a.AuthorizerLogicalID()).consume("AuthorizerUri")
		kept = keep(kept, model.PartAuthorizer, src.authorizer, ag)
	}
	if src.authorizerPerm != nil {
		pg := permission(im.part(a.ID, model.PartAuthorizerPermission, a.AuthorizerPermissionLogicalID()), src.authorizerPerm, src.authorizerFn)
		kept = keep(kept, model.PartAuthorizerPermission, src.authorizerPerm, pg)
	} else if src.authorizer != nil {
		kept = im.absent(kept, a.ID, model.PartAuthorizerPermission)
	}
	if src.stage != nil {
		// The export makes the stage depend on every route; a source that
		// names some of them says nothing more.
		sg := im.part(a.ID, model.PartStage, a.StageLogicalID()).compareWith("DependsOn", func(src, gen *cfn.Value) bool {
			deps, all := stringList(src), stringList(gen)
			for _, d := range deps {
				if !slices.Contains(all, d) {
					return false
				}
			}
			return len(deps) > 0
		})
		kept = keep(kept, model.PartStage, src.stage, sg)
	} else {
		kept = im.absent(kept, a.ID, model.PartStage)
	}
	sortKept(kept, model.PartMain, model.PartStage, model.PartAuthorizer, model.PartAuthorizerPermission)
	a.Kept = kept

	for _, route := range a.Routes {
		rs := src.routes[route.ID]
		routeID, integID, respID, permID := a.RouteLogicalIDs(route)
		rg := im.part(route.ID, model.PartRoute, routeID)
		if rs.targetRecognised {
			rg.consume("Target")
		}
		if at, _ := rs.r.props.Get("AuthorizationType").Str(); !route.Authorized && at == "NONE" {
			rg.consume("AuthorizationType")
		}
		if b, ok := rs.r.props.Get("ApiKeyRequired").Bool(); !route.APIKeyRequired && ok && !b {
			rg.consume("ApiKeyRequired")
		}
		rk := keep(nil, model.PartRoute, rs.r, rg)
		if rs.integration != nil {
			ig := im.part(route.ID, model.PartIntegration, integID).consume("IntegrationUri")
			rk = keep(rk, model.PartIntegration, rs.integration, ig)
		} else if rs.targetRecognised {
			// The route shares another route's integration: its Target
			// names that one (as written), and it has none of its own.
			rk = im.absent(rk, route.ID, model.PartIntegration)
		}
		if rs.credRole != nil {
			rk = keep(rk, model.PartIntegrationRole, rs.credRole, im.part(route.ID, model.PartIntegrationRole, a.IntegrationRoleLogicalID(route)))
		}
		// The first response says what is kept of them all (integrationResponses).
		if len(rs.responses) > 0 {
			rk = keep(rk, model.PartIntegrationResponse, rs.responses[0], im.part(route.ID, model.PartIntegrationResponse, a.IntegrationResponseLogicalID(route)))
		}
		if len(rs.responses) == 0 && rs.integration != nil {
			rk = im.absent(rk, route.ID, model.PartIntegrationResponse)
		}
		if rs.response != nil {
			rk = keep(rk, model.PartRouteResponse, rs.response, im.part(route.ID, model.PartRouteResponse, respID))
		}
		if rs.perm != nil {
			rk = keep(rk, model.PartPermission, rs.perm, permission(im.part(route.ID, model.PartPermission, permID), rs.perm, rs.handler))
		} else {
			rk = im.absent(rk, route.ID, model.PartPermission)
		}
		sortKept(rk, model.PartRoute, model.PartIntegrationRole, model.PartIntegration, model.PartIntegrationResponse, model.PartRouteResponse, model.PartPermission)
		route.Kept = rk
	}
}

// permission compares a source AWS::Lambda::Permission with the one the
// export writes: a FunctionName that names the function by other means
// (a Ref, its name) says the same.
func permission(g *generated, r *resource, fn string) *generated {
	if functionRef(r.props.Get("FunctionName")) == fn {
		g.consume("FunctionName")
	}
	return g
}
