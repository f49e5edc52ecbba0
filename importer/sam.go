package importer

import (
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/model"
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
func (im *importer) expandSAM(root *value) error {
	globals := root.path("Globals", "Function")
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
func withGlobals(props, globals *value) *value {
	if globals == nil || globals.kind != kindMap {
		return props
	}
	out := &value{kind: kindMap, pos: props.pos, keys: slices.Clone(props.keys), vals: slices.Clone(props.vals)}
	for i, k := range globals.keys {
		g := globals.vals[i]
		own := out.get(k)
		switch {
		case own == nil:
			out.set(k, g)
		case k == "Environment" && own.get("Variables") != nil && g.get("Variables") != nil:
			vars := &value{kind: kindMap, keys: slices.Clone(g.get("Variables").keys), vals: slices.Clone(g.get("Variables").vals)}
			ov := own.get("Variables")
			for j, name := range ov.keys {
				vars.set(name, ov.vals[j])
			}
			out.set(k, mapValue("Variables", vars))
		}
	}
	return out
}

// samUnsupported says why a SAM function cannot become a plain one, or "".
func (im *importer) samUnsupported(props *value) string {
	for i, k := range props.keys {
		v := props.vals[i]
		switch {
		case k == "Events":
			if v.kind == kindMap && len(v.keys) > 0 {
				return "has Events"
			}
		case k == "Policies":
			for _, p := range valueList(v) {
				if p.kind == kindMap {
					if fn, _ := p.intrinsic(); fn != "" {
						continue
					}
					if p.get("Statement") != nil {
						continue
					}
					if len(p.keys) != 1 || samTablePolicies[p.keys[0]] == nil || im.samPolicyTable(p.vals[0]) == "" {
						return "uses the policy template " + strings.Join(p.keys, ", ")
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

// samPolicyTable returns the table a DynamoDB policy template names with
// TableName: !Ref Table, or "".
func (im *importer) samPolicyTable(args *value) string {
	id := args.get("TableName").refTo()
	if im.isType(id, typeTable) || im.isType(id, typeSAMSimpleTable) {
		return id
	}
	return ""
}

func (im *importer) expandSAMFunction(r *resource, props *value) {
	fn := &value{kind: kindMap, pos: r.props.pos}
	for i, k := range props.keys {
		if slices.Contains(samPassThrough, k) {
			fn.set(k, props.vals[i])
		}
	}
	v := props.get("CodeUri")
	switch {
	case v != nil && v.kind == kindMap && v.get("Bucket") != nil:
		code := mapValue("S3Bucket", v.get("Bucket"), "S3Key", v.get("Key"))
		if ver := v.get("Version"); ver != nil {
			code.set("S3ObjectVersion", ver)
		}
		fn.set("Code", code)
	case v != nil:
		fn.set("Code", v)
	case props.get("InlineCode") != nil:
		fn.set("Code", mapValue("ZipFile", props.get("InlineCode")))
	}
	if t, ok := props.get("Tracing").str(); ok {
		fn.set("TracingConfig", mapValue("Mode", strValue(t)))
	}
	if dlq := props.get("DeadLetterQueue"); dlq != nil {
		fn.set("DeadLetterConfig", mapValue("TargetArn", dlq.get("TargetArn")))
	}
	if tags := props.get("Tags"); tags != nil && tags.kind == kindMap {
		list := &value{kind: kindList}
		for i, k := range tags.keys {
			list.items = append(list.items, mapValue("Key", strValue(k), "Value", tags.vals[i]))
		}
		fn.set("Tags", list)
	}
	if props.get("Role") == nil {
		roleID := r.id + "Role"
		fn.set("Role", getAttValue(roleID, "Arn"))
		im.addResource(roleID, typeRole, im.samRole(r.id, props))
	}
	// The function keeps its resource attributes (Condition, DependsOn…).
	whole := &value{kind: kindMap, pos: r.v.pos}
	whole.set("Type", strValue(typeFunction))
	for _, k := range r.v.keys {
		if k != "Type" && k != "Properties" {
			whole.set(k, r.v.get(k))
		}
	}
	whole.set("Properties", fn)
	r.typ, r.v, r.props = typeFunction, whole, fn
}

// samRole is the execution role SAM creates for a function: Lambda's basic
// execution policy, the managed policies the function lists, and its
// statements and DynamoDB policy templates. When wires say all of the
// latter, they are left out: the export writes them from the wires, and
// editing a wire then changes what the function may do.
func (im *importer) samRole(fnID string, props *value) *value {
	managed := listValue(subValue("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"))
	var inline []*value
	wired := true
	isTable := func(id string) bool { return im.isType(id, typeTable) || im.isType(id, typeSAMSimpleTable) }
	isAPI := func(id string) bool { return im.isType(id, typeAPI) }
	for _, p := range valueList(props.get("Policies")) {
		var doc *value
		switch {
		case p.kind == kindString:
			managed.items = append(managed.items, subValue("arn:${AWS::Partition}:iam::aws:policy/"+managedPolicyPath(p.text)))
			continue
		case p.kind == kindMap && p.get("Statement") != nil:
			doc = p
			if _, ok := p.get("Version").str(); !ok {
				doc = mapValue("Version", strValue("2012-10-17"), "Statement", p.get("Statement"))
			}
		case p.kind == kindMap && len(p.keys) == 1 && samTablePolicies[p.keys[0]] != nil:
			table := im.samPolicyTable(p.vals[0])
			arn := getAttValue(table, "Arn")
			doc = mapValue("Version", strValue("2012-10-17"), "Statement", listValue(mapValue(
				"Effect", strValue("Allow"),
				"Action", strList(samTablePolicies[p.keys[0]]...),
				"Resource", listValue(arn, subValue("${"+table+".Arn}/index/*")))))
		default:
			// An intrinsic naming a managed policy.
			managed.items = append(managed.items, p)
			continue
		}
		for _, st := range statements(doc) {
			_, complete := grants(st, isTable, isAPI)
			wired = wired && complete
		}
		inline = append(inline, mapValue("PolicyName", strValue(fnID+"RolePolicy"+itoa(len(inline))), "PolicyDocument", doc))
	}
	role := mapValue(
		"AssumeRolePolicyDocument", mapValue("Version", strValue("2012-10-17"), "Statement", listValue(mapValue(
			"Effect", strValue("Allow"),
			"Principal", mapValue("Service", strList("lambda.amazonaws.com")),
			"Action", strList("sts:AssumeRole")))),
		"ManagedPolicyArns", managed)
	if len(inline) > 0 && !wired {
		role.set("Policies", listValue(inline...))
	}
	if pb := props.get("PermissionsBoundary"); pb != nil {
		role.set("PermissionsBoundary", pb)
	}
	if len(inline) > 0 && wired {
		// Keep the statements reachable for wires without keeping them.
		im.samWired = append(im.samWired, samGrant{fn: fnID, docs: inline})
	}
	return role
}

// samGrant is a SAM function's policies that wires say completely.
type samGrant struct {
	fn   string
	docs []*value
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
	name, typ := strValue("id"), "S"
	if pk := r.props.get("PrimaryKey"); pk != nil {
		if n := pk.get("Name"); n != nil {
			name = n
		}
		switch t, _ := pk.get("Type").str(); t {
		case "Number":
			typ = "N"
		case "Binary":
			typ = "B"
		}
	}
	props := mapValue(
		"AttributeDefinitions", listValue(mapValue("AttributeName", name, "AttributeType", strValue(typ))),
		"KeySchema", listValue(mapValue("AttributeName", name, "KeyType", strValue("HASH"))))
	if pt := r.props.get("ProvisionedThroughput"); pt != nil {
		props.set("BillingMode", strValue(string(model.BillingProvisioned)))
		props.set("ProvisionedThroughput", pt)
	} else {
		props.set("BillingMode", strValue(string(model.BillingOnDemand)))
	}
	for _, k := range []string{"TableName", "SSESpecification", "PointInTimeRecoverySpecification"} {
		if v := r.props.get(k); v != nil {
			props.set(k, v)
		}
	}
	if tags := r.props.get("Tags"); tags != nil && tags.kind == kindMap {
		list := &value{kind: kindList}
		for i, k := range tags.keys {
			list.items = append(list.items, mapValue("Key", strValue(k), "Value", tags.vals[i]))
		}
		props.set("Tags", list)
	}
	whole := &value{kind: kindMap, pos: r.v.pos}
	whole.set("Type", strValue(typeTable))
	for _, k := range r.v.keys {
		if k != "Type" && k != "Properties" {
			whole.set(k, r.v.get(k))
		}
	}
	whole.set("Properties", props)
	r.typ, r.v, r.props = typeTable, whole, props
}

// addResource adds a resource the import derived, unless the template has
// one of that ID already.
func (im *importer) addResource(id, typ string, props *value) {
	if im.res[id] != nil {
		return
	}
	v := mapValue("Type", strValue(typ), "Properties", props)
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
func samWebSocketUnsupported(props *value) string {
	for _, k := range props.keys {
		if !slices.Contains(samWebSocketAPIProps, k) && !slices.Contains(samWebSocketStageProps, k) &&
			k != "StageName" && k != "Routes" && k != "Auth" && k != "PropagateTags" {
			return "sets " + k
		}
	}
	if routes := props.get("Routes"); routes != nil && routes.kind != kindMap {
		return "has Routes that are not a map of route keys"
	}
	if auth := props.get("Auth"); auth != nil {
		if t, _ := auth.get("AuthType").str(); t != "CUSTOM" && t != "NONE" {
			return "uses " + t + " authorization"
		}
		if auth.get("InvokeRole") != nil {
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
	api := mapValue("ProtocolType", strValue("WEBSOCKET"))
	for _, k := range samWebSocketAPIProps {
		if v := props.get(k); v != nil {
			api.set(k, v)
		}
	}
	if api.get("Name") == nil {
		api.set("Name", subValue("${AWS::StackName}-"+r.id))
	}
	if api.get("RouteSelectionExpression") == nil {
		api.set("RouteSelectionExpression", strValue(model.DefaultRouteSelectionExpression))
	}
	apiRef := refValue(r.id)
	stageName := strValue("default")
	if v := props.get("StageName"); v != nil {
		stageName = v
	}
	stagePart, _ := stageName.scalarString()
	stage := mapValue("ApiId", apiRef, "StageName", stageName, "AutoDeploy", boolValue(true))
	for _, k := range samWebSocketStageProps {
		if v := props.get(k); v != nil {
			stage.set(k, v)
		}
	}
	im.addResource(r.id+samRouteKeyPart(stagePart)+"Stage", typeStage, stage)

	var authID string
	if auth := props.get("Auth"); auth != nil {
		if t, _ := auth.get("AuthType").str(); t == "CUSTOM" {
			fn := functionRef(auth.get("AuthArn"))
			authID = r.id + "Authorizer"
			a := mapValue("ApiId", apiRef, "AuthorizerType", strValue("REQUEST"),
				"AuthorizerUri", subValue(model.InvokeURISub(fn)))
			if is := auth.get("IdentitySource"); is != nil {
				a.set("IdentitySource", is)
			}
			name := auth.get("Name")
			if name == nil {
				name = strValue(authID)
			}
			a.set("Name", name)
			im.addResource(authID, typeAuthorizer, a)
			im.addResource(authID+"Permission", typePermission, mapValue(
				"Action", strValue("lambda:InvokeFunction"), "FunctionName", getAttValue(fn, "Arn"),
				"Principal", strValue(apiGatewayPrincipal),
				"SourceArn", subValue(model.AuthorizerSourceARNSub(r.id, authID))))
		}
	}
	routes := props.get("Routes")
	for i := 0; routes != nil && i < len(routes.keys); i++ {
		key, cfg := routes.keys[i], routes.vals[i]
		prefix := r.id + samRouteKeyPart(key)
		route := mapValue("ApiId", apiRef, "RouteKey", strValue(key), "Target", subValue("integrations/${"+prefix+"Integration}"))
		for _, k := range samRouteProps {
			if v := cfg.get(k); v != nil {
				route.set(k, v)
			}
		}
		if key == model.RouteConnect && authID != "" {
			route.set("AuthorizationType", strValue("CUSTOM"))
			route.set("AuthorizerId", refValue(authID))
		}
		im.addResource(prefix+"Route", typeRoute, route)
		fn := functionRef(cfg.get("FunctionArn"))
		integ := mapValue("ApiId", apiRef, "IntegrationType", strValue("AWS_PROXY"),
			"IntegrationUri", subValue(model.InvokeURISub(fn)))
		if t := cfg.get("IntegrationTimeout"); t != nil {
			integ.set("TimeoutInMillis", t)
		}
		im.addResource(prefix+"Integration", typeIntegration, integ)
		im.addResource(prefix+"Permission", typePermission, mapValue(
			"Action", strValue("lambda:InvokeFunction"), "FunctionName", getAttValue(fn, "Arn"),
			"Principal", strValue(apiGatewayPrincipal),
			"SourceArn", subValue(model.RouteSourceARNSub(r.id, key))))
	}
	whole := &value{kind: kindMap, pos: r.v.pos}
	whole.set("Type", strValue(typeAPI))
	for _, k := range r.v.keys {
		if k != "Type" && k != "Properties" {
			whole.set(k, r.v.get(k))
		}
	}
	whole.set("Properties", api)
	r.typ, r.v, r.props = typeAPI, whole, api
}
