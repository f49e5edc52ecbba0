package importer

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/model"
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
func (im *importer) serverless(root *value) error {
	im.resolveVariables(root)
	service := serviceName(root.get("service"))
	if stackNamePattern.MatchString(service) && len(service) <= model.MaxStackNameLength {
		im.stack.Name = service
	}
	var ignored []string
	for _, k := range root.keys {
		if !slices.Contains(serverlessKeys, k) {
			ignored = append(ignored, k)
		}
	}
	if len(ignored) > 0 {
		im.note("serverless.yml settings %s configure the Serverless Framework and are not imported", strings.Join(ignored, ", "))
	}
	provider := root.get("provider")
	if p := provider.get("name"); p != nil {
		if s, _ := p.str(); s != "aws" {
			return im.errorAt(p.pos, "provider %q: Switchboard imports AWS services only", s)
		}
	}
	resources := root.get("resources")
	if rs := resources.get("Resources"); rs != nil {
		if rs.kind != kindMap {
			return im.errorAt(rs.pos, "resources.Resources must be a map of CloudFormation resources")
		}
		if err := im.readResources(rs); err != nil {
			return err
		}
	}
	functions := root.get("functions")
	if functions != nil && functions.kind != kindMap {
		return im.errorAt(functions.pos, "functions must be a map of function names to their settings")
	}
	if functions == nil || len(functions.keys) == 0 {
		return im.errorAt(root.pos, "the serverless.yml defines no functions")
	}
	stage := serverlessStage
	if s, ok := provider.get("stage").str(); ok && !strings.Contains(s, "${") {
		stage = s
	}

	// The WebSocket API, if any function has a websocket event.
	api := &value{kind: kindMap}
	api.set("Name", subValue("${AWS::StackName}-"+serverlessAPI))
	api.set("ProtocolType", strValue("WEBSOCKET"))
	rse := strValue(model.DefaultRouteSelectionExpression)
	if v := provider.get("websocketsApiRouteSelectionExpression"); v != nil {
		rse = v
	}
	api.set("RouteSelectionExpression", rse)
	if d := provider.get("websocketsDescription"); d != nil {
		api.set("Description", d)
	}
	apiUsed := false
	probe := model.NewAPI("", serverlessAPI)

	names := map[string]string{} // function key → logical ID
	used := map[string]bool{}
	for _, key := range functions.keys {
		id := functionLogicalID(key)
		if id == "" || used[id] || !model.ValidLogicalID(id) {
			return im.errorAt(functions.get(key).pos, "function %q: its name must hold letters or digits, and differ from the others' in more than punctuation", key)
		}
		names[key] = id
		used[id] = true
	}
	var roles []*value
	for i, key := range functions.keys {
		if err := im.stopped(); err != nil {
			return err
		}
		fv := functions.vals[i]
		if fv.kind != kindMap {
			return im.errorAt(fv.pos, "function %s must be a map with a handler", key)
		}
		id := names[key]
		props, err := im.serverlessFunction(key, fv, provider)
		if err != nil {
			return err
		}
		props.set("Role", getAttValue(id+"Role", "Arn"))
		im.addResource(id, typeFunction, props)
		im.addResource(id+"Role", typeRole, mapValue("AssumeRolePolicyDocument", mapValue("Version", strValue("2012-10-17"), "Statement", listValue(mapValue(
			"Effect", strValue("Allow"),
			"Principal", mapValue("Service", strList("lambda.amazonaws.com")),
			"Action", strList("sts:AssumeRole"))))))
		roles = append(roles, refValue(id+"Role"))

		for _, ev := range valueList(fv.get("events")) {
			if ev.kind != kindMap || len(ev.keys) != 1 {
				return im.errorAt(ev.pos, "function %s: each event is a map with one key, such as websocket", key)
			}
			if ev.keys[0] != "websocket" {
				im.note("function %s: %s events are not imported; Switchboard designs WebSocket APIs", key, ev.keys[0])
				continue
			}
			if err := im.websocketEvent(ev.vals[0], id, probe, names); err != nil {
				return err
			}
			apiUsed = true
		}
	}
	if apiUsed {
		im.addResource(serverlessAPI, typeAPI, api)
		im.addResource(probe.StageLogicalID(), typeStage, mapValue(
			"ApiId", refValue(serverlessAPI), "StageName", strValue(stage), "AutoDeploy", boolValue(true)))
	}
	if err := im.serverlessStatements(provider, roles); err != nil {
		return err
	}
	if err := im.importResources(); err != nil {
		return err
	}
	var kept []model.Field
	for _, key := range model.SectionOrder {
		if v := resources.get(key); v != nil && key != "Outputs" {
			kept = append(kept, model.Field{Key: key, Value: v.json()})
		} else if v != nil {
			if out := im.keptOutputs(v); out != nil {
				kept = append(kept, model.Field{Key: key, Value: out.json()})
			}
		}
	}
	im.stack.Sections = kept
	return nil
}

var stackNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)

// serviceName reads service: name, or the older service: {name: …}.
func serviceName(v *value) string {
	if s, ok := v.str(); ok {
		return s
	}
	s, _ := v.get("name").str()
	return s
}

// functionLogicalID names a function as a logical ID: send-message →
// SendMessage, connect_handler → ConnectHandler.
func functionLogicalID(key string) string {
	return model.RouteLogicalPart(key)
}

// serverlessFunction builds a function's properties from its settings and
// the provider's.
func (im *importer) serverlessFunction(key string, fv, provider *value) (*value, error) {
	props := &value{kind: kindMap, pos: fv.pos}
	handler, ok := fv.get("handler").str()
	if !ok {
		if fv.get("image") != nil {
			return nil, im.errorAt(fv.pos, "function %s runs a container image, which Switchboard does not model", key)
		}
		return nil, im.errorAt(fv.pos, "function %s has no handler", key)
	}
	// handler: src/handlers/connect.handler → code in src/handlers,
	// handler connect.handler.
	dir, file := path.Split(handler)
	props.set("Handler", strValue(file))
	if dir = strings.TrimSuffix(dir, "/"); dir != "" {
		props.set("Code", strValue(dir))
	} else {
		props.set("Code", strValue(model.DefaultCodePath(functionLogicalID(key))))
	}
	pick := func(k string) *value {
		if v := fv.get(k); v != nil {
			return v
		}
		return provider.get(k)
	}
	if v := pick("runtime"); v != nil {
		props.set("Runtime", v)
	}
	mem, timeout := pick("memorySize"), pick("timeout")
	if mem == nil {
		mem = numValue(serverlessMemorySize)
	}
	if timeout == nil {
		timeout = numValue(serverlessTimeout)
	}
	props.set("MemorySize", mem)
	props.set("Timeout", timeout)
	if d := fv.get("description"); d != nil {
		props.set("Description", d)
	}
	vars := &value{kind: kindMap}
	for _, env := range []*value{provider.get("environment"), fv.get("environment")} {
		if env == nil {
			continue
		}
		if env.kind != kindMap {
			return nil, im.errorAt(env.pos, "function %s: environment must be a map of names to values", key)
		}
		for i, k := range env.keys {
			vars.set(k, env.vals[i])
		}
	}
	if len(vars.keys) > 0 {
		props.set("Environment", mapValue("Variables", vars))
	}
	return props, nil
}

// websocketEvent adds a route for a websocket event: the route, its
// integration, a route response for two-way routes and the authorizer.
func (im *importer) websocketEvent(ev *value, fnID string, probe *model.API, names map[string]string) error {
	var key string
	var rrse, auth *value
	if s, ok := ev.str(); ok {
		key = s
	} else {
		if ev.kind != kindMap {
			return im.errorAt(ev.pos, "a websocket event is a route key or a map with route")
		}
		s, ok := ev.get("route").str()
		if !ok {
			return im.errorAt(ev.pos, "a websocket event needs a route, such as $connect")
		}
		key, rrse, auth = s, ev.get("routeResponseSelectionExpression"), ev.get("authorizer")
	}
	r := &model.Route{Key: key}
	routeID, integID, respID, _ := probe.RouteLogicalIDs(r)
	if im.res[routeID] != nil {
		return im.errorAt(ev.pos, "route %s is defined twice", key)
	}
	route := mapValue("ApiId", refValue(serverlessAPI), "RouteKey", strValue(key),
		"Target", subValue("integrations/${"+integID+"}"))
	if rrse != nil {
		route.set("RouteResponseSelectionExpression", rrse)
		if s, _ := rrse.str(); s == model.RouteDefault {
			im.addResource(respID, typeRouteResponse, mapValue("ApiId", refValue(serverlessAPI),
				"RouteId", refValue(routeID), "RouteResponseKey", strValue(model.RouteDefault)))
		}
	}
	if auth != nil {
		authID, err := im.websocketAuthorizer(auth, probe, names)
		if err != nil {
			return err
		}
		route.set("AuthorizationType", strValue("CUSTOM"))
		route.set("AuthorizerId", refValue(authID))
	}
	im.addResource(routeID, typeRoute, route)
	im.addResource(integID, typeIntegration, mapValue("ApiId", refValue(serverlessAPI),
		"IntegrationType", strValue("AWS_PROXY"),
		"IntegrationUri", subValue(model.InvokeURISub(fnID))))
	return nil
}

// websocketAuthorizer adds the API's authorizer: authorizer: fnName, or
// {name, identitySource}. An authorizer by ARN (a function outside the
// service) is not modelled.
func (im *importer) websocketAuthorizer(auth *value, probe *model.API, names map[string]string) (string, error) {
	name, _ := auth.str()
	sources := strList(serverlessIdentitySource)
	if auth.kind == kindMap {
		name, _ = auth.get("name").str()
		if is := auth.get("identitySource"); is != nil {
			sources = listValue(valueList(is)...)
		}
		if auth.get("arn") != nil && name == "" {
			return "", im.errorAt(auth.pos, "an authorizer given by ARN is a function outside this service, which Switchboard cannot wire; name a function of the service")
		}
	}
	fnID := names[name]
	if fnID == "" {
		return "", im.errorAt(auth.pos, "authorizer %q is not a function of this service", name)
	}
	id := probe.AuthorizerLogicalID()
	if prev := im.res[id]; prev != nil {
		if invokedFunction(prev.props.get("AuthorizerUri")) != fnID {
			return "", im.errorAt(auth.pos, "the WebSocket API has one authorizer; %q is a second", name)
		}
		return id, nil
	}
	im.addResource(id, typeAuthorizer, mapValue("ApiId", refValue(serverlessAPI),
		"AuthorizerType", strValue("REQUEST"),
		"AuthorizerUri", subValue(model.InvokeURISub(fnID)),
		"IdentitySource", sources,
		"Name", strValue(name)))
	return id, nil
}

// serverlessStatements reads provider.iam.role.statements (or the older
// provider.iamRoleStatements), which the Framework gives every function.
// Statements wires say completely become wires; otherwise all of them are
// kept as one policy attached to every function's role.
func (im *importer) serverlessStatements(provider *value, roles []*value) error {
	sts := provider.path("iam", "role", "statements")
	if sts == nil {
		sts = provider.get("iamRoleStatements")
	}
	if sts == nil {
		return nil
	}
	if sts.kind != kindList {
		return im.errorAt(sts.pos, "the IAM role statements must be a list")
	}
	doc := mapValue("Version", strValue("2012-10-17"), "Statement", sts)
	isTable := func(id string) bool { return im.isType(id, typeTable) }
	isAPI := func(id string) bool { return id == serverlessAPI }
	complete := true
	for _, st := range statements(doc) {
		_, ok := grants(st, isTable, isAPI)
		complete = complete && ok
	}
	if !complete {
		im.addResource("ServerlessRoleStatements", typePolicy, mapValue(
			"PolicyName", subValue("${AWS::StackName}-statements"),
			"PolicyDocument", doc,
			"Roles", listValue(roles...)))
		return nil
	}
	for _, role := range roles {
		fn := strings.TrimSuffix(role.refTo(), "Role")
		im.samWired = append(im.samWired, samGrant{fn: fn, docs: []*value{mapValue("PolicyDocument", doc)}})
	}
	return nil
}

// serverlessVariable matches the Framework's ${source:address, default}.
var serverlessVariable = regexp.MustCompile(`\$\{(self|sls|opt|env):([^,}]*)(?:,\s*([^}]*))?\}`)

// resolveVariables replaces the Framework's variables the file itself
// answers: ${self:service}, ${self:provider.stage}, ${sls:stage},
// ${opt:stage, 'dev'} (its default) and ${self:path} to a scalar. Others,
// such as ${env:X} or ${ssm:…}, stay, and a note names them.
func (im *importer) resolveVariables(root *value) {
	stage := serverlessStage
	if s, ok := root.path("provider", "stage").str(); ok && !strings.Contains(s, "${") {
		stage = s
	}
	var unresolved []string
	lookup := func(src, addr, def string) (string, bool) {
		def = strings.Trim(strings.TrimSpace(def), `'"`)
		switch {
		case src == "sls" && addr == "stage", src == "opt" && addr == "stage":
			return stage, true
		case src == "self":
			v := root
			for _, k := range strings.Split(addr, ".") {
				v = v.get(k)
			}
			if addr == "service" {
				return serviceName(root.get("service")), true
			}
			if s, ok := v.scalarString(); ok && !strings.Contains(s, "${") {
				return s, true
			}
		}
		if def != "" && !strings.Contains(def, "${") && !strings.Contains(def, ":") {
			return def, true
		}
		return "", false
	}
	root.walk(func(v *value) {
		if v.kind != kindString || !strings.Contains(v.text, "${") {
			return
		}
		v.text = serverlessVariable.ReplaceAllStringFunc(v.text, func(m string) string {
			sub := serverlessVariable.FindStringSubmatch(m)
			if s, ok := lookup(sub[1], strings.TrimSpace(sub[2]), sub[3]); ok {
				return s
			}
			if !slices.Contains(unresolved, m) {
				unresolved = append(unresolved, m)
			}
			return m
		})
	})
	if len(unresolved) > 0 {
		im.note("serverless.yml variables %s are written as they are; replace them with values or CloudFormation parameters", strings.Join(unresolved, ", "))
	}
}
