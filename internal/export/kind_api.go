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
				resources += 4 + 4*len(a.Routes)
				outputs += 2
			}
			return resources, outputs
		},
		build: func(b *builder) {
			for _, a := range b.s.APIs {
				b.api(a)
			}
		},
		literals: func(s *model.Stack, check func(what, value string)) {
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
		},
	})
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
