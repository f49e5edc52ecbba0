package export

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigatewayv2"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The API kind becomes an API Gateway WebSocket API with its authorizer,
// per route a route, integration, route response and invoke permission,
// and an auto-deploying stage; its outputs are the wss:// and @connections
// URLs.
func init() {
	registerKind(model.KindAPI, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) {
			for _, a := range s.APIs {
				resources += 4 + 6*len(a.Routes)
				outputs += 2
			}
			return resources, outputs
		},
		build: func(b *builder) {
			for _, a := range b.s.APIs {
				b.api(a)
			}
		},
	})
}

// stageRef is how outputs name an API's stage.
func stageRef(a *model.API) string { return "${" + stageID(a) + "}" }

func (b *builder) api(a *model.API) {
	api := &apigatewayv2.Api{
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
	b.add(id, api, a.ID, a.Kept, model.PartMain, at(b.sub("${AWS::StackName}-"+a.Name), "Name"))
	apiRef := b.ref(id)

	if a.Authorizer != nil {
		fn := b.s.AuthorizerFunction(a.ID) // Validate guarantees one; a draft may have none.
		authorizerID := model.KeptLogicalID(a.Kept, model.PartAuthorizer, a.AuthorizerLogicalID())
		authorizer := &apigatewayv2.Authorizer{
			AuthorizerType: "REQUEST",
			IdentitySource: a.Authorizer.IdentitySources,
			Name:           a.Authorizer.Name,
		}
		fns := []propertyFn{at(apiRef, "ApiId")}
		if fn != nil {
			fns = append(fns, at(b.invokeURI(functionID(fn)), "AuthorizerUri"))
		}
		b.add(authorizerID, authorizer, a.ID, a.Kept, model.PartAuthorizer, fns...)
		if fn != nil {
			b.add(model.KeptLogicalID(a.Kept, model.PartAuthorizerPermission, a.AuthorizerPermissionLogicalID()), &lambda.Permission{
				Action:    "lambda:InvokeFunction",
				Principal: "apigateway.amazonaws.com",
			}, a.ID, a.Kept, model.PartAuthorizerPermission,
				at(b.getAtt(functionID(fn), "Arn"), "FunctionName"),
				at(b.sub(model.AuthorizerSourceARNSub(id, authorizerID)), "SourceArn"))
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
		route := &apigatewayv2.Route{RouteKey: r.Key}
		routeFns := []propertyFn{at(apiRef, "ApiId"), at(b.sub("integrations/${"+integrationID+"}"), "Target")}
		if r.APIKeyRequired {
			route.ApiKeyRequired = cloudformation.Bool(true)
		}
		if r.Authorized {
			route.AuthorizationType = cloudformation.String("CUSTOM")
			routeFns = append(routeFns, at(b.ref(model.KeptLogicalID(a.Kept, model.PartAuthorizer, a.AuthorizerLogicalID())), "AuthorizerId"))
		}
		if r.TwoWay {
			route.RouteResponseSelectionExpression = cloudformation.String(model.RouteDefault)
		}
		b.add(routeID, route, r.ID, r.Kept, model.PartRoute, routeFns...)
		routes = append(routes, routeID)

		target := b.index.RouteTarget(r.ID)
		b.integration(a, r, target, integrationID, apiRef)
		if r.TwoWay {
			b.add(responseID, &apigatewayv2.RouteResponse{RouteResponseKey: model.RouteDefault}, r.ID, r.Kept, model.PartRouteResponse,
				at(apiRef, "ApiId"), at(b.ref(routeID), "RouteId"))
		}
		if fn != nil {
			b.add(permissionID, &lambda.Permission{
				Action:    "lambda:InvokeFunction",
				Principal: "apigateway.amazonaws.com",
			}, r.ID, r.Kept, model.PartPermission,
				at(b.getAtt(functionID(fn), "Arn"), "FunctionName"),
				at(b.sub(model.RouteSourceARNSub(id, r.Key)), "SourceArn"))
		}
	}

	// The stage references no route, so without DependsOn CloudFormation
	// may create it, and auto-deploy the API, before the routes exist.
	stage := &apigatewayv2.Stage{
		StageName:                  a.StageName,
		AutoDeploy:                 cloudformation.Bool(true),
		AWSCloudFormationDependsOn: routes,
	}
	if keptProperty(a.Kept, model.PartStage, "DeploymentId") != nil {
		// An imported stage deployed by its own Deployment: auto-deploy
		// would fight it.
		stage.AutoDeploy = nil
	}
	b.add(stageID(a), stage, a.ID, a.Kept, model.PartStage, at(apiRef, "ApiId"))

	b.output(a.URLOutputName(), fmt.Sprintf("WebSocket URL of %s, for clients", a.Name),
		b.sub(model.WebSocketURLSub(id, stageRef(a))))
	b.output(a.CallbackURLOutputName(), fmt.Sprintf("@connections URL of %s, for sending to its clients", a.Name),
		b.connectionsURL(a, stageRef(a)))
}
