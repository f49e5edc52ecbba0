package importer

import (
	"regexp"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A serverless.yml is compiled into the template the Serverless Framework
// (3.x, lib/plugins/aws) deploys for it, with the Framework's logical IDs,
// physical names and IAM, and that template is then imported as any
// other. Deploying the export therefore updates a stack `sls deploy`
// created rather than replacing its resources. What differs: a function's
// Code is its local folder (`aws cloudformation package` uploads it)
// rather than the Framework's artifact in its bucket, and the Framework's
// function versions, whose logical IDs are the hash of that artifact, are
// not written (a note says so).

// Serverless Framework defaults, used where a serverless.yml is silent:
// they are what the Framework deploys.
const (
	serverlessMemorySize = 1024
	serverlessTimeout    = 6
	serverlessStage      = "dev"
	// serverlessIdentitySource is the Framework's default identity source
	// for a WebSocket authorizer.
	serverlessIdentitySource = "route.request.header.Auth"
	// serverlessDescription is the Framework's default description of the
	// WebSocket API, its stage and deployment.
	serverlessDescription = "Serverless Websockets"
	// serverlessTemplateDescription is the compiled template's.
	serverlessTemplateDescription = "The AWS CloudFormation template for this Serverless application"
)

// The Framework's logical IDs that do not depend on a name
// (lib/plugins/aws/lib/naming.js).
const (
	serverlessAPI          = "WebsocketsApi"
	serverlessStageID      = "WebsocketsDeploymentStage"
	serverlessDeploymentID = "WebsocketsDeployment"
	serverlessRole         = "IamRoleLambdaExecution"
	serverlessBucket       = "ServerlessDeploymentBucket"
	serverlessBucketPolicy = "ServerlessDeploymentBucketPolicy"
)

// serverlessKeys are the top-level keys of a serverless.yml the import
// reads; the others (plugins, custom, package…) configure the Framework
// itself and are named in a note.
var serverlessKeys = []string{"service", "provider", "functions", "resources", "frameworkVersion", "configValidationMode"}

// slsCompile is one serverless.yml being compiled.
type slsCompile struct {
	im       *importer
	service  string
	stage    string
	provider *cfn.Value
	// keys are the function keys in file order, fns their settings.
	keys []string
	fns  map[string]*cfn.Value
	// roles maps a function key to its Role: the Framework's shared role
	// or the one the serverless.yml names.
	roles map[string]*cfn.Value
	// compiled holds the resources compiled, in the Framework's order.
	compiled *cfn.Value
	outputs  *cfn.Value
}

// serverless imports a serverless.yml: compiled as the Framework does, then
// imported as a template.
func (im *importer) serverless(root *cfn.Value) error {
	stage := im.resolveVariables(root)
	service := serviceName(root.Get("service"))
	// The service and stage name resources and go into Fn::Sub texts of
	// the role's policy: a ${…} or a path in them would change what it
	// allows.
	if !stackNamePattern.MatchString(service) {
		return im.errorAt(root.Get("service").Pos, "service %q: the Framework names resources after it, so it must hold letters, digits and -, starting with a letter", service)
	}
	if !stagePattern.MatchString(stage) {
		return im.errorAt(root.Path("provider", "stage").Pos, "stage %q: the Framework names resources after it, so it must hold letters, digits and -", stage)
	}
	if len(service) <= model.MaxStackNameLength {
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
	// The serverless.yml's own resources come first: where one has the
	// ID of a compiled resource, it replaces it (the Framework merges the
	// two, so one written to amend the compiled resource must be whole).
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
	c := &slsCompile{im: im, service: service, stage: stage, provider: provider, fns: map[string]*cfn.Value{},
		roles: map[string]*cfn.Value{}, compiled: &cfn.Value{Kind: cfn.Map}, outputs: &cfn.Value{Kind: cfn.Map}}
	used := map[string]string{}
	for i, key := range functions.Keys {
		fv := functions.Items[i]
		id := frameworkName(key) + frameworkFunctionSuffix
		// The longest of the logical IDs named after the function.
		if key == "" || !model.ValidLogicalID(frameworkName(key)+"LambdaPermissionWebsockets") {
			return im.errorAt(fv.Pos, "function %q: its name must hold letters, digits, - or _ (the Framework names its resources after it)", key)
		}
		if prev, ok := used[id]; ok {
			return im.errorAt(fv.Pos, "functions %q and %q have the same logical ID %s", prev, key, id)
		}
		if fv.Kind != cfn.Map {
			return im.errorAt(fv.Pos, "function %s must be a map with a handler", key)
		}
		used[id] = key
		c.keys = append(c.keys, key)
		c.fns[key] = fv
	}
	if err := c.deploymentBucket(); err != nil {
		return err
	}
	if err := c.logGroups(); err != nil {
		return err
	}
	if err := c.role(); err != nil {
		return err
	}
	if err := c.functions(); err != nil {
		return err
	}
	if err := c.websockets(); err != nil {
		return err
	}
	for i, id := range c.compiled.Keys {
		if im.res[id] != nil {
			continue // the serverless.yml's own
		}
		r := c.compiled.Items[i]
		typ, _ := r.Get("Type").Str()
		props := r.Get("Properties")
		if props == nil {
			props = &cfn.Value{Kind: cfn.Map}
		}
		im.res[id] = &resource{id: id, typ: typ, v: r, props: props}
		im.order = append(im.order, id)
	}
	c.unread()
	if v, ok := provider.Get("versionFunctions").Bool(); !ok || v {
		im.note("the Framework's function versions (versionFunctions) are not in the export: each one's logical ID is the hash of the code the Framework uploads; those a deployment made are kept (DeletionPolicy Retain)")
	}
	if st := provider.Get("stackTags"); st != nil {
		im.note("provider.stackTags are tags of the stack itself, which a template cannot hold: give them when deploying (aws cloudformation deploy --tags)")
	}
	stackName := service + "-" + stage
	if n, ok := provider.Get("stackName").Str(); ok {
		stackName = n
	}
	im.note("the Framework deploys this service as the stack %s: deploy the export under that name (aws cloudformation deploy --stack-name %s) to update what sls deploy created", stackName, stackName)
	im.stack.Description = serverlessTemplateDescription
	if out := resources.Get("Outputs"); out != nil {
		if out.Kind != cfn.Map {
			return im.errorAt(out.Pos, "resources.Outputs must be a map of outputs")
		}
		for i, k := range out.Keys {
			c.outputs.Set(k, out.Items[i])
		}
	}
	if len(c.outputs.Keys) > 0 {
		im.outputs = c.outputs
	}
	if err := im.importResources(); err != nil {
		return err
	}
	var kept []model.Field
	for _, key := range model.SectionOrder {
		v := resources.Get(key)
		if key == "Outputs" {
			v = im.outputs
		}
		switch {
		case v == nil:
		case key == "Outputs":
			if out := im.keptOutputs(v); out != nil {
				kept = append(kept, model.Field{Key: key, Value: out.JSON()})
			}
		default:
			kept = append(kept, model.Field{Key: key, Value: v.JSON()})
		}
	}
	im.stack.Sections = kept
	return nil
}

// serverlessProviderOwn and serverlessFunctionOwn are the settings the
// import handles besides those it reads for their variables
// (serverlessProviderRead, serverlessFunctionRead).
var (
	serverlessProviderOwn = []string{"name", "stage", "region", "stackName", "versionFunctions", "deploymentBucket", "stackTags", "logs"}
	serverlessFunctionOwn = []string{"events"}
)

// unread notes the provider's and functions' settings the import does not
// compile, so that none is dropped silently.
func (c *slsCompile) unread() {
	var skipped []string
	for _, k := range mapKeys(c.provider) {
		if !slices.Contains(serverlessProviderRead, k) && !slices.Contains(serverlessProviderOwn, k) {
			skipped = append(skipped, k)
		}
	}
	for _, k := range mapKeys(c.provider.Get("logs")) {
		if k != "websocket" {
			skipped = append(skipped, "logs."+k)
		}
	}
	if len(skipped) > 0 {
		c.im.note("provider settings %s are not imported", strings.Join(skipped, ", "))
	}
	if r, ok := c.provider.Get("region").Str(); ok {
		c.im.note("provider.region %s: the template names no region; deploy it there (aws cloudformation deploy --region %s)", r, r)
	}
	for _, key := range c.keys {
		var skipped []string
		for _, k := range mapKeys(c.fns[key]) {
			if !slices.Contains(serverlessFunctionRead, k) && !slices.Contains(serverlessFunctionOwn, k) {
				skipped = append(skipped, k)
			}
		}
		if len(skipped) > 0 {
			c.im.note("function %s: settings %s are not imported", key, strings.Join(skipped, ", "))
		}
	}
}

var (
	stackNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
	stagePattern     = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	// lambdaNamePattern is what Lambda allows a function's name.
	lambdaNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// serviceName reads service: name, or the older service: {name: …}.
func serviceName(v *cfn.Value) string {
	if s, ok := v.Str(); ok {
		return s
	}
	s, _ := v.Get("name").Str()
	return s
}

// functionLogicalID names a function as Switchboard would: send-message →
// SendMessage. Variables may not take such a name as a parameter's.
func functionLogicalID(key string) string {
	return model.RouteLogicalPart(key)
}

// frameworkName is a function's name as the Framework's logical IDs spell
// it (getNormalizedFunctionName): send-message → SendDashmessage.
func frameworkName(key string) string {
	n := strings.NewReplacer("-", "Dash", "_", "Underscore").Replace(key)
	if n == "" {
		return ""
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

// frameworkFunctionID is the logical ID the Framework gives a function
// (getLambdaLogicalId): send-message → SendDashmessageLambdaFunction.
func frameworkFunctionID(key string) string {
	if n := frameworkName(key); n != "" {
		return n + frameworkFunctionSuffix
	}
	return ""
}

// frameworkFunctionSuffix ends the Framework's function logical IDs.
const frameworkFunctionSuffix = "LambdaFunction"

// frameworkRouteKey is a route key as the Framework's logical IDs spell it
// (getNormalizedWebsocketsRouteKey): $connect → Sconnect.
func frameworkRouteKey(key string) string {
	return strings.NewReplacer("$", "S", "/", "Slash", "-", "Dash", "_", "Underscore", ".", "Period").Replace(key)
}

// add puts a compiled resource, merged as the Framework's lodash merge
// does into one of the same ID.
func (c *slsCompile) add(id string, r *cfn.Value) {
	if prev := c.compiled.Get(id); prev != nil {
		mergeValues(prev, r)
		return
	}
	c.compiled.Set(id, r)
}

// mergeValues merges src into dst as lodash's merge does: maps key by key,
// lists item by item, anything else replaced.
func mergeValues(dst, src *cfn.Value) {
	switch {
	case dst.Kind == cfn.Map && src.Kind == cfn.Map && !dst.Intrinsic && !src.Intrinsic:
		for i, k := range src.Keys {
			if d := dst.Get(k); d != nil {
				mergeValues(d, src.Items[i])
			} else {
				dst.Set(k, src.Items[i])
			}
		}
	case dst.Kind == cfn.List && src.Kind == cfn.List:
		for i, it := range src.Items {
			if i < len(dst.Items) {
				mergeValues(dst.Items[i], it)
			} else {
				dst.Items = append(dst.Items, it)
			}
		}
	default:
		*dst = *src.Clone()
	}
}

func compiledResource(typ string, props *cfn.Value) *cfn.Value {
	return cfn.MapOf("Type", cfn.Str(typ), "Properties", props)
}

// export is an output's Export as the Framework names it.
func (c *slsCompile) export(output string) *cfn.Value {
	return cfn.MapOf("Name", cfn.Str("sls-"+c.service+"-"+c.stage+"-"+output))
}
