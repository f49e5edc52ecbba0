package importer

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

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

// deploymentBucket is the bucket the Framework uploads code to, with its
// policy refusing plain HTTP, unless provider.deploymentBucket names one.
func (c *slsCompile) deploymentBucket() error {
	if b := c.provider.Get("deploymentBucket"); b != nil {
		c.im.note("provider.deploymentBucket: the Framework uploads code to that bucket; the export's code folders are uploaded by aws cloudformation package to the bucket it is given")
		return nil
	}
	c.add(serverlessBucket, compiledResource("AWS::S3::Bucket", cfn.MapOf("BucketEncryption", cfn.MapOf(
		"ServerSideEncryptionConfiguration", cfn.ListOf(cfn.MapOf("ServerSideEncryptionByDefault", cfn.MapOf("SSEAlgorithm", cfn.Str("AES256"))))))))
	bucketARN := func(suffix ...*cfn.Value) *cfn.Value {
		return cfn.Join("", append([]*cfn.Value{cfn.Str("arn:"), cfn.Ref("AWS::Partition"), cfn.Str(":s3:::"), cfn.Ref(serverlessBucket)}, suffix...)...)
	}
	c.add(serverlessBucketPolicy, compiledResource("AWS::S3::BucketPolicy", cfn.MapOf(
		"Bucket", cfn.Ref(serverlessBucket),
		"PolicyDocument", cfn.MapOf("Statement", cfn.ListOf(cfn.MapOf(
			"Action", cfn.Str("s3:*"),
			"Effect", cfn.Str("Deny"),
			"Principal", cfn.Str("*"),
			"Resource", cfn.ListOf(bucketARN(cfn.Str("/*")), bucketARN()),
			"Condition", cfn.MapOf("Bool", cfn.MapOf("aws:SecureTransport", cfn.Boolean(false)))))))))
	c.outputs.Set("ServerlessDeploymentBucketName", cfn.MapOf("Value", cfn.Ref(serverlessBucket), "Export", c.export("ServerlessDeploymentBucketName")))
	return nil
}

// export is an output's Export as the Framework names it.
func (c *slsCompile) export(output string) *cfn.Value {
	return cfn.MapOf("Name", cfn.Str("sls-"+c.service+"-"+c.stage+"-"+output))
}

// functionName is a function's physical name: its name setting, or
// <service>-<stage>-<key>.
func (c *slsCompile) functionName(key string) *cfn.Value {
	if n := c.fns[key].Get("name"); n != nil {
		return n
	}
	return cfn.Str(c.service + "-" + c.stage + "-" + key)
}

func (c *slsCompile) logsDisabled(key string) bool {
	off, _ := c.fns[key].Get("disableLogs").Bool()
	return off
}

// logGroups gives each function the log group the Framework creates,
// with the retention the serverless.yml states, its own or the provider's.
func (c *slsCompile) logGroups() error {
	for _, key := range c.keys {
		if c.logsDisabled(key) {
			continue
		}
		name, ok := c.functionName(key).Str()
		if !ok || !lambdaNamePattern.MatchString(name) {
			at := c.fns[key].Pos
			if n := c.fns[key].Get("name"); n != nil {
				at = n.Pos
			}
			return c.im.errorAt(at, "function %s: its name %q must be 1 to 64 letters, digits, - or _, as Lambda requires", key, name)
		}
		props := cfn.MapOf("LogGroupName", cfn.Str("/aws/lambda/"+name))
		v := c.fns[key].Get("logRetentionInDays")
		if v == nil {
			v = c.provider.Get("logRetentionInDays")
		}
		if v != nil {
			days, ok := v.Int()
			if !ok || !slices.Contains(model.LogRetentionDays, days) {
				return c.im.errorAt(v.Pos, "logRetentionInDays must be one of the periods CloudWatch Logs offers, such as 7, 14 or 30")
			}
			props.Set("RetentionInDays", cfn.Int(days))
		}
		c.add(frameworkName(key)+"LogGroup", compiledResource("AWS::Logs::LogGroup", props))
	}
	return nil
}

// roleValue is a role setting as the Framework writes it into a
// function's Role: an ARN as it is, a logical ID as its ARN, an intrinsic
// as it is.
func roleValue(v *cfn.Value) *cfn.Value {
	if s, ok := v.Str(); ok && !strings.HasPrefix(s, "arn:") {
		return cfn.GetAtt(s, "Arn")
	}
	return v
}

// role is the Framework's role shared by the functions that name none
// (merge-iam-templates.js): logs for their log groups, the statements
// and managed policies the serverless.yml gives, and ManageConnections for
// websocket events (added in websockets).
func (c *slsCompile) role() error {
	iamRole := c.provider.Path("iam", "role")
	var providerRole *cfn.Value
	switch {
	case iamRole != nil && iamRole.Kind != cfn.Map:
		providerRole = iamRole
	case c.provider.Get("role") != nil:
		providerRole = c.provider.Get("role")
	}
	// A role named by logical ID must be one of the file's resources: the
	// name is the untrusted file's, and CloudFormation would refuse it.
	checkRole := func(v *cfn.Value) error {
		if s, ok := v.Str(); ok && !strings.HasPrefix(s, "arn:") && !c.im.isType(s, typeRole) {
			return c.im.errorAt(v.Pos, "role %q is neither an ARN nor a role of resources.Resources", s)
		}
		return nil
	}
	shared := false
	for _, key := range c.keys {
		switch r := c.fns[key].Get("role"); {
		case r != nil:
			if err := checkRole(r); err != nil {
				return err
			}
			c.roles[key] = roleValue(r)
		case providerRole != nil:
			if err := checkRole(providerRole); err != nil {
				return err
			}
			c.roles[key] = roleValue(providerRole)
		default:
			c.roles[key] = cfn.GetAtt(serverlessRole, "Arn")
			shared = true
		}
	}
	if !shared {
		return nil
	}
	prefix := "/aws/lambda/" + c.service + "-" + c.stage
	logARN := func(group, suffix string) *cfn.Value {
		return cfn.Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:" + group + suffix)
	}
	create, put := &cfn.Value{Kind: cfn.List}, &cfn.Value{Kind: cfn.List}
	canonical := false
	var denied []*cfn.Value
	for _, key := range c.keys {
		name, _ := c.functionName(key).Str()
		if c.fns[key].Get("name") == nil || strings.HasPrefix(name, c.service+"-"+c.stage) {
			if c.logsDisabled(key) {
				denied = append(denied, logARN("/aws/lambda/"+name, ":*"))
			} else {
				canonical = true
			}
			continue
		}
		if !c.logsDisabled(key) {
			create.Items = append(create.Items, logARN("/aws/lambda/"+name, ":*"))
			put.Items = append(put.Items, logARN("/aws/lambda/"+name, ":*:*"))
		}
	}
	if canonical {
		create.Items = append(create.Items, logARN(prefix+"*", ":*"))
		put.Items = append(put.Items, logARN(prefix+"*", ":*:*"))
	}
	statements := cfn.ListOf(
		cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"), "Resource", create),
		cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("logs:PutLogEvents"), "Resource", put))
	if canonical && len(denied) > 0 {
		statements.Items = append(statements.Items, cfn.MapOf("Effect", cfn.Str("Deny"), "Action", cfn.Str("logs:PutLogEvents"), "Resource", cfn.ListOf(denied...)))
	}
	user := iamRole.Get("statements")
	if user == nil {
		user = c.provider.Get("iamRoleStatements")
	}
	if user != nil {
		if user.Kind != cfn.List {
			return c.im.errorAt(user.Pos, "the IAM role statements must be a list")
		}
		statements.Items = append(statements.Items, user.Items...)
	}
	path, name := iamRole.Get("path"), iamRole.Get("name")
	if path == nil {
		path = cfn.Str("/")
	}
	if name == nil {
		name = cfn.Join("-", cfn.Str(c.service), cfn.Str(c.stage), cfn.Ref("AWS::Region"), cfn.Str("lambdaRole"))
	}
	props := cfn.MapOf(
		"AssumeRolePolicyDocument", cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", cfn.ListOf(cfn.MapOf(
			"Effect", cfn.Str("Allow"),
			"Principal", cfn.MapOf("Service", cfn.Strings("lambda.amazonaws.com")),
			"Action", cfn.Strings("sts:AssumeRole")))),
		"Policies", cfn.ListOf(cfn.MapOf(
			"PolicyName", cfn.Join("-", cfn.Str(c.service), cfn.Str(c.stage), cfn.Str("lambda")),
			"PolicyDocument", cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", statements))),
		"Path", path,
		"RoleName", name)
	if tags := iamRole.Get("tags"); tags != nil {
		list := &cfn.Value{Kind: cfn.List}
		for i, k := range mapKeys(tags) {
			list.Items = append(list.Items, cfn.MapOf("Key", cfn.Str(k), "Value", tags.Items[i]))
		}
		props.Set("Tags", list)
	}
	for _, b := range []*cfn.Value{iamRole.Get("permissionsBoundary"), iamRole.Get("permissionBoundary"), c.provider.Get("rolePermissionsBoundary")} {
		if b != nil {
			props.Set("PermissionsBoundary", b)
			break
		}
	}
	managed := &cfn.Value{Kind: cfn.List}
	if mp := iamRole.Get("managedPolicies"); mp != nil {
		managed.Items = append(managed.Items, valueList(mp)...)
	} else if mp := c.provider.Get("iamManagedPolicies"); mp != nil {
		managed.Items = append(managed.Items, valueList(mp)...)
	}
	vpc := c.provider.Get("vpc") != nil
	for _, key := range c.keys {
		vpc = vpc || c.fns[key].Get("vpc") != nil
	}
	if vpc {
		managed.Items = append(managed.Items, cfn.Join("", cfn.Str("arn:"), cfn.Ref("AWS::Partition"), cfn.Str(":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")))
	}
	if len(managed.Items) > 0 {
		props.Set("ManagedPolicyArns", managed)
	}
	c.add(serverlessRole, compiledResource(typeRole, props))
	return nil
}

// functions compiles each function (compile/functions.js): its settings
// over the provider's, the Framework's defaults where both are silent.
func (c *slsCompile) functions() error {
	for _, key := range c.keys {
		if err := c.im.stopped(); err != nil {
			return err
		}
		fv := c.fns[key]
		props, err := c.im.serverlessFunction(key, fv, c.provider)
		if err != nil {
			return err
		}
		props.Set("FunctionName", c.functionName(key))
		props.Reorder([]string{"Code", "Handler", "Runtime", "FunctionName", "MemorySize", "Timeout"})
		r := compiledResource(typeFunction, props)
		if v := fv.Get("condition"); v != nil {
			r.Set("Condition", v)
		}
		if v := fv.Get("ephemeralStorageSize"); v != nil {
			props.Set("EphemeralStorage", cfn.MapOf("Size", v))
		}
		if arn := fv.Get("onError"); arn != nil {
			props.Set("DeadLetterConfig", cfn.MapOf("TargetArn", arn))
			if _, ok := arn.Str(); ok {
				c.allow(false, cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("sns:Publish"), "Resource", cfn.ListOf(arn)))
			}
		}
		kms := fv.Get("kmsKeyArn")
		if kms == nil {
			kms = c.provider.Get("kmsKeyArn")
		}
		if kms != nil {
			props.Set("KmsKeyArn", kms)
			if _, ok := kms.Str(); ok {
				c.allow(true, cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("kms:Decrypt"), "Resource", cfn.ListOf(kms)))
			}
		}
		tracing := fv.Get("tracing")
		if tracing == nil {
			tracing = c.provider.Path("tracing", "lambda")
		}
		if on, isBool := tracing.Bool(); tracing != nil && (!isBool || on) {
			mode := tracing
			if isBool {
				mode = cfn.Str("Active")
			}
			props.Set("TracingConfig", cfn.MapOf("Mode", mode))
			c.allow(true, cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("xray:PutTraceSegments", "xray:PutTelemetryRecords"), "Resource", cfn.Strings("*")))
		}
		props.Set("Role", c.roles[key])
		if vpc := fv.Get("vpc"); vpc == nil || vpc.Kind == cfn.Map {
			pick := func(k string) *cfn.Value {
				if v := vpc.Get(k); v != nil {
					return v
				}
				return c.provider.Path("vpc", k)
			}
			if sg, sn := pick("securityGroupIds"), pick("subnetIds"); sg != nil && sn != nil {
				props.Set("VpcConfig", cfn.MapOf("SecurityGroupIds", sg, "SubnetIds", sn))
			}
		}
		if fs := fv.Get("fileSystemConfig"); fs != nil {
			if props.Get("VpcConfig") == nil {
				return c.im.errorAt(fs.Pos, "function %s: a fileSystemConfig needs a vpc, the function's or the provider's", key)
			}
			c.allow(false, cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"), "Resource", cfn.ListOf(fs.Get("arn"))))
			props.Set("FileSystemConfigs", cfn.ListOf(cfn.MapOf("Arn", fs.Get("arn"), "LocalMountPath", fs.Get("localMountPath"))))
		}
		if v := fv.Get("reservedConcurrency"); v != nil {
			props.Set("ReservedConcurrentExecutions", v)
		}
		var dependsOn []*cfn.Value
		if !c.logsDisabled(key) {
			dependsOn = append(dependsOn, cfn.Str(frameworkName(key)+"LogGroup"))
		}
		dependsOn = append(dependsOn, valueList(fv.Get("dependsOn"))...)
		if len(dependsOn) > 0 {
			r.Set("DependsOn", cfn.ListOf(dependsOn...))
		}
		if v := fv.Get("layers"); v != nil {
			props.Set("Layers", v)
		} else if v := c.provider.Get("layers"); v != nil {
			props.Set("Layers", v.Clone())
		}
		c.add(frameworkFunctionID(key), r)
	}
	return nil
}

// allow adds a statement to the shared role's policy, if there is that
// role; once is lodash's unionWith: not when an equal one is there.
func (c *slsCompile) allow(once bool, st *cfn.Value) {
	r := c.compiled.Get(serverlessRole)
	if r == nil {
		return
	}
	sts := r.Path("Properties", "Policies").Items[0].Path("PolicyDocument", "Statement")
	if once && slices.ContainsFunc(sts.Items, func(v *cfn.Value) bool { return cfn.Equal(v, st) }) {
		return
	}
	sts.Items = append(sts.Items, st)
}

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
	if dir = strings.TrimSuffix(dir, "/"); dir != "" {
		props.Set("Code", cfn.Str(dir))
	} else {
		props.Set("Code", cfn.Str("."))
	}
	props.Set("Handler", cfn.Str(file))
	pick := func(k string) *cfn.Value {
		if v := fv.Get(k); v != nil {
			return v
		}
		return provider.Get(k)
	}
	if v := pick("runtime"); v != nil {
		props.Set("Runtime", v)
	} else {
		props.Set("Runtime", cfn.Str(serverlessRuntime))
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
	if v := pick("architecture"); v != nil {
		props.Set("Architectures", cfn.ListOf(v))
	}
	if d := fv.Get("description"); d != nil {
		props.Set("Description", d)
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
	return props, nil
}

// serverlessRuntime is the Framework 3.40's runtime where none is given.
const serverlessRuntime = "nodejs16.x"

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
