package export

import (
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigatewayv2"
	"github.com/awslabs/goformation/v7/cloudformation/iam"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// defaultTemplateKey is the request template API Gateway uses when the
// template selection expression is \$default.
const defaultTemplateKey = "$default"

// integration adds a route's integration, as its wire and Integration say:
// a Lambda proxy (the default), a Lambda without the proxy, an AWS service
// with a credentials role allowed the one action on the one resource, MOCK
// or HTTP; and, for a two-way route without a proxy, its integration
// response. A draft's route with no target gets none.
func (b *builder) integration(a *model.API, r *model.Route, target *model.Wire, id string, apiRef *cfn.Value) {
	i := r.Integration
	if i == nil {
		i = &model.Integration{}
	}
	typ := model.EffectiveIntegrationType(r.Integration, target)
	if target == nil && !i.Wireless() {
		return
	}
	in := &apigatewayv2.Integration{IntegrationType: string(typ)}
	fns := []propertyFn{at(apiRef, "ApiId")}
	if i.TimeoutMillis != 0 {
		in.TimeoutInMillis = cloudformation.Int(i.TimeoutMillis)
	}
	if i.TemplateSelectionExpression != "" {
		in.TemplateSelectionExpression = cloudformation.String(i.TemplateSelectionExpression)
	}
	if len(i.RequestTemplates) > 0 {
		in.RequestTemplates = i.RequestTemplates
	}
	switch {
	case typ == model.IntegrationMock:
		if len(i.RequestTemplates) == 0 {
			in.RequestTemplates = map[string]string{defaultTemplateKey: `{"statusCode": 200}`}
			in.TemplateSelectionExpression = cloudformation.String(`\` + defaultTemplateKey)
		}
	case typ == model.IntegrationHTTP || typ == model.IntegrationHTTPProxy:
		in.IntegrationUri = cloudformation.String(i.URI)
		in.IntegrationMethod = cloudformation.String(i.Method)
	case target.Kind == model.WireIntegration:
		fns = append(fns, at(b.invokeURI(functionID(b.index.Function(target.To))), "IntegrationUri"))
	default:
		fns = b.serviceIntegration(a, r, target, in, fns)
	}
	b.add(id, in, r.ID, r.Kept, model.PartIntegration, fns...)
	if model.NeedsIntegrationResponse(r, target) {
		responses := i.Responses
		if len(responses) == 0 {
			responses = []model.IntegrationResponse{{Key: model.RouteDefault}}
		}
		// One resource per route in the model's names; more responses
		// than one are rare and keep the first's name with their key.
		for k, resp := range responses {
			rid := model.KeptLogicalID(r.Kept, model.PartIntegrationResponse, a.IntegrationResponseLogicalID(r))
			if k > 0 {
				rid += model.RouteLogicalPart(resp.Key)
			}
			ir := &apigatewayv2.IntegrationResponse{IntegrationResponseKey: resp.Key}
			if len(resp.Templates) > 0 {
				ir.ResponseTemplates = resp.Templates
			}
			if resp.TemplateSelectionExpression != "" {
				ir.TemplateSelectionExpression = cloudformation.String(resp.TemplateSelectionExpression)
			}
			b.add(rid, ir, r.ID, r.Kept, model.PartIntegrationResponse, at(apiRef, "ApiId"), at(b.ref(id), "IntegrationId"))
		}
	}
}

// serviceIntegration fills an AWS service integration of the route's wire
// and adds its credentials role: API Gateway assumes it, and it allows only
// the wire's action on only the wired resource.
func (b *builder) serviceIntegration(a *model.API, r *model.Route, target *model.Wire, in *apigatewayv2.Integration, fns []propertyFn) []propertyFn {
	action := model.ServiceActions[target.Kind]
	in.IntegrationMethod = cloudformation.String("POST")
	var (
		uri, resource *cfn.Value
		template      string
		form          bool
	)
	switch target.Kind {
	case model.WireSendMessage:
		q := b.index.Queue(target.To)
		qid := queueID(q)
		uri = b.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${" + qid + ".QueueName}")
		resource = b.getAtt(qid, "Arn")
		template = "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
		if q.FIFO {
			// A FIFO queue orders per connection; without content-based
			// deduplication each message is its own.
			template += "&MessageGroupId=$util.urlEncode($context.connectionId)"
			if !q.ContentBasedDeduplication {
				template += "&MessageDeduplicationId=$util.urlEncode($context.requestId)"
			}
		}
		form = true
	case model.WirePublish:
		t := b.index.Topic(target.To)
		tid := topicID(t)
		uri = b.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:sns:path//")
		resource = b.ref(tid)
		template = "Action=Publish&TopicArn=$util.urlEncode('${" + tid + "}')&Message=$util.urlEncode($input.body)"
		if t.FIFO {
			template += "&MessageGroupId=$util.urlEncode($context.connectionId)&MessageDeduplicationId=$util.urlEncode($context.requestId)"
		}
		form = true
	case model.WireStartExecution, model.WireStartSyncExecution:
		m := b.index.StateMachine(target.To)
		mid := stateMachineID(m)
		uri = b.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/" + action.Action)
		resource = b.ref(mid)
		template = `{"input": "$util.escapeJavaScript($input.body)", "stateMachineArn": "${` + mid + `}"}`
	case model.WirePutItem:
		t := b.index.Table(target.To)
		tid := tableID(t)
		uri = b.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:dynamodb:action/PutItem")
		resource = b.getAtt(tid, "Arn")
		template = PutItemTemplate(t, "${"+tid+"}")
	case model.WirePutRecord:
		sid := streamID(b.index.Stream(target.To))
		uri = b.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:kinesis:action/PutRecord")
		resource = b.getAtt(sid, "Arn")
		// Records are ordered per connection.
		template = `{"StreamName": "${` + sid + `}", "Data": "$util.base64Encode($input.body)", "PartitionKey": "$context.connectionId"}`
	case model.WirePutEvents:
		bid := busID(b.index.Bus(target.To))
		uri = b.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:events:action/PutEvents")
		resource = b.getAtt(bid, "Arn")
		template = PutEventsTemplate(a.Name, "${"+bid+".Name}")
		in.RequestParameters = map[string]string{
			"integration.request.header.Content-Type": "'application/x-amz-json-1.1'",
			"integration.request.header.X-Amz-Target": "'AWSEvents.PutEvents'",
		}
	}
	fns = append(fns, at(uri, "IntegrationUri"))
	if form {
		in.RequestParameters = map[string]string{"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"}
	}
	if in.RequestTemplates == nil {
		// RequestTemplates is untyped in goformation, so the map holding
		// the Sub is set whole.
		templates := b.object(1)
		templates.Keys = append(templates.Keys, defaultTemplateKey)
		value := b.str(template)
		if strings.Contains(template, "${") {
			value = b.sub(template)
		}
		templates.Items = append(templates.Items, value)
		fns = append(fns, at(templates, "RequestTemplates"))
		if in.TemplateSelectionExpression == nil {
			in.TemplateSelectionExpression = cloudformation.String(`\` + defaultTemplateKey)
		}
	}
	role := model.KeptLogicalID(r.Kept, model.PartIntegrationRole, a.IntegrationRoleLogicalID(r))
	b.add(role, &iam.Role{
		AssumeRolePolicyDocument: policyDocument{Version: "2012-10-17", Statement: []statement{{
			Effect:    "Allow",
			Principal: &principal{Service: []string{"apigateway.amazonaws.com"}},
			Action:    []string{"sts:AssumeRole"},
		}}},
		Policies: []iam.Role_Policy{{
			PolicyName:     policyName(action.Action),
			PolicyDocument: allow([]string{action.IAMAction()}, resource),
		}},
	}, r.ID, r.Kept, model.PartIntegrationRole)
	return append(fns, at(b.getAtt(role, "Arn"), "CredentialsArn"))
}

// PutEventsTemplate is the request template of a route → bus PutEvents
// integration: the event's source is the API, its detail type the route,
// so a rule's pattern can pick either, and its detail the message.
// busName is how the template names the bus (a ${Logical.Name} the Fn::Sub
// resolves, or a local run's name).
func PutEventsTemplate(api, busName string) string {
	return `{"Entries": [{"EventBusName": "` + busName + `", "Source": "` + api + `", "DetailType": "$context.routeKey", "Detail": "$util.escapeJavaScript($input.body)"}]}`
}

// PutItemTemplate is the request template of a route → table PutItem
// integration: an item keyed by the request (its ID, or its time for a
// number key) holding the connection ID and the message. tableName is how
// the template names the table (a ${Logical} the Fn::Sub resolves, or a
// local run's name).
func PutItemTemplate(t *model.Table, tableName string) string {
	key := `{"S": "$context.requestId"}`
	switch t.PartitionKey.Type {
	case model.AttributeNumber:
		key = `{"N": "$context.requestTimeEpoch"}`
	case model.AttributeBinary:
		key = `{"B": "$util.base64Encode($context.requestId)"}`
	}
	item := `"` + t.PartitionKey.Name + `": ` + key
	if t.SortKey != nil {
		item += `, "` + t.SortKey.Name + `": {"` + string(t.SortKey.Type) + `": "` + sortValue(t.SortKey.Type) + `"}`
	}
	return `{"TableName": "` + tableName + `", "Item": {` + item + `, "connectionId": {"S": "$context.connectionId"}, "body": {"S": "$util.escapeJavaScript($input.body)"}}}`
}

// sortValue is what a PutItem route writes in a table's sort key.
func sortValue(t model.AttributeType) string {
	if t == model.AttributeBinary {
		return "$util.base64Encode($context.requestTimeEpoch)"
	}
	return "$context.requestTimeEpoch"
}
