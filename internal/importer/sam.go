package importer

import (
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// SAM resource types.
const (
	typeSAMFunction     = "AWS::Serverless::Function"
	typeSAMSimpleTable  = "AWS::Serverless::SimpleTable"
	typeSAMWebSocketAPI = "AWS::Serverless::WebSocketApi"
)

// samPassThrough are AWS::Serverless::Function properties that mean the same
// on AWS::Lambda::Function.
var samPassThrough = []string{
	"Handler", "Runtime", "MemorySize", "Timeout", "Description", "Environment", "Role",
	"Layers", "Architectures", "VpcConfig", "ReservedConcurrentExecutions", "FunctionName",
	"KmsKeyArn", "EphemeralStorage", "LoggingConfig", "FileSystemConfigs", "ImageConfig",
	"PackageType", "RuntimeManagementConfig", "SnapStart", "CodeSigningConfigArn",
}

// samTranslated are the properties expandSAM turns into something else.
var samTranslated = []string{"CodeUri", "InlineCode", "Policies", "Tags", "Tracing", "DeadLetterQueue", "Events", "PermissionsBoundary"}

// expandSAM rewrites each AWS::Serverless::Function into the
// AWS::Lambda::Function and role SAM would deploy, with Globals applied,
// so the rest of the import reads one shape. A function using what a plain
// function cannot say (events, aliases, deployment preferences, policy
// templates other than DynamoDB's) stays as it is, and so does the SAM
// transform.
func (im *importer) expandSAM(root *cfn.Value) error {
	globals := root.Path("Globals", "Function")
	for _, id := range slices.Clone(im.order) {
		if err := im.stopped(); err != nil {
			return err
		}
		r := im.res[id]
		switch r.typ {
		case typeSAMFunction:
			props := withGlobals(r.props, globals)
			if why := im.samUnsupported(props); why != "" {
				im.samKept = true
				im.note("SAM function %s %s, which a plain Lambda function cannot say; it is kept as it is", id, why)
				continue
			}
			im.expandSAMFunction(r, props)
		case typeSAMSimpleTable:
			im.expandSimpleTable(r)
		case typeSAMWebSocketAPI:
			if why := samWebSocketUnsupported(r.props); why != "" {
				im.samKept = true
				im.note("SAM WebSocket API %s %s, which Switchboard does not model; it is kept as it is", id, why)
				continue
			}
			im.expandWebSocketAPI(r)
		default:
			if strings.HasPrefix(r.typ, "AWS::Serverless::") {
				im.samKept = true
			}
		}
	}
	return nil
}

// withGlobals returns the function's properties with the Globals section's
// added where the function is silent; environment variables merge.
func withGlobals(props, globals *cfn.Value) *cfn.Value {
	if globals == nil || globals.Kind != cfn.Map {
		return props
	}
	out := &cfn.Value{Kind: cfn.Map, Pos: props.Pos, Keys: slices.Clone(props.Keys), Items: slices.Clone(props.Items)}
	for i, k := range globals.Keys {
		g := globals.Items[i]
		own := out.Get(k)
		switch {
		case own == nil:
			out.Set(k, g)
		case k == "Environment" && own.Get("Variables") != nil && g.Get("Variables") != nil:
			vars := &cfn.Value{Kind: cfn.Map, Keys: slices.Clone(g.Get("Variables").Keys), Items: slices.Clone(g.Get("Variables").Items)}
			ov := own.Get("Variables")
			for j, name := range ov.Keys {
				vars.Set(name, ov.Items[j])
			}
			out.Set(k, cfn.MapOf("Variables", vars))
		}
	}
	return out
}

// samUnsupported says why a SAM function cannot become a plain one, or "".
func (im *importer) samUnsupported(props *cfn.Value) string {
	for i, k := range props.Keys {
		v := props.Items[i]
		switch {
		case k == "Events":
			if v.Kind == cfn.Map && len(v.Keys) > 0 {
				return "has Events"
			}
		case k == "Policies":
			for _, p := range valueList(v) {
				if p.Kind == cfn.Map {
					if fn, _ := p.Call(); fn != "" {
						continue
					}
					if p.Get("Statement") != nil {
						continue
					}
					if len(p.Keys) != 1 || (samTablePolicies[p.Keys[0]] == nil || im.samPolicyTable(p.Items[0]) == "") && im.samServiceTarget(p) == "" {
						return "uses the policy template " + strings.Join(p.Keys, ", ")
					}
				}
			}
		case slices.Contains(samPassThrough, k) || slices.Contains(samTranslated, k):
		default:
			return "sets " + k
		}
	}
	return ""
}

// samTablePolicies are the SAM policy templates a wire says, with the
// actions SAM's templates grant.
var samTablePolicies = map[string][]string{
	"DynamoDBCrudPolicy": {"dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
		"dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"},
	"DynamoDBReadPolicy":  {"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"},
	"DynamoDBWritePolicy": {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"},
}

// samServicePolicy is a SAM policy template whose expansion
// (samtranslator's policy_templates.json) is exactly what a function →
// service wire grants: its one action on the resource's ARN, spelt around
// the name its parameter gives. SQSSendMessagePolicy (sqs:SendMessage*),
// S3ReadPolicy, S3CrudPolicy and KinesisCrudPolicy grant more than a wire
// and are not among them.
type samServicePolicy struct {
	param, variable, typ, arn string
	action                    *cfn.Value
	// names are the attributes naming the resource ("" for its Ref).
	names []string
}

var samServicePolicies = map[string]samServicePolicy{
	"SNSPublishMessagePolicy": {"TopicName", "topicName", typeTopic,
		"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${topicName}", cfn.Strings("sns:Publish"), []string{"TopicName"}},
	"EventBridgePutEventsPolicy": {"EventBusName", "eventBusName", typeBus,
		"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${eventBusName}", cfn.Str("events:PutEvents"), []string{"", "Name"}},
	"StepFunctionsExecutionPolicy": {"StateMachineName", "stateMachineName", typeStateMachine,
		"arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${stateMachineName}", cfn.Strings("states:StartExecution"), []string{"Name"}},
}

// samServiceTarget returns the resource a service policy template names
// (SNSPublishMessagePolicy: TopicName: !GetAtt Topic.TopicName), or "".
func (im *importer) samServiceTarget(p *cfn.Value) string {
	if p.Kind != cfn.Map || len(p.Keys) != 1 {
		return ""
	}
	sp, ok := samServicePolicies[p.Keys[0]]
	if !ok || len(p.Items[0].Keys) != 1 {
		return ""
	}
	v := p.Items[0].Get(sp.param)
	id, att := v.GetAttOf()
	if id == "" {
		id = v.RefTo()
	}
	if !im.isType(id, sp.typ) || !slices.Contains(sp.names, att) {
		return ""
	}
	return id
}

// samPolicyTable returns the table a DynamoDB policy template names with
// TableName: !Ref Table, or "".
//
// The table may also be named through a parameter, as in AWS's own
// samples (TableName: !Ref TableNameParam): the table whose TableName is
// !Ref of the same parameter, else the one whose TableName is the
// parameter's default.
func (im *importer) samPolicyTable(args *cfn.Value) string {
	id := args.Get("TableName").RefTo()
	if im.isType(id, typeTable) || im.isType(id, typeSAMSimpleTable) {
		return id
	}
	param := im.params.Get(id)
	if id == "" || param == nil {
		return ""
	}
	def, hasDefault := param.Get("Default").Str()
	var byRef, byDefault []string
	for _, tid := range im.order {
		r := im.res[tid]
		if r.typ != typeTable || r.props == nil {
			continue
		}
		name := r.props.Get("TableName")
		if name.RefTo() == id {
			byRef = append(byRef, tid)
		}
		if s, ok := name.Str(); ok && hasDefault && s == def {
			byDefault = append(byDefault, tid)
		}
	}
	// Only one table can be meant; two would make the wire a guess.
	switch {
	case len(byRef) == 1:
		return byRef[0]
	case len(byRef) == 0 && len(byDefault) == 1:
		return byDefault[0]
	}
	return ""
}

func (im *importer) expandSAMFunction(r *resource, props *cfn.Value) {
	fn := &cfn.Value{Kind: cfn.Map, Pos: r.props.Pos}
	for i, k := range props.Keys {
		if slices.Contains(samPassThrough, k) {
			fn.Set(k, props.Items[i])
		}
	}
	v := props.Get("CodeUri")
	switch {
	case v != nil && v.Kind == cfn.Map && v.Get("Bucket") != nil:
		code := cfn.MapOf("S3Bucket", v.Get("Bucket"), "S3Key", v.Get("Key"))
		if ver := v.Get("Version"); ver != nil {
			code.Set("S3ObjectVersion", ver)
		}
		fn.Set("Code", code)
	case v != nil:
		fn.Set("Code", v)
	case props.Get("InlineCode") != nil:
		fn.Set("Code", cfn.MapOf("ZipFile", props.Get("InlineCode")))
	}
	if t, ok := props.Get("Tracing").Str(); ok {
		fn.Set("TracingConfig", cfn.MapOf("Mode", cfn.Str(t)))
	}
	if dlq := props.Get("DeadLetterQueue"); dlq != nil {
		fn.Set("DeadLetterConfig", cfn.MapOf("TargetArn", dlq.Get("TargetArn")))
	}
	fn.Set("Tags", samTags(props.Get("Tags")))
	if props.Get("Role") == nil {
		roleID := r.id + "Role"
		fn.Set("Role", cfn.GetAtt(roleID, "Arn"))
		im.addResource(roleID, typeRole, im.samRole(r.id, props))
	}
	// The function keeps its resource attributes (Condition, DependsOn…).
	whole := &cfn.Value{Kind: cfn.Map, Pos: r.v.Pos}
	whole.Set("Type", cfn.Str(typeFunction))
	for _, k := range r.v.Keys {
		if k != "Type" && k != "Properties" {
			whole.Set(k, r.v.Get(k))
		}
	}
	whole.Set("Properties", fn)
	r.typ, r.v, r.props = typeFunction, whole, fn
}

// samRole is the execution role SAM creates for a function: Lambda's basic
// execution policy, the managed policies the function lists, and its
// statements and DynamoDB policy templates. When wires say all of the
// latter, they are left out: the export writes them from the wires, and
// editing a wire then changes what the function may do.
func (im *importer) samRole(fnID string, props *cfn.Value) *cfn.Value {
	// As SAM's translator writes them: literal ARNs, each once.
	managed := cfn.ListOf(cfn.Str(samBasicExecutionRole))
	addManaged := func(p *cfn.Value) {
		for _, m := range managed.Items {
			if cfn.Equal(m, p) {
				return
			}
		}
		managed.Items = append(managed.Items, p)
	}
	// inline is what SAM writes; wiredDocs the same grants in the shape
	// the wires are read from.
	var inline, wiredDocs []*cfn.Value
	wired := true
	isTable := func(id string) bool { return im.isType(id, typeTable) || im.isType(id, typeSAMSimpleTable) }
	isAPI := func(id string) bool { return im.isType(id, typeAPI) }
	for _, p := range valueList(props.Get("Policies")) {
		var doc, written *cfn.Value
		switch {
		case p.Kind == cfn.String:
			addManaged(cfn.Str("arn:aws:iam::aws:policy/" + managedPolicyPath(p.Text)))
			continue
		case p.Kind == cfn.Map && p.Get("Statement") != nil:
			doc, written = p, p
			if _, ok := p.Get("Version").Str(); !ok {
				doc = cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", p.Get("Statement"))
			}
		case p.Kind == cfn.Map && len(p.Keys) == 1 && samTablePolicies[p.Keys[0]] != nil:
			table := im.samPolicyTable(p.Items[0])
			arn := cfn.GetAtt(table, "Arn")
			doc = cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", cfn.ListOf(cfn.MapOf(
				"Effect", cfn.Str("Allow"),
				"Action", cfn.Strings(samTablePolicies[p.Keys[0]]...),
				"Resource", cfn.ListOf(arn, cfn.Sub("${"+table+".Arn}/index/*")))))
			tableARN := func(suffix string) *cfn.Value {
				return cfn.Fn("Fn::Sub", cfn.ListOf(
					cfn.Str("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}"+suffix),
					cfn.MapOf("tableName", p.Items[0].Get("TableName"))))
			}
			written = cfn.MapOf("Statement", cfn.ListOf(cfn.MapOf(
				"Action", cfn.Strings(samTablePolicies[p.Keys[0]]...),
				"Effect", cfn.Str("Allow"),
				"Resource", cfn.ListOf(tableARN(""), tableARN("/index/*")))))
		case im.samServiceTarget(p) != "":
			sp := samServicePolicies[p.Keys[0]]
			written = cfn.MapOf("Statement", cfn.ListOf(cfn.MapOf(
				"Action", sp.action,
				"Effect", cfn.Str("Allow"),
				"Resource", cfn.Fn("Fn::Sub", cfn.ListOf(cfn.Str(sp.arn), cfn.MapOf(sp.variable, p.Items[0].Get(sp.param)))))))
			doc = cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", written.Get("Statement"))
		default:
			// An intrinsic naming a managed policy.
			addManaged(p)
			continue
		}
		for _, st := range statements(doc) {
			_, complete := grants(st, isTable, isAPI)
			wired = wired && complete
		}
		name := cfn.Str(fnID + "RolePolicy" + itoa(len(inline)))
		inline = append(inline, cfn.MapOf("PolicyName", name, "PolicyDocument", written))
		wiredDocs = append(wiredDocs, cfn.MapOf("PolicyName", name, "PolicyDocument", doc))
	}
	role := cfn.MapOf(
		"AssumeRolePolicyDocument", cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", cfn.ListOf(cfn.MapOf(
			"Effect", cfn.Str("Allow"),
			"Principal", cfn.MapOf("Service", cfn.Strings("lambda.amazonaws.com")),
			"Action", cfn.Strings("sts:AssumeRole")))),
		"ManagedPolicyArns", managed)
	if len(inline) > 0 {
		role.Set("Policies", cfn.ListOf(inline...))
	}
	if pb := props.Get("PermissionsBoundary"); pb != nil {
		role.Set("PermissionsBoundary", pb)
	}
	role.Set("Tags", samTags(props.Get("Tags")))
	if len(inline) > 0 && wired {
		// The wires say every grant: the export writes SAM's policies
		// while the wires stay as imported, and the wires' own once the
		// user changes them.
		im.samWired = append(im.samWired, samGrant{fn: fnID, docs: wiredDocs})
	}
	return role
}

// samBasicExecutionRole is the managed policy SAM gives every function's
// role, spelt as its translator writes it.
const samBasicExecutionRole = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// samTags are the tags SAM puts on a function and its role: its own
// lambda:createdBy, then the function's.
func samTags(tags *cfn.Value) *cfn.Value {
	list := cfn.ListOf(cfn.MapOf("Key", cfn.Str("lambda:createdBy"), "Value", cfn.Str("SAM")))
	if tags != nil && tags.Kind == cfn.Map {
		for i, k := range tags.Keys {
			list.Items = append(list.Items, cfn.MapOf("Key", cfn.Str(k), "Value", tags.Items[i]))
		}
	}
	return list
}

// samGrant is a SAM function's policies that wires say completely.
type samGrant struct {
	fn   string
	docs []*cfn.Value
}

// managedPolicyPath adds the service-role/ path AWS's Lambda policies have.
func managedPolicyPath(name string) string {
	if strings.HasPrefix(name, "AWSLambda") && strings.HasSuffix(name, "ExecutionRole") {
		return "service-role/" + name
	}
	return name
}

// expandSimpleTable turns an AWS::Serverless::SimpleTable into the table
// SAM deploys: a string key "id" unless PrimaryKey says otherwise, on
// demand unless ProvisionedThroughput is set.
func (im *importer) expandSimpleTable(r *resource) {
	name, typ := cfn.Str("id"), "S"
	if pk := r.props.Get("PrimaryKey"); pk != nil {
		if n := pk.Get("Name"); n != nil {
			name = n
		}
		switch t, _ := pk.Get("Type").Str(); t {
		case "Number":
			typ = "N"
		case "Binary":
			typ = "B"
		}
	}
	props := cfn.MapOf(
		"AttributeDefinitions", cfn.ListOf(cfn.MapOf("AttributeName", name, "AttributeType", cfn.Str(typ))),
		"KeySchema", cfn.ListOf(cfn.MapOf("AttributeName", name, "KeyType", cfn.Str("HASH"))))
	if pt := r.props.Get("ProvisionedThroughput"); pt != nil {
		props.Set("BillingMode", cfn.Str(string(model.BillingProvisioned)))
		props.Set("ProvisionedThroughput", pt)
	} else {
		props.Set("BillingMode", cfn.Str(string(model.BillingOnDemand)))
	}
	for _, k := range []string{"TableName", "SSESpecification", "PointInTimeRecoverySpecification"} {
		if v := r.props.Get(k); v != nil {
			props.Set(k, v)
		}
	}
	if tags := r.props.Get("Tags"); tags != nil && tags.Kind == cfn.Map {
		list := &cfn.Value{Kind: cfn.List}
		for i, k := range tags.Keys {
			list.Items = append(list.Items, cfn.MapOf("Key", cfn.Str(k), "Value", tags.Items[i]))
		}
		props.Set("Tags", list)
	}
	whole := &cfn.Value{Kind: cfn.Map, Pos: r.v.Pos}
	whole.Set("Type", cfn.Str(typeTable))
	for _, k := range r.v.Keys {
		if k != "Type" && k != "Properties" {
			whole.Set(k, r.v.Get(k))
		}
	}
	whole.Set("Properties", props)
	r.typ, r.v, r.props = typeTable, whole, props
}

// addResource adds a resource the import derived, unless the template has
// one of that ID already.
func (im *importer) addResource(id, typ string, props *cfn.Value) {
	if im.res[id] != nil {
		return
	}
	v := cfn.MapOf("Type", cfn.Str(typ), "Properties", props)
	im.res[id] = &resource{id: id, typ: typ, v: v, props: props}
	im.order = append(im.order, id)
}

// SAM WebSocket API properties and where they go: the API, or its stage.
var (
	samWebSocketAPIProps   = []string{"Name", "Description", "RouteSelectionExpression", "ApiKeySelectionExpression", "DisableExecuteApiEndpoint", "DisableSchemaValidation", "IpAddressType", "Tags"}
	samWebSocketStageProps = []string{"AccessLogSettings", "DefaultRouteSettings", "RouteSettings", "StageVariables"}
	samRouteProps          = []string{"ApiKeyRequired", "OperationName", "RouteResponseSelectionExpression", "ModelSelectionExpression", "RequestModels", "RequestParameters"}
)

// samWebSocketUnsupported says why a SAM WebSocket API cannot be expanded
// here, or "".
func samWebSocketUnsupported(props *cfn.Value) string {
	for _, k := range props.Keys {
		if !slices.Contains(samWebSocketAPIProps, k) && !slices.Contains(samWebSocketStageProps, k) &&
			k != "StageName" && k != "Routes" && k != "Auth" && k != "PropagateTags" {
			return "sets " + k
		}
	}
	if routes := props.Get("Routes"); routes != nil && routes.Kind != cfn.Map {
		return "has Routes that are not a map of route keys"
	}
	if auth := props.Get("Auth"); auth != nil {
		if t, _ := auth.Get("AuthType").Str(); t != "CUSTOM" && t != "NONE" {
			return "uses " + t + " authorization"
		}
		if auth.Get("InvokeRole") != nil {
			return "invokes its authorizer with a role"
		}
	}
	return ""
}

// samRouteKeyPart is how SAM names a route in logical IDs: the key without
// its special characters ($connect → connect).
func samRouteKeyPart(key string) string {
	var b strings.Builder
	for _, r := range key {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// expandWebSocketAPI rewrites an AWS::Serverless::WebSocketApi into the
// resources SAM generates for it, named as SAM names them: the API, its
// stage (<Api><StageName>Stage), and per route its route, integration and
// permission (<Api><key>Route…), plus the Lambda authorizer of $connect.
func (im *importer) expandWebSocketAPI(r *resource) {
	props := r.props
	api := cfn.MapOf("ProtocolType", cfn.Str("WEBSOCKET"))
	for _, k := range samWebSocketAPIProps {
		if v := props.Get(k); v != nil {
			api.Set(k, v)
		}
	}
	if api.Get("Name") == nil {
		api.Set("Name", cfn.Sub("${AWS::StackName}-"+r.id))
	}
	if api.Get("RouteSelectionExpression") == nil {
		api.Set("RouteSelectionExpression", cfn.Str(model.DefaultRouteSelectionExpression))
	}
	apiRef := cfn.Ref(r.id)
	stageName := cfn.Str("default")
	if v := props.Get("StageName"); v != nil {
		stageName = v
	}
	stagePart, _ := stageName.ScalarString()
	stage := cfn.MapOf("ApiId", apiRef, "StageName", stageName, "AutoDeploy", cfn.Boolean(true))
	for _, k := range samWebSocketStageProps {
		if v := props.Get(k); v != nil {
			stage.Set(k, v)
		}
	}
	im.addResource(r.id+samRouteKeyPart(stagePart)+"Stage", typeStage, stage)

	var authID string
	if auth := props.Get("Auth"); auth != nil {
		if t, _ := auth.Get("AuthType").Str(); t == "CUSTOM" {
			fn := functionRef(auth.Get("AuthArn"))
			authID = r.id + "Authorizer"
			a := cfn.MapOf("ApiId", apiRef, "AuthorizerType", cfn.Str("REQUEST"),
				"AuthorizerUri", cfn.Sub(model.InvokeURISub(fn)))
			if is := auth.Get("IdentitySource"); is != nil {
				a.Set("IdentitySource", is)
			}
			name := auth.Get("Name")
			if name == nil {
				name = cfn.Str(authID)
			}
			a.Set("Name", name)
			im.addResource(authID, typeAuthorizer, a)
			im.addResource(authID+"Permission", typePermission, cfn.MapOf(
				"Action", cfn.Str("lambda:InvokeFunction"), "FunctionName", cfn.GetAtt(fn, "Arn"),
				"Principal", cfn.Str(apiGatewayPrincipal),
				"SourceArn", cfn.Sub(model.AuthorizerSourceARNSub(r.id, authID))))
		}
	}
	routes := props.Get("Routes")
	for i := 0; routes != nil && i < len(routes.Keys); i++ {
		key, cfg := routes.Keys[i], routes.Items[i]
		prefix := r.id + samRouteKeyPart(key)
		route := cfn.MapOf("ApiId", apiRef, "RouteKey", cfn.Str(key), "Target", cfn.Sub("integrations/${"+prefix+"Integration}"))
		for _, k := range samRouteProps {
			if v := cfg.Get(k); v != nil {
				route.Set(k, v)
			}
		}
		if key == model.RouteConnect && authID != "" {
			route.Set("AuthorizationType", cfn.Str("CUSTOM"))
			route.Set("AuthorizerId", cfn.Ref(authID))
		}
		im.addResource(prefix+"Route", typeRoute, route)
		fn := functionRef(cfg.Get("FunctionArn"))
		integ := cfn.MapOf("ApiId", apiRef, "IntegrationType", cfn.Str("AWS_PROXY"),
			"IntegrationUri", cfn.Sub(model.InvokeURISub(fn)))
		if t := cfg.Get("IntegrationTimeout"); t != nil {
			integ.Set("TimeoutInMillis", t)
		}
		im.addResource(prefix+"Integration", typeIntegration, integ)
		im.addResource(prefix+"Permission", typePermission, cfn.MapOf(
			"Action", cfn.Str("lambda:InvokeFunction"), "FunctionName", cfn.GetAtt(fn, "Arn"),
			"Principal", cfn.Str(apiGatewayPrincipal),
			"SourceArn", cfn.Sub(model.RouteSourceARNSub(r.id, key))))
	}
	whole := &cfn.Value{Kind: cfn.Map, Pos: r.v.Pos}
	whole.Set("Type", cfn.Str(typeAPI))
	for _, k := range r.v.Keys {
		if k != "Type" && k != "Properties" {
			whole.Set(k, r.v.Get(k))
		}
	}
	whole.Set("Properties", api)
	r.typ, r.v, r.props = typeAPI, whole, api
}
