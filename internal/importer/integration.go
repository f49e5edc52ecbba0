package importer

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// serviceURI matches the integration URI of an AWS service integration:
// the service and what follows path/ or action/.
var serviceURI = regexp.MustCompile(`^arn:(?:\$\{AWS::Partition\}|[a-z-]+):apigateway:(?:\$\{AWS::Region\}|[a-z0-9-]+):(sqs|sns|states|dynamodb|kinesis|events):(path|action)/(.*)$`)

// routeIntegration recognises a route's integration that is not a Lambda
// proxy: a Lambda function without the proxy, an AWS service integration
// of a queue, topic, state machine or table of the template whose
// credentials role is its own, MOCK, HTTP or HTTP_PROXY. It sets the
// route's Integration and wire and reports whether it recognised it.
func (im *importer) routeIntegration(route *model.Route, rs *routeSource, ir *resource) bool {
	p := ir.props
	typ, _ := p.Get("IntegrationType").Str()
	in := &model.Integration{}
	in.TemplateSelectionExpression, _ = p.Get("TemplateSelectionExpression").Str()
	if n, ok := p.Get("TimeoutInMillis").Int(); ok {
		in.TimeoutMillis = n
	}
	templates, literalTemplates := literalStrings(p.Get("RequestTemplates"))
	switch model.IntegrationType(typ) {
	case model.IntegrationMock:
		in.Type = model.IntegrationMock
		if !literalTemplates {
			return false
		}
		in.RequestTemplates = templates
	case model.IntegrationHTTP, model.IntegrationHTTPProxy:
		in.Type = model.IntegrationType(typ)
		var ok1, ok2 bool
		in.URI, ok1 = p.Get("IntegrationUri").Str()
		in.Method, ok2 = p.Get("IntegrationMethod").Str()
		if !ok1 || !ok2 || !literalTemplates {
			return false
		}
		in.RequestTemplates = templates
	case model.IntegrationAWS:
		if fn := invokedFunction(p.Get("IntegrationUri")); im.funcs[fn] != nil {
			if !literalTemplates {
				return false
			}
			in.Type, in.RequestTemplates = model.IntegrationAWS, templates
			rs.handler = fn
			route.Integration = in
			im.wire(model.WireIntegration, route.ID, im.funcs[fn].ID)
			return true
		}
		kind, node := im.serviceTarget(ir)
		role, att := p.Get("CredentialsArn").GetAttOf()
		if kind == "" || att != "Arn" || !im.isType(role, typeRole) || im.claimed[role] || im.roleUsers(role) != 1 {
			return false
		}
		// Templates written as the export writes them (with Fn::Sub)
		// are the export's to write; literal ones are the route's.
		if literalTemplates {
			in.RequestTemplates = templates
		}
		rs.credRole = im.res[role]
		im.claimed[role] = true
		im.wire(kind, route.ID, node)
	default:
		return false
	}
	if in.Type != "" || len(in.RequestTemplates) > 0 || in.TemplateSelectionExpression != "" || in.TimeoutMillis != 0 {
		route.Integration = in
	}
	return true
}

// serviceTarget finds the wire kind and the node an AWS service
// integration reaches: the service and action in its URI and templates,
// the node named in either.
func (im *importer) serviceTarget(ir *resource) (model.WireKind, string) {
	uri, ok := flatten(ir.props.Get("IntegrationUri"))
	m := serviceURI.FindStringSubmatch(uri)
	if !ok || m == nil {
		return "", ""
	}
	texts := []string{uri}
	if t := ir.props.Get("RequestTemplates"); t != nil {
		for _, v := range t.Items {
			if s, ok := flatten(v); ok {
				texts = append(texts, s)
			} else if s, ok := v.Str(); ok {
				texts = append(texts, s)
			}
		}
	}
	named := func(nodeOf func(string) string) string {
		for _, text := range texts {
			for _, ref := range references(text) {
				if id := nodeOf(ref.id); id != "" {
					return id
				}
			}
		}
		return ""
	}
	var kind model.WireKind
	var node string
	switch service, action := m[1], m[3]; {
	case service == "sqs":
		kind, node = model.WireSendMessage, named(func(id string) string { return im.nodeOfType(id, model.KindQueue) })
	case service == "sns":
		kind, node = model.WirePublish, named(func(id string) string { return im.nodeOfType(id, model.KindTopic) })
	case service == "states" && m[2] == "action" && (action == "StartExecution" || action == "StartSyncExecution"):
		kind = model.WireStartExecution
		if action == "StartSyncExecution" {
			kind = model.WireStartSyncExecution
		}
		node = named(func(id string) string { return im.nodeOfType(id, model.KindStateMachine) })
	case service == "dynamodb" && m[2] == "action" && action == "PutItem":
		kind, node = model.WirePutItem, named(func(id string) string { return im.nodeOfType(id, model.KindTable) })
	case service == "kinesis" && m[2] == "action" && action == "PutRecord":
		kind, node = model.WirePutRecord, named(func(id string) string { return im.nodeOfType(id, model.KindStream) })
	case service == "events" && m[2] == "action" && action == "PutEvents":
		kind, node = model.WirePutEvents, named(func(id string) string { return im.nodeOfType(id, model.KindBus) })
	}
	if node == "" {
		return "", ""
	}
	return kind, node
}

// nodeOfType returns the node ID a source logical ID became, if it became
// a node of the kind.
func (im *importer) nodeOfType(srcID string, kind model.Kind) string {
	for id, src := range im.srcID {
		if src != srcID {
			continue
		}
		if n, ok := im.stack.Node(id); ok && n.Kind == kind {
			return id
		}
	}
	return ""
}

// roleUsers counts the resources whose properties name the role.
func (im *importer) roleUsers(role string) int {
	n := 0
	for _, id := range im.order {
		if id != role && slices.Contains(deepRefs(im.res[id].props), role) {
			n++
		}
	}
	return n
}

// literalStrings returns a map of literal strings, and whether the value is
// one (nil is an empty one).
func literalStrings(v *cfn.Value) (map[string]string, bool) {
	if v == nil {
		return nil, true
	}
	if v.Kind != cfn.Map || !literal(v) {
		return nil, false
	}
	out := make(map[string]string, len(v.Keys))
	for i, k := range v.Keys {
		s, ok := v.Items[i].Str()
		if !ok {
			return nil, false
		}
		out[k] = s
	}
	return out, true
}

// responseModelled are the properties of an integration response the
// model holds (model.IntegrationResponse) or the export derives.
var responseModelled = []string{"ApiId", "IntegrationId", "IntegrationResponseKey", "ResponseTemplates", "TemplateSelectionExpression"}

// integrationResponses recognises the integration responses of a two-way
// route's integration and reports their resources. The export writes them
// as one part (model.PartIntegrationResponse): the first named after the
// route, each other after the first and its key, and what the import keeps
// of the first (a logical ID, a property, an attribute) it writes on every
// one. So a further response is claimed when it is named so and differs
// from the first only in what the model holds.
func (im *importer) integrationResponses(a *model.API, route *model.Route, rs *routeSource) {
	if rs.integration == nil || !route.TwoWay {
		return
	}
	// A proxy passes the response on as it is; the export writes no
	// integration response for one, so a source's stays an Other.
	if t, _ := rs.integration.props.Get("IntegrationType").Str(); t == string(model.IntegrationAWSProxy) || t == string(model.IntegrationHTTPProxy) {
		return
	}
	var candidates []*resource
	for _, r := range im.ofType(typeIntegResponse) {
		if im.claimed[r.id] || r.props.Get("IntegrationId").RefTo() != rs.integration.id {
			continue
		}
		_, ok := r.props.Get("IntegrationResponseKey").Str()
		_, lit := literalStrings(r.props.Get("ResponseTemplates"))
		_, tseOK := r.props.Get("TemplateSelectionExpression").Str()
		if !ok || !lit || r.props.Get("TemplateSelectionExpression") != nil && !tseOK {
			continue
		}
		candidates = append(candidates, r)
	}
	if len(candidates) == 0 {
		return
	}
	// The first is the one named as the export names it, else the first
	// written.
	if i := slices.IndexFunc(candidates, func(r *resource) bool { return r.id == a.IntegrationResponseLogicalID(route) }); i > 0 {
		first := candidates[i]
		candidates = append([]*resource{first}, slices.Delete(candidates, i, i+1)...)
	}
	first := candidates[0]
	keys := map[string]bool{}
	for _, r := range candidates {
		key, _ := r.props.Get("IntegrationResponseKey").Str()
		if r != first && (keys[key] || r.id != first.id+model.RouteLogicalPart(key) || !sameBesides(r, first, responseModelled)) {
			continue
		}
		keys[key] = true
		templates, _ := literalStrings(r.props.Get("ResponseTemplates"))
		tse, _ := r.props.Get("TemplateSelectionExpression").Str()
		if route.Integration == nil {
			route.Integration = &model.Integration{}
		}
		route.Integration.Responses = append(route.Integration.Responses, model.IntegrationResponse{Key: key, Templates: templates, TemplateSelectionExpression: tse})
		rs.responses = append(rs.responses, r)
		im.claimed[r.id] = true
	}
}

// sameBesides reports whether two resources say the same in every
// attribute and every property but the ones named.
func sameBesides(a, b *resource, besides []string) bool {
	if !slices.Equal(a.attrs(), b.attrs()) {
		return false
	}
	for _, k := range a.attrs() {
		if !cfn.Equal(a.v.Get(k), b.v.Get(k)) {
			return false
		}
	}
	others := func(r *resource) []string {
		return slices.DeleteFunc(slices.Clone(r.props.Keys), func(k string) bool { return slices.Contains(besides, k) })
	}
	if !slices.Equal(others(a), others(b)) {
		return false
	}
	for _, k := range others(a) {
		if !cfn.Equal(a.props.Get(k), b.props.Get(k)) {
			return false
		}
	}
	return cfn.Equal(a.props.Get("ApiId"), b.props.Get("ApiId"))
}

// defaultServiceTemplates gives back to the wire the request templates of
// the routes to a service whose source says exactly what the export writes
// for the wire by default: read as the route's own, they would stop
// following the wire (a queue made FIFO, a table's keys). What the export
// writes is asked of the export itself, on a copy of the stack whose
// service routes have no templates; it runs once the kept logical IDs are
// known, as the templates name resources by them.
func (im *importer) defaultServiceTemplates() error {
	probe := im.stack.Clone()
	var routes []*model.Route
	for _, a := range probe.APIs {
		for _, r := range a.Routes {
			w := probe.RouteTarget(r.ID)
			if w == nil || r.Integration == nil || r.Integration.Type != "" {
				continue
			}
			if _, service := model.ServiceActions[w.Kind]; !service || len(r.Integration.RequestTemplates)+len(r.Integration.TemplateSelectionExpression) == 0 {
				continue
			}
			r.Integration.RequestTemplates, r.Integration.TemplateSelectionExpression = nil, ""
			routes = append(routes, r)
		}
	}
	if len(routes) == 0 {
		return nil
	}
	gen, err := export.Resources(probe)
	if err != nil {
		return fmt.Errorf("%s: %w", im.file, err)
	}
	for _, r := range routes {
		src := im.routeSource(r.ID)
		res := gen.Resource(r.ID, model.PartIntegration)
		if src == nil || src.integration == nil || res == nil {
			continue
		}
		written := res.Get("Properties")
		same := true
		for _, key := range []string{"RequestTemplates", "TemplateSelectionExpression"} {
			same = same && cfn.Equal(src.integration.props.Get(key), written.Get(key))
		}
		if !same {
			continue
		}
		_, route := im.stack.Route(r.ID)
		in := route.Integration
		in.RequestTemplates, in.TemplateSelectionExpression = nil, ""
		// A bare $default response is what the export writes for a
		// two-way route with none.
		if len(in.Responses) == 1 && reflect.DeepEqual(in.Responses[0], model.IntegrationResponse{Key: model.RouteDefault}) && model.NeedsIntegrationResponse(route, im.stack.RouteTarget(route.ID)) {
			in.Responses = nil
		}
		if in.TimeoutMillis == 0 && len(in.Responses) == 0 && in.URI == "" && in.Method == "" {
			route.Integration = nil
		}
	}
	return nil
}

// routeSource returns what the route was imported from, or nil.
func (im *importer) routeSource(routeID string) *routeSource {
	for _, src := range im.apiSrc {
		if rs := src.routes[routeID]; rs != nil {
			return rs
		}
	}
	return nil
}
