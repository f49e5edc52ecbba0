package importer

// The Framework's websocket events: API, routes, integrations, authorizers, stage.

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// wsEvent is a websocket event as the Framework validates it.
type wsEvent struct {
	fn    string // the function's key
	route string
	rrse  *cfn.Value
	// auth is the authorizer function's key, "" for none.
	auth    string
	sources *cfn.Value
	pos     cfn.Pos
}

// websocketEvents reads the functions' websocket events in the
// Framework's order.
func (c *slsCompile) websocketEvents() ([]wsEvent, error) {
	im := c.im
	var out []wsEvent
	routes := map[string]bool{}
	for _, key := range c.keys {
		for _, ev := range valueList(c.fns[key].Get("events")) {
			if ev.Kind != cfn.Map || len(ev.Keys) != 1 {
				return nil, im.errorAt(ev.Pos, "function %s: each event is a map with one key, such as websocket", key)
			}
			if ev.Keys[0] != "websocket" {
				im.note("function %s: %s events are not imported; Switchboard designs WebSocket APIs, so deploying the export over the stack sls deploy created removes what the Framework made for them", key, ev.Keys[0])
				continue
			}
			w := ev.Items[0]
			e := wsEvent{fn: key, pos: w.Pos}
			if s, ok := w.Str(); ok {
				e.route = s
			} else {
				if w.Kind != cfn.Map {
					return nil, im.errorAt(w.Pos, "a websocket event is a route key or a map with route")
				}
				s, ok := w.Get("route").Str()
				if !ok {
					return nil, im.errorAt(w.Pos, "a websocket event needs a route, such as $connect")
				}
				e.route, e.rrse = s, w.Get("routeResponseSelectionExpression")
				if auth := w.Get("authorizer"); auth != nil {
					if err := c.authorizer(&e, auth); err != nil {
						return nil, err
					}
				}
			}
			if routes[e.route] {
				return nil, im.errorAt(w.Pos, "route %s is defined twice", e.route)
			}
			if !model.ValidLogicalID(frameworkRouteKey(e.route) + "WebsocketsRouteResponse") {
				return nil, im.errorAt(w.Pos, "route %q: the Framework names its resources after the route key, which must hold letters, digits, $, /, -, _ or .", e.route)
			}
			routes[e.route] = true
			out = append(out, e)
		}
	}
	return out, nil
}

// authorizer reads an event's authorizer: a function's name, or {name,
// identitySource}. An authorizer by ARN (a function outside the service)
// is not modelled.
func (c *slsCompile) authorizer(e *wsEvent, auth *cfn.Value) error {
	name, _ := auth.Str()
	e.sources = cfn.Strings(serverlessIdentitySource)
	if auth.Kind == cfn.Map {
		name, _ = auth.Get("name").Str()
		if is := auth.Get("identitySource"); is != nil {
			e.sources = cfn.ListOf(valueList(is)...)
		}
		if auth.Get("arn") != nil {
			name = ""
		}
	}
	if c.fns[name] == nil {
		if strings.Contains(name, ":") || auth.Get("arn") != nil {
			return c.im.errorAt(auth.Pos, "an authorizer given by ARN is a function outside this service, which Switchboard cannot wire; name a function of the service")
		}
		return c.im.errorAt(auth.Pos, "authorizer %q is not a function of this service", name)
	}
	e.auth = name
	return nil
}

// invokeURI is an integration's or authorizer's URI as the Framework
// writes it.
func invokeURI(fnID string) *cfn.Value {
	return cfn.Join("", cfn.Str("arn:"), cfn.Ref("AWS::Partition"), cfn.Str(":apigateway:"), cfn.Ref("AWS::Region"),
		cfn.Str(":lambda:path/2015-03-31/functions/"), cfn.GetAtt(fnID, "Arn"), cfn.Str("/invocations"))
}

// websockets compiles the websocket events (compile/events/websockets):
// the API, per function an integration and invoke permission, per route a
// route (and response for a two-way one), the authorizers, the stage and
// a deployment named after the hash of all those.
func (c *slsCompile) websockets() error {
	events, err := c.websocketEvents()
	if err != nil || len(events) == 0 {
		return err
	}
	p := c.provider
	api := cfn.MapOf("Name", cfn.Str(c.stage+"-"+c.service+"-websockets"))
	if name, ok := p.Get("websocketsApiName").Str(); ok && name != "" {
		api.Set("Name", cfn.Str(name))
	}
	rse := cfn.Str(model.DefaultRouteSelectionExpression)
	if v := p.Get("websocketsApiRouteSelectionExpression"); v != nil {
		rse = v
	}
	description := cfn.Str(serverlessDescription)
	if d := p.Get("websocketsDescription"); d != nil {
		description = d
	}
	api.Set("RouteSelectionExpression", rse)
	api.Set("Description", description)
	api.Set("ProtocolType", cfn.Str("WEBSOCKET"))
	// The part of the template the deployment's ID is the hash of, in the
	// Framework's order (pick-websockets-template-part.js).
	part := &cfn.Value{Kind: cfn.Map}
	put := func(id string, r *cfn.Value) {
		if prev := part.Get(id); prev != nil {
			mergeValues(prev, r)
			return
		}
		part.Set(id, r)
	}
	apiRef := func() *cfn.Value { return cfn.Ref(serverlessAPI) }
	put(serverlessAPI, compiledResource(typeAPI, api))
	for _, e := range events {
		put(frameworkName(e.fn)+"WebsocketsIntegration", compiledResource(typeIntegration, cfn.MapOf(
			"ApiId", apiRef(), "IntegrationType", cfn.Str("AWS_PROXY"), "IntegrationUri", invokeURI(frameworkFunctionID(e.fn)))))
	}
	routeID := func(e wsEvent) string { return frameworkRouteKey(e.route) + "WebsocketsRoute" }
	for _, e := range events {
		if e.rrse != nil {
			put(routeID(e)+"Response", compiledResource(typeRouteResponse, cfn.MapOf(
				"ApiId", apiRef(), "RouteId", cfn.Ref(routeID(e)), "RouteResponseKey", cfn.Str(model.RouteDefault))))
		}
	}
	for _, e := range events {
		if e.auth != "" {
			put(frameworkName(e.auth)+"WebsocketsAuthorizer", compiledResource(typeAuthorizer, cfn.MapOf(
				"ApiId", apiRef(), "Name", cfn.Str(e.auth), "AuthorizerType", cfn.Str("REQUEST"),
				"AuthorizerUri", invokeURI(frameworkFunctionID(e.auth)), "IdentitySource", e.sources)))
		}
	}
	for _, e := range events {
		fnID := frameworkFunctionID(e.fn)
		put(frameworkName(e.fn)+"LambdaPermissionWebsockets", cfn.MapOf("Type", cfn.Str(typePermission),
			"DependsOn", cfn.Strings(serverlessAPI, fnID),
			"Properties", cfn.MapOf("FunctionName", cfn.GetAtt(fnID, "Arn"), "Action", cfn.Str("lambda:InvokeFunction"), "Principal", cfn.Str("apigateway.amazonaws.com"))))
		if e.auth != "" {
			authID := frameworkFunctionID(e.auth)
			put(frameworkName(e.auth)+"LambdaPermissionWebsockets", cfn.MapOf("Type", cfn.Str(typePermission),
				"DependsOn", cfn.Strings(serverlessAPI, authID),
				"Properties", cfn.MapOf("Action", cfn.Str("lambda:InvokeFunction"), "Principal", cfn.Str("apigateway.amazonaws.com"), "FunctionName", cfn.GetAtt(authID, "Arn"))))
		}
	}
	var deployAfter []string
	for _, e := range events {
		route := cfn.MapOf("ApiId", apiRef(), "RouteKey", cfn.Str(e.route), "AuthorizationType", cfn.Str("NONE"),
			"Target", cfn.Join("/", cfn.Str("integrations"), cfn.Ref(frameworkName(e.fn)+"WebsocketsIntegration")))
		if e.rrse != nil {
			route.Set("RouteResponseSelectionExpression", e.rrse)
			deployAfter = append(deployAfter, routeID(e)+"Response")
		}
		if e.auth != "" {
			route.Set("AuthorizationType", cfn.Str("CUSTOM"))
			route.Set("AuthorizerId", cfn.Ref(frameworkName(e.auth)+"WebsocketsAuthorizer"))
		}
		put(routeID(e), compiledResource(typeRoute, route))
		deployAfter = append(deployAfter, routeID(e))
	}
	if p.Path("logs", "websocket") != nil {
		c.im.note("provider.logs.websocket (the stage's access and execution logs) is not imported")
	}
	stage := cfn.MapOf("ApiId", apiRef(), "StageName", cfn.Str(c.stage), "Description", description)
	put(serverlessStageID, compiledResource(typeStage, stage))
	deployment := serverlessDeploymentID + alnum.ReplaceAllString(base64.StdEncoding.EncodeToString(sha256Of(jsStringify(part))), "")
	stage.Set("DeploymentId", cfn.Ref(deployment))
	put(deployment, cfn.MapOf("Type", cfn.Str("AWS::ApiGatewayV2::Deployment"), "DependsOn", cfn.Strings(deployAfter...),
		"Properties", cfn.MapOf("ApiId", apiRef(), "Description", description)))
	for i, id := range part.Keys {
		c.add(id, part.Items[i])
	}
	// Every function of the shared role may post to the connections of
	// any WebSocket API (compile/events/websockets/lib/api.js).
	c.allow(false, cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings(model.SendAction),
		"Resource", cfn.ListOf(cfn.Sub("arn:${AWS::Partition}:execute-api:*:*:*/@connections/*"))))
	c.outputs.Set("ServiceEndpointWebsocket", cfn.MapOf("Description", cfn.Str("URL of the service endpoint"),
		"Value", cfn.Join("", cfn.Str("wss://"), apiRef(), cfn.Str(".execute-api."), cfn.Ref("AWS::Region"), cfn.Str("."), cfn.Ref("AWS::URLSuffix"), cfn.Str("/"+c.stage)),
		"Export", c.export("ServiceEndpointWebsocket")))
	return nil
}

var alnum = regexp.MustCompile(`[^0-9A-Za-z]`)

func sha256Of(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}

// jsStringify writes v as JavaScript's JSON.stringify does, whose output
// the Framework hashes: compact, keys in order, only quotes, backslashes
// and control characters escaped.
func jsStringify(v *cfn.Value) []byte {
	var b []byte
	var write func(v *cfn.Value)
	write = func(v *cfn.Value) {
		switch v.Kind {
		case cfn.Null:
			b = append(b, "null"...)
		case cfn.Bool:
			b = append(b, v.Text...)
		case cfn.Number:
			if f, err := strconv.ParseFloat(v.Text, 64); err == nil {
				b = strconv.AppendFloat(b, f, 'f', -1, 64)
			} else {
				b = append(b, v.Text...)
			}
		case cfn.String:
			b = jsQuote(b, v.Text)
		case cfn.List:
			b = append(b, '[')
			for i, it := range v.Items {
				if i > 0 {
					b = append(b, ',')
				}
				write(it)
			}
			b = append(b, ']')
		case cfn.Map:
			b = append(b, '{')
			for i, k := range v.Keys {
				if i > 0 {
					b = append(b, ',')
				}
				b = jsQuote(b, k)
				b = append(b, ':')
				item := v.Items[i]
				if v.Intrinsic && k == "Fn::GetAtt" && item.Kind == cfn.String {
					res, attr, _ := strings.Cut(item.Text, ".")
					item = cfn.Strings(res, attr)
				}
				write(item)
			}
			b = append(b, '}')
		}
	}
	write(v)
	return b
}

func jsQuote(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, `\"`...)
		case r == '\\':
			b = append(b, `\\`...)
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r < 0x20:
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
