package importer

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Serverless Framework defaults, used where a serverless.yml is silent:
// they are what the Framework deploys.
const (
	serverlessMemorySize = 1024
	serverlessTimeout    = 6
	serverlessStage      = "dev"
	// serverlessIdentitySource is the Framework's default identity source
	// for a WebSocket authorizer.
	serverlessIdentitySource = "route.request.header.Auth"
	// serverlessAPI is the logical ID the Framework gives the WebSocket API.
	serverlessAPI = "WebsocketsApi"
)

// serverlessKeys are the top-level keys of a serverless.yml the import
// reads; the others (plugins, custom, package…) configure the Framework
// itself and are named in a note.
var serverlessKeys = []string{"service", "provider", "functions", "resources", "frameworkVersion", "configValidationMode"}

// serverless imports a serverless.yml: its functions with their websocket
// events become one WebSocket API, its provider settings the functions'
// defaults, its IAM statements wires (or, what wires cannot say, a policy
// kept as it is), and resources.Resources is read as a template's.
func (im *importer) serverless(root *cfn.Value) error {
	stage := im.resolveVariables(root)
	service := serviceName(root.Get("service"))
	if stackNamePattern.MatchString(service) && len(service) <= model.MaxStackNameLength {
		im.stack.Name = service
	}
	var ignored []string
	for _, k := range root.Keys {
		if !slices.Contains(serverlessKeys, k) {
			ignored = append(ignored, k)
		}
	}
	if len(ignored) > 0 {
		im.note("serverless.yml settings %s configure the Serverless Framework and are not imported", strings.Join(ignored, ", "))
	}
	provider := root.Get("provider")
	if p := provider.Get("name"); p != nil {
		if s, _ := p.Str(); s != "aws" {
			return im.errorAt(p.Pos, "provider %q: Switchboard imports AWS services only", s)
		}
	}
	resources := root.Get("resources")
	if rs := resources.Get("Resources"); rs != nil {
		if rs.Kind != cfn.Map {
			return im.errorAt(rs.Pos, "resources.Resources must be a map of CloudFormation resources")
		}
		if err := im.readResources(rs); err != nil {
			return err
		}
	}
	functions := root.Get("functions")
	if functions != nil && functions.Kind != cfn.Map {
		return im.errorAt(functions.Pos, "functions must be a map of function names to their settings")
	}
	if functions == nil || len(functions.Keys) == 0 {
		return im.errorAt(root.Pos, "the serverless.yml defines no functions")
	}

	// The WebSocket API, if any function has a websocket event.
	// Named and described as the Framework's compiler does
	// (getWebsocketsApiName), so the export updates the API `sls deploy`
	// made rather than renaming it.
	api := &cfn.Value{Kind: cfn.Map}
	if name, ok := provider.Get("websocketsApiName").Str(); ok && name != "" {
		api.Set("Name", cfn.Str(name))
	} else {
		api.Set("Name", cfn.Str(stage+"-"+service+"-websockets"))
	}
	api.Set("ProtocolType", cfn.Str("WEBSOCKET"))
	rse := cfn.Str(model.DefaultRouteSelectionExpression)
	if v := provider.Get("websocketsApiRouteSelectionExpression"); v != nil {
		rse = v
	}
	api.Set("RouteSelectionExpression", rse)
	if d := provider.Get("websocketsDescription"); d != nil {
		api.Set("Description", d)
	} else {
		api.Set("Description", cfn.Str("Serverless Websockets"))
	}
	apiUsed := false
	probe := model.NewAPI("", serverlessAPI)

	names := map[string]string{} // function key → logical ID
	used := map[string]bool{}
	for _, key := range functions.Keys {
		name, id := functionLogicalID(key), frameworkFunctionID(key)
		if name == "" || used[name] || !model.ValidLogicalID(name) {
			return im.errorAt(functions.Get(key).Pos, "function %q: its name must hold letters or digits, and differ from the others' in more than punctuation", key)
		}
		if !model.ValidLogicalID(id) || strings.TrimSuffix(id, frameworkFunctionSuffix) != name {
			// A name the Framework spells otherwise (send-message →
			// SendDashmessage) keeps Switchboard's, so the node and its
			// parts are named alike.
			id = name
		}
		names[key] = id
		used[name] = true
	}
	var fnIDs []string
	var roles []*cfn.Value
	// senders are the functions with websocket events: the Framework lets
	// them post to the API's @connections.
	var senders []string
	for i, key := range functions.Keys {
		if err := im.stopped(); err != nil {
			return err
		}
		fv := functions.Items[i]
		if fv.Kind != cfn.Map {
			return im.errorAt(fv.Pos, "function %s must be a map with a handler", key)
		}
		id, role := names[key], functionLogicalID(key)+"Role"
		props, err := im.serverlessFunction(key, fv, provider)
		if err != nil {
			return err
		}
		props.Set("Role", cfn.GetAtt(role, "Arn"))
		im.addResource(id, typeFunction, props)
		im.addResource(role, typeRole, cfn.MapOf("AssumeRolePolicyDocument", cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", cfn.ListOf(cfn.MapOf(
			"Effect", cfn.Str("Allow"),
			"Principal", cfn.MapOf("Service", cfn.Strings("lambda.amazonaws.com")),
			"Action", cfn.Strings("sts:AssumeRole"))))))
		roles = append(roles, cfn.Ref(role))
		fnIDs = append(fnIDs, id)

		for _, ev := range valueList(fv.Get("events")) {
			if ev.Kind != cfn.Map || len(ev.Keys) != 1 {
				return im.errorAt(ev.Pos, "function %s: each event is a map with one key, such as websocket", key)
			}
			if ev.Keys[0] != "websocket" {
				im.note("function %s: %s events are not imported; Switchboard designs WebSocket APIs", key, ev.Keys[0])
				continue
			}
			if err := im.websocketEvent(ev.Items[0], id, probe, names); err != nil {
				return err
			}
			apiUsed = true
			if !slices.Contains(senders, id) {
				senders = append(senders, id)
			}
		}
	}
	if apiUsed {
		im.addResource(serverlessAPI, typeAPI, api)
		im.addResource("WebsocketsDeploymentStage", typeStage, cfn.MapOf(
			"ApiId", cfn.Ref(serverlessAPI), "StageName", cfn.Str(stage), "AutoDeploy", cfn.Boolean(true)))
	}
	if err := im.serverlessStatements(provider, roles, fnIDs); err != nil {
		return err
	}
	if apiUsed {
		// What the Framework adds to the service's role for websocket
		// events, read for the send wires; the export writes each.
		doc := cfn.MapOf("PolicyDocument", cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", cfn.ListOf(cfn.MapOf(
			"Effect", cfn.Str("Allow"),
			"Action", cfn.Strings(model.SendAction),
			"Resource", cfn.Sub(model.ManageConnectionsARNSub(serverlessAPI, stage))))))
		for _, fn := range senders {
			im.samWired = append(im.samWired, samGrant{fn: fn, docs: []*cfn.Value{doc}})
		}
	}
	im.outputs = resources.Get("Outputs")
	if err := im.importResources(); err != nil {
		return err
	}
	if err := im.serverlessLogRetention(functions, provider, names); err != nil {
		return err
	}
	if st := provider.Get("stackTags"); st != nil {
		im.note("provider.stackTags are tags of the stack itself, which a template cannot hold: give them when deploying (aws cloudformation deploy --tags)")
	}
	var kept []model.Field
	for _, key := range model.SectionOrder {
		if v := resources.Get(key); v != nil && key != "Outputs" {
			kept = append(kept, model.Field{Key: key, Value: v.JSON()})
		} else if v != nil {
			if out := im.keptOutputs(v); out != nil {
				kept = append(kept, model.Field{Key: key, Value: out.JSON()})
			}
		}
	}
	im.stack.Sections = kept
	return nil
}

var stackNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)

// serviceName reads service: name, or the older service: {name: …}.
func serviceName(v *cfn.Value) string {
	if s, ok := v.Str(); ok {
		return s
	}
	s, _ := v.Get("name").Str()
	return s
}

// functionLogicalID names a function's node: send-message → SendMessage,
// connect_handler → ConnectHandler.
func functionLogicalID(key string) string {
	return model.RouteLogicalPart(key)
}

// frameworkFunctionID is the logical ID the Serverless Framework gives a
// function (its naming's getLambdaLogicalId): send-message →
// SendDashmessageLambdaFunction. Keeping it lets the export update the
// function `sls deploy` made rather than replace it.
func frameworkFunctionID(key string) string {
	n := strings.NewReplacer("-", "Dash", "_", "Underscore").Replace(key)
	if n == "" {
		return ""
	}
	return strings.ToUpper(n[:1]) + n[1:] + frameworkFunctionSuffix
}

// frameworkFunctionSuffix ends the Framework's function logical IDs.
const frameworkFunctionSuffix = "LambdaFunction"

// serverlessFunction builds a function's properties from its settings and
// the provider's.
func (im *importer) serverlessFunction(key string, fv, provider *cfn.Value) (*cfn.Value, error) {
	props := &cfn.Value{Kind: cfn.Map, Pos: fv.Pos}
	handler, ok := fv.Get("handler").Str()
	if !ok {
		if fv.Get("image") != nil {
			return nil, im.errorAt(fv.Pos, "function %s runs a container image, which Switchboard does not model", key)
		}
		return nil, im.errorAt(fv.Pos, "function %s has no handler", key)
	}
	// The Framework packages the service folder, the serverless.yml's:
	// handler: src/handlers/connect.handler → code in src/handlers,
	// handler connect.handler; handler: handler.echo → code in the
	// service folder itself.
	dir, file := path.Split(handler)
	props.Set("Handler", cfn.Str(file))
	if dir = strings.TrimSuffix(dir, "/"); dir != "" {
		props.Set("Code", cfn.Str(dir))
	} else {
		props.Set("Code", cfn.Str("."))
	}
	pick := func(k string) *cfn.Value {
		if v := fv.Get(k); v != nil {
			return v
		}
		return provider.Get(k)
	}
	if v := pick("runtime"); v != nil {
		props.Set("Runtime", v)
	}
	mem, timeout := pick("memorySize"), pick("timeout")
	if mem == nil {
		mem = cfn.Int(serverlessMemorySize)
	}
	if timeout == nil {
		timeout = cfn.Int(serverlessTimeout)
	}
	props.Set("MemorySize", mem)
	props.Set("Timeout", timeout)
	if d := fv.Get("description"); d != nil {
		props.Set("Description", d)
	}
	vars := &cfn.Value{Kind: cfn.Map}
	for _, env := range []*cfn.Value{provider.Get("environment"), fv.Get("environment")} {
		if env == nil {
			continue
		}
		if env.Kind != cfn.Map {
			return nil, im.errorAt(env.Pos, "function %s: environment must be a map of names to values", key)
		}
		for i, k := range env.Keys {
			vars.Set(k, env.Items[i])
		}
	}
	if len(vars.Keys) > 0 {
		props.Set("Environment", cfn.MapOf("Variables", vars))
	}
	// The Framework tags each function with the provider's tags and its
	// own, its own winning.
	tags := &cfn.Value{Kind: cfn.Map}
	for _, t := range []*cfn.Value{provider.Get("tags"), fv.Get("tags")} {
		if t == nil {
			continue
		}
		if t.Kind != cfn.Map {
			return nil, im.errorAt(t.Pos, "function %s: tags must be a map of names to values", key)
		}
		for i, k := range t.Keys {
			tags.Set(k, t.Items[i])
		}
	}
	if len(tags.Keys) > 0 {
		list := &cfn.Value{Kind: cfn.List}
		for i, k := range tags.Keys {
			list.Items = append(list.Items, cfn.MapOf("Key", cfn.Str(k), "Value", tags.Items[i]))
		}
		props.Set("Tags", list)
	}
	return props, nil
}

// serverlessLogRetention gives each function the log retention the
// serverless.yml states, its own or the provider's.
func (im *importer) serverlessLogRetention(functions, provider *cfn.Value, names map[string]string) error {
	for i, key := range functions.Keys {
		v := functions.Items[i].Get("logRetentionInDays")
		if v == nil {
			v = provider.Get("logRetentionInDays")
		}
		if v == nil {
			continue
		}
		days, ok := v.Int()
		if !ok || !slices.Contains(model.LogRetentionDays, days) {
			return im.errorAt(v.Pos, "logRetentionInDays must be one of the periods CloudWatch Logs offers, such as 7, 14 or 30")
		}
		if f := im.funcs[names[key]]; f != nil {
			f.LogRetentionDays = days
		}
	}
	return nil
}

// websocketEvent adds a route for a websocket event: the route, its
// integration, a route response for two-way routes and the authorizer.
func (im *importer) websocketEvent(ev *cfn.Value, fnID string, probe *model.API, names map[string]string) error {
	var key string
	var rrse, auth *cfn.Value
	if s, ok := ev.Str(); ok {
		key = s
	} else {
		if ev.Kind != cfn.Map {
			return im.errorAt(ev.Pos, "a websocket event is a route key or a map with route")
		}
		s, ok := ev.Get("route").Str()
		if !ok {
			return im.errorAt(ev.Pos, "a websocket event needs a route, such as $connect")
		}
		key, rrse, auth = s, ev.Get("routeResponseSelectionExpression"), ev.Get("authorizer")
	}
	// The Framework's logical IDs (its naming's getWebsocketsRouteLogicalId
	// and the rest): one integration per function, whatever its routes.
	wsKey := frameworkRouteKey(key)
	routeID, respID := wsKey+"WebsocketsRoute", wsKey+"WebsocketsRouteResponse"
	integID := strings.TrimSuffix(fnID, frameworkFunctionSuffix) + "WebsocketsIntegration"
	if r := (&model.Route{Key: key}); !model.ValidLogicalID(routeID) || im.res[routeID] != nil && im.res[routeID].typ != typeRoute {
		routeID, _, respID, _ = probe.RouteLogicalIDs(r)
	}
	if im.res[routeID] != nil {
		return im.errorAt(ev.Pos, "route %s is defined twice", key)
	}
	route := cfn.MapOf("ApiId", cfn.Ref(serverlessAPI), "RouteKey", cfn.Str(key), "AuthorizationType", cfn.Str("NONE"),
		"Target", cfn.Join("/", cfn.Str("integrations"), cfn.Ref(integID)))
	if rrse != nil {
		route.Set("RouteResponseSelectionExpression", rrse)
		if s, _ := rrse.Str(); s == model.RouteDefault {
			im.addResource(respID, typeRouteResponse, cfn.MapOf("ApiId", cfn.Ref(serverlessAPI),
				"RouteId", cfn.Ref(routeID), "RouteResponseKey", cfn.Str(model.RouteDefault)))
		}
	}
	if auth != nil {
		authID, err := im.websocketAuthorizer(auth, probe, names)
		if err != nil {
			return err
		}
		route.Set("AuthorizationType", cfn.Str("CUSTOM"))
		route.Set("AuthorizerId", cfn.Ref(authID))
	}
	im.addResource(routeID, typeRoute, route)
	if im.res[integID] == nil {
		im.addResource(integID, typeIntegration, cfn.MapOf("ApiId", cfn.Ref(serverlessAPI),
			"IntegrationType", cfn.Str("AWS_PROXY"),
			"IntegrationUri", cfn.Sub(model.InvokeURISub(fnID))))
	}
	return nil
}

// frameworkRouteKey is a route key as the Framework's logical IDs spell it
// (getNormalizedWebsocketsRouteKey): $connect → Sconnect. Like the
// Framework's, each replacement is of the first occurrence only.
func frameworkRouteKey(key string) string {
	for _, r := range [][2]string{{"$", "S"}, {"/", "Slash"}, {"-", "Dash"}, {"_", "Underscore"}, {".", "Period"}} {
		key = strings.Replace(key, r[0], r[1], 1)
	}
	return key
}

// websocketAuthorizer adds the API's authorizer: authorizer: fnName, or
// {name, identitySource}. An authorizer by ARN (a function outside the
// service) is not modelled.
func (im *importer) websocketAuthorizer(auth *cfn.Value, probe *model.API, names map[string]string) (string, error) {
	name, _ := auth.Str()
	sources := cfn.Strings(serverlessIdentitySource)
	if auth.Kind == cfn.Map {
		name, _ = auth.Get("name").Str()
		if is := auth.Get("identitySource"); is != nil {
			sources = cfn.ListOf(valueList(is)...)
		}
		if auth.Get("arn") != nil && name == "" {
			return "", im.errorAt(auth.Pos, "an authorizer given by ARN is a function outside this service, which Switchboard cannot wire; name a function of the service")
		}
	}
	fnID := names[name]
	if fnID == "" {
		return "", im.errorAt(auth.Pos, "authorizer %q is not a function of this service", name)
	}
	id := probe.AuthorizerLogicalID()
	if prev := im.res[id]; prev != nil {
		if invokedFunction(prev.props.Get("AuthorizerUri")) != fnID {
			return "", im.errorAt(auth.Pos, "the WebSocket API has one authorizer; %q is a second", name)
		}
		return id, nil
	}
	im.addResource(id, typeAuthorizer, cfn.MapOf("ApiId", cfn.Ref(serverlessAPI),
		"AuthorizerType", cfn.Str("REQUEST"),
		"AuthorizerUri", cfn.Sub(model.InvokeURISub(fnID)),
		"IdentitySource", sources,
		"Name", cfn.Str(name)))
	return id, nil
}

// serverlessStatements reads provider.iam.role.statements (or the older
// provider.iamRoleStatements), which the Framework gives every function.
// Statements wires say completely become wires; otherwise all of them are
// kept as one policy attached to every function's role.
func (im *importer) serverlessStatements(provider *cfn.Value, roles []*cfn.Value, fns []string) error {
	sts := provider.Path("iam", "role", "statements")
	if sts == nil {
		sts = provider.Get("iamRoleStatements")
	}
	if sts == nil {
		return nil
	}
	if sts.Kind != cfn.List {
		return im.errorAt(sts.Pos, "the IAM role statements must be a list")
	}
	doc := cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", sts)
	isTable := func(id string) bool { return im.isType(id, typeTable) }
	isAPI := func(id string) bool { return id == serverlessAPI }
	complete := true
	for _, st := range statements(doc) {
		_, ok := grants(st, isTable, isAPI)
		complete = complete && ok
	}
	if !complete {
		im.addResource("ServerlessRoleStatements", typePolicy, cfn.MapOf(
			"PolicyName", cfn.Sub("${AWS::StackName}-statements"),
			"PolicyDocument", doc,
			"Roles", cfn.ListOf(roles...)))
		return nil
	}
	for _, fn := range fns {
		im.samWired = append(im.samWired, samGrant{fn: fn, docs: []*cfn.Value{cfn.MapOf("PolicyDocument", doc)}})
	}
	return nil
}
