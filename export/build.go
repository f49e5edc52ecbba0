package export

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigatewayv2"
	"github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/policies"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/model"
)

// builder collects the template and how to lay it out.
type builder struct {
	s *model.Stack
	// goformation makes intrinsic functions goformation's own way, for
	// Template; otherwise they are placeholders for the encoder.
	goformation bool
	intrinsics  []*cfn.Value
	// size adds up the text encoded so far, a close guess at the size of
	// the written template, so writers allocate once.
	size int
	// Slabs the encoder allocates nodes and their slices from.
	slab     []cfn.Value
	keySlab  []string
	itemSlab []*cfn.Value
	// The sizes of the last slabs: each is twice the last, up to a limit.
	slabSize, keySlabSize, itemSlabSize int

	description string
	resources   []cloudformation.Resource
	// kept is, parallel to resources, what an import kept of each, or nil;
	// owners says which part of which object each is.
	kept    []*model.Kept
	owners  []Part
	outputs []cloudformation.Output
	// resourceIDs and outputNames are the written order: per API its API,
	// authorizer, routes (route, integration, route response, permission)
	// and stage; per function its role, log group and function; then tables.
	resourceIDs []string
	outputNames []string
	// codePaths maps each function's logical ID to its code folder.
	codePaths map[string]string

	// index makes a large stack build in linear time.
	index *model.Index
}

// add adds a resource, the part of the object whose Kept is kept. What an
// import kept of the part is written onto it in the tree.
func (b *builder) add(id string, r cloudformation.Resource, object string, kept []model.Kept, part string) {
	b.resources = append(b.resources, r)
	b.resourceIDs = append(b.resourceIDs, id)
	b.kept = append(b.kept, model.KeptPart(kept, part))
	b.owners = append(b.owners, Part{object, part})
}

// The logical IDs of a stack's resources: the source's, for a resource an
// import kept one of, else the one Switchboard generates.
func apiID(a *model.API) string { return model.KeptLogicalID(a.Kept, model.PartMain, a.Name) }
func functionID(f *model.Function) string {
	return model.KeptLogicalID(f.Kept, model.PartMain, f.Name)
}
func tableID(t *model.Table) string { return model.KeptLogicalID(t.Kept, model.PartMain, t.Name) }
func stageID(a *model.API) string {
	return model.KeptLogicalID(a.Kept, model.PartStage, a.StageLogicalID())
}

func (b *builder) output(name, description string, value string) {
	b.outputs = append(b.outputs, cloudformation.Output{Description: cloudformation.String(description), Value: value})
	b.outputNames = append(b.outputNames, name)
}

// build validates the stack and builds its resources. With goformation set,
// intrinsic functions are goformation's, for Template. A draft is not
// validated: a route without its handler, say, gets no integration.
func build(s *model.Stack, goformation, draft bool) (*builder, error) {
	if s == nil {
		return nil, model.Errorf(model.EINVALID, "export: no stack")
	}
	if err := s.CheckShape(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	// A draft is only compared with, never written: a string that
	// checkLiterals refuses can make it differ, not mislead.
	if !draft {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("export: stack %q: %w", s.Name, err)
		}
		if err := checkLiterals(s); err != nil {
			return nil, err
		}
	}
	b := &builder{
		s:           s,
		goformation: goformation,
		description: s.Description,
		codePaths:   make(map[string]string, len(s.Functions)),
		index:       model.NewIndex(s),
	}
	// Room for every resource and output, so the lists never regrow.
	resources, outputs := 3*len(s.Functions)+len(s.Tables), len(s.Functions)+len(s.Tables)
	for _, a := range s.APIs {
		resources += 4 + 4*len(a.Routes)
		outputs += 2
	}
	b.resources, b.resourceIDs = make([]cloudformation.Resource, 0, resources), make([]string, 0, resources)
	b.kept, b.owners = make([]*model.Kept, 0, resources), make([]Part, 0, resources)
	b.outputs, b.outputNames = make([]cloudformation.Output, 0, outputs), make([]string, 0, outputs)
	if b.description == "" {
		b.description = fmt.Sprintf("Switchboard stack %s: WebSocket APIs on API Gateway with their Lambda functions", s.Name)
	}
	for _, a := range s.APIs {
		b.api(a)
	}
	for _, f := range s.Functions {
		b.function(f)
	}
	for _, t := range s.Tables {
		b.table(t)
	}
	return b, nil
}

// checkLiterals refuses a stack holding a string that goformation's
// encoding of intrinsic functions would read as one: base64 of
// `{ "Ref": "X" }` in a description would come out as !Ref X. Only a string
// made for the purpose can look like that, but the template must say what
// the user typed or nothing.
func checkLiterals(s *model.Stack) error {
	var bad string
	check := func(what, v string) {
		if bad == "" && (decodeIntrinsic(v) != nil || strings.HasPrefix(v, placeholderMark)) {
			bad = what
		}
	}
	check("the stack description", s.Description)
	for _, a := range s.APIs {
		check("the description of "+a.Name, a.Description)
		check("the stage name of "+a.Name, a.StageName)
		check("the route selection expression of "+a.Name, a.RouteSelectionExpression)
		for _, r := range a.Routes {
			check("a route key of "+a.Name, r.Key)
		}
		if a.Authorizer != nil {
			check("the authorizer name of "+a.Name, a.Authorizer.Name)
			for _, src := range a.Authorizer.IdentitySources {
				check("an identity source of "+a.Name, src)
			}
		}
	}
	for _, f := range s.Functions {
		check("the description of "+f.Name, f.Description)
		check("the handler of "+f.Name, f.Handler)
		for _, k := range model.Sorted(f.Environment) {
			check("environment variable "+k+" of "+f.Name, f.Environment[k])
		}
	}
	for _, t := range s.Tables {
		check("the partition key of "+t.Name, t.PartitionKey.Name)
		if t.SortKey != nil {
			check("the sort key of "+t.Name, t.SortKey.Name)
		}
		check("the TTL attribute of "+t.Name, t.TTLAttribute)
	}
	if bad != "" {
		return model.Errorf(model.EINVALID, "export: stack %q: %s looks like an encoded CloudFormation function; change it", s.Name, bad)
	}
	return nil
}

// invokeURI is the URI API Gateway calls a Lambda function through.
func (b *builder) invokeURI(fn string) string {
	return b.sub(model.InvokeURISub(fn))
}

// connectionsURL is the @connections management endpoint of an API's stage,
// built from a Ref of the API, not a GetAtt: moto fails stacks that GetAtt
// ApiGatewayV2 resources. stage is what names the stage: a Ref of it for
// outputs, its literal name for functions (see stageName).
func (b *builder) connectionsURL(a *model.API, stage string) string {
	return b.sub(model.ConnectionsURLSub(apiID(a), stage))
}

// stageName is how a function's environment and role name an API's stage:
// literally, not by Ref. The stage depends on the routes, a route on its
// function, so a function that both handles a route and sends to the same
// API would close a dependency cycle (cfn-lint E3004) if it referenced the
// stage. The name is known before deployment, so nothing is lost.
//
// An imported stage may keep its own StageName: a literal, or a Ref to a
// parameter, which ${…} names as well.
func stageName(a *model.API) string {
	switch v := keptProperty(a.Kept, model.PartStage, "StageName").(type) {
	case string:
		return v
	case map[string]any:
		if name, ok := v["Ref"].(string); ok && len(v) == 1 {
			return "${" + name + "}"
		}
	}
	return a.StageName
}

// shapingProperties are the kept properties that change what the export
// generates, not only what is written over it: the only ones keptProperty
// is asked for.
var shapingProperties = map[[2]string]bool{
	{model.PartMain, "Role"}:          true,
	{model.PartStage, "StageName"}:    true,
	{model.PartStage, "DeploymentId"}: true,
}

// Shapes reports whether a property an import keeps on a part changes what
// Resources returns: a kept Role leaves a function without a generated
// role, a kept StageName names the stage in URLs and ARNs. Other kept
// properties are only written over what it returns.
func Shapes(part, key string) bool { return shapingProperties[[2]string{part, key}] }

// keptProperty returns the decoded value of a property an import kept on a
// part, or nil. It may only be asked for shapingProperties.
func keptProperty(kept []model.Kept, part, key string) any {
	if !Shapes(part, key) {
		panic("export: keptProperty of " + part + " " + key + ", which is not listed in shapingProperties")
	}
	k := model.KeptPart(kept, part)
	if k == nil {
		return nil
	}
	for _, f := range k.Properties {
		if f.Key == key {
			var v any
			if json.Unmarshal(f.Value, &v) == nil && v != nil {
				return v
			}
		}
	}
	return nil
}

// stageRef is how outputs name an API's stage.
func stageRef(a *model.API) string { return "${" + stageID(a) + "}" }

func (b *builder) api(a *model.API) {
	api := &apigatewayv2.Api{
		Name:                     cloudformation.String(b.sub("${AWS::StackName}-" + a.Name)),
		ProtocolType:             cloudformation.String("WEBSOCKET"),
		RouteSelectionExpression: cloudformation.String(a.RouteSelectionExpression),
	}
	if a.Description != "" {
		api.Description = cloudformation.String(a.Description)
	}
	if a.APIKeySelectionExpression != "" {
		api.ApiKeySelectionExpression = cloudformation.String(a.APIKeySelectionExpression)
	}
	id := apiID(a)
	b.add(id, api, a.ID, a.Kept, model.PartMain)
	apiRef := b.ref(id)

	if a.Authorizer != nil {
		fn := b.s.AuthorizerFunction(a.ID) // Validate guarantees one; a draft may have none.
		authorizerID := model.KeptLogicalID(a.Kept, model.PartAuthorizer, a.AuthorizerLogicalID())
		authorizer := &apigatewayv2.Authorizer{
			ApiId:          apiRef,
			AuthorizerType: "REQUEST",
			IdentitySource: a.Authorizer.IdentitySources,
			Name:           a.Authorizer.Name,
		}
		if fn != nil {
			authorizer.AuthorizerUri = cloudformation.String(b.invokeURI(functionID(fn)))
		}
		b.add(authorizerID, authorizer, a.ID, a.Kept, model.PartAuthorizer)
		if fn != nil {
			b.add(model.KeptLogicalID(a.Kept, model.PartAuthorizerPermission, a.AuthorizerPermissionLogicalID()), &lambda.Permission{
				Action:       "lambda:InvokeFunction",
				FunctionName: b.getAtt(functionID(fn), "Arn"),
				Principal:    "apigateway.amazonaws.com",
				SourceArn:    cloudformation.String(b.sub(model.AuthorizerSourceARNSub(id, authorizerID))),
			}, a.ID, a.Kept, model.PartAuthorizerPermission)
		}
	}

	routes := make([]string, 0, len(a.Routes))
	for _, r := range a.Routes {
		fn := b.index.RouteHandler(r.ID) // Validate guarantees one; a draft may have none.
		routeID, integrationID, responseID, permissionID := a.RouteLogicalIDs(r)
		if r.Kept != nil {
			routeID = model.KeptLogicalID(r.Kept, model.PartRoute, routeID)
			integrationID = model.KeptLogicalID(r.Kept, model.PartIntegration, integrationID)
			responseID = model.KeptLogicalID(r.Kept, model.PartRouteResponse, responseID)
			permissionID = model.KeptLogicalID(r.Kept, model.PartPermission, permissionID)
		}
		route := &apigatewayv2.Route{
			ApiId:    apiRef,
			RouteKey: r.Key,
			Target:   cloudformation.String(b.sub("integrations/${" + integrationID + "}")),
		}
		if r.APIKeyRequired {
			route.ApiKeyRequired = cloudformation.Bool(true)
		}
		if r.Authorized {
			route.AuthorizationType = cloudformation.String("CUSTOM")
			route.AuthorizerId = cloudformation.String(b.ref(model.KeptLogicalID(a.Kept, model.PartAuthorizer, a.AuthorizerLogicalID())))
		}
		if r.TwoWay {
			route.RouteResponseSelectionExpression = cloudformation.String(model.RouteDefault)
		}
		b.add(routeID, route, r.ID, r.Kept, model.PartRoute)
		routes = append(routes, routeID)

		if fn != nil {
			b.add(integrationID, &apigatewayv2.Integration{
				ApiId:           apiRef,
				IntegrationType: "AWS_PROXY",
				IntegrationUri:  cloudformation.String(b.invokeURI(functionID(fn))),
			}, r.ID, r.Kept, model.PartIntegration)
		}
		if r.TwoWay {
			b.add(responseID, &apigatewayv2.RouteResponse{
				ApiId:            apiRef,
				RouteId:          b.ref(routeID),
				RouteResponseKey: model.RouteDefault,
			}, r.ID, r.Kept, model.PartRouteResponse)
		}
		if fn != nil {
			b.add(permissionID, &lambda.Permission{
				Action:       "lambda:InvokeFunction",
				FunctionName: b.getAtt(functionID(fn), "Arn"),
				Principal:    "apigateway.amazonaws.com",
				SourceArn:    cloudformation.String(b.sub(model.RouteSourceARNSub(id, r.Key))),
			}, r.ID, r.Kept, model.PartPermission)
		}
	}

	// The stage references no route, so without DependsOn CloudFormation
	// may create it, and auto-deploy the API, before the routes exist.
	stage := &apigatewayv2.Stage{
		ApiId:                      apiRef,
		StageName:                  a.StageName,
		AutoDeploy:                 cloudformation.Bool(true),
		AWSCloudFormationDependsOn: routes,
	}
	if keptProperty(a.Kept, model.PartStage, "DeploymentId") != nil {
		// An imported stage deployed by its own Deployment: auto-deploy
		// would fight it.
		stage.AutoDeploy = nil
	}
	b.add(stageID(a), stage, a.ID, a.Kept, model.PartStage)

	b.output(a.URLOutputName(), fmt.Sprintf("WebSocket URL of %s, for clients", a.Name),
		b.sub(model.WebSocketURLSub(id, stageRef(a))))
	b.output(a.CallbackURLOutputName(), fmt.Sprintf("@connections URL of %s, for sending to its clients", a.Name),
		b.connectionsURL(a, stageRef(a)))
}

// policyDocument is an IAM policy. Structs, not maps, so the keys come out in
// IAM's usual order and the same every time.
type policyDocument struct {
	Version   string
	Statement []statement
}

type statement struct {
	Effect    string
	Principal *principal `json:",omitempty"`
	Action    []string
	Resource  []string `json:",omitempty"`
}

type principal struct {
	Service []string
}

func allow(actions []string, resources ...string) policyDocument {
	return policyDocument{Version: "2012-10-17", Statement: []statement{{Effect: "Allow", Action: actions, Resource: resources}}}
}

// policyName keeps a policy name within IAM's 128 characters while keeping
// it unique: a long name is cut and given a hash of the whole.
func policyName(name string) string {
	const limit = 128
	if len(name) <= limit {
		return name
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("%s-%08x", name[:limit-9], h.Sum32())
}

func (b *builder) function(f *model.Function) {
	id := functionID(f)
	logGroup := model.KeptLogicalID(f.Kept, model.PartLogGroup, f.LogGroupLogicalID())
	role := model.KeptLogicalID(f.Kept, model.PartRole, f.RoleLogicalID())
	// Least privilege: the function writes only to its own log group, so the
	// role needs no AWSLambdaBasicExecutionRole (which allows every group).
	pols := []iam.Role_Policy{{
		PolicyName: "Logs",
		PolicyDocument: allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"},
			b.getAtt(logGroup, "Arn")),
	}}
	env := make(map[string]string, len(f.Environment)+len(b.index.WiresFrom(f.ID)))
	for k, v := range f.Environment {
		env[k] = v
	}
	for _, w := range b.index.WiresFrom(f.ID) {
		g, ok := b.index.Grant(w)
		if !ok {
			continue // grants nothing, or a draft's wire to nothing
		}
		var resources []string
		if t := g.Table; t != nil {
			resources = []string{b.getAtt(tableID(t), "Arn"), b.sub("${" + tableID(t) + ".Arn}/index/*")}
			env[g.EnvName] = b.ref(tableID(t))
		} else {
			resources = []string{b.sub(model.ManageConnectionsARNSub(apiID(g.API), stageName(g.API)))}
			env[g.EnvName] = b.connectionsURL(g.API, stageName(g.API))
		}
		pols = append(pols, iam.Role_Policy{PolicyName: policyName(g.PolicyName), PolicyDocument: allow(g.Actions, resources...)})
	}
	// A function that kept its own Role (a shared role, an ARN) uses it;
	// a generated role would be one nothing assumes.
	keptRole := keptProperty(f.Kept, model.PartMain, "Role") != nil
	if !keptRole {
		b.add(role, &iam.Role{
			AssumeRolePolicyDocument: policyDocument{Version: "2012-10-17", Statement: []statement{{
				Effect:    "Allow",
				Principal: &principal{Service: []string{"lambda.amazonaws.com"}},
				Action:    []string{"sts:AssumeRole"},
			}}},
			Policies: pols,
		}, f.ID, f.Kept, model.PartRole)
	}

	policy := policies.DeletionPolicy(f.LogDeletionPolicy)
	b.add(logGroup, &logs.LogGroup{
		LogGroupName:                         cloudformation.String(b.sub("/aws/lambda/${AWS::StackName}-" + f.Name)),
		RetentionInDays:                      cloudformation.Int(f.LogRetentionDays),
		AWSCloudFormationDeletionPolicy:      policy,
		AWSCloudFormationUpdateReplacePolicy: policies.UpdateReplacePolicy(policy),
	}, f.ID, f.Kept, model.PartLogGroup)

	fn := &lambda.Function{
		Handler:       cloudformation.String(f.Handler),
		LoggingConfig: &lambda.Function_LoggingConfig{LogGroup: cloudformation.String(b.ref(logGroup))},
		MemorySize:    cloudformation.Int(f.MemorySize),
		Role:          b.getAtt(role, "Arn"),
		Runtime:       cloudformation.String(f.Runtime),
		Timeout:       cloudformation.Int(f.Timeout),
	}
	if f.Description != "" {
		fn.Description = cloudformation.String(f.Description)
	}
	if len(env) > 0 {
		fn.Environment = &lambda.Function_Environment{Variables: env}
	}
	b.add(id, fn, f.ID, f.Kept, model.PartMain)
	b.codePaths[id] = f.CodePath

	b.output(f.ArnOutputName(), fmt.Sprintf("ARN of function %s", f.Name), b.getAtt(id, "Arn"))
}

func (b *builder) table(t *model.Table) {
	keys := []model.Key{t.PartitionKey}
	if t.SortKey != nil {
		keys = append(keys, *t.SortKey)
	}
	tbl := &dynamodb.Table{
		BillingMode:                          cloudformation.String(string(t.BillingMode)),
		AWSCloudFormationDeletionPolicy:      policies.DeletionPolicy(t.DeletionPolicy),
		AWSCloudFormationUpdateReplacePolicy: policies.UpdateReplacePolicy(t.DeletionPolicy),
	}
	for i, k := range keys {
		keyType := "HASH"
		if i == 1 {
			keyType = "RANGE"
		}
		tbl.KeySchema = append(tbl.KeySchema, dynamodb.Table_KeySchema{AttributeName: k.Name, KeyType: keyType})
		tbl.AttributeDefinitions = append(tbl.AttributeDefinitions, dynamodb.Table_AttributeDefinition{AttributeName: k.Name, AttributeType: string(k.Type)})
	}
	if t.BillingMode == model.BillingProvisioned {
		tbl.ProvisionedThroughput = &dynamodb.Table_ProvisionedThroughput{ReadCapacityUnits: t.ReadCapacity, WriteCapacityUnits: t.WriteCapacity}
	}
	if t.TTLAttribute != "" {
		tbl.TimeToLiveSpecification = &dynamodb.Table_TimeToLiveSpecification{AttributeName: cloudformation.String(t.TTLAttribute), Enabled: true}
	}
	b.add(tableID(t), tbl, t.ID, t.Kept, model.PartMain)
	b.output(t.NameOutputName(), fmt.Sprintf("Name of table %s", t.Name), b.ref(tableID(t)))
}
