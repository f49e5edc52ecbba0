package apigw

import "slices"

// The route keys API Gateway gives a meaning of its own.
const (
	RouteConnect    = "$connect"
	RouteDisconnect = "$disconnect"
	RouteDefault    = "$default"
)

// API is one WebSocket API as the gateway serves it. The gateway knows
// API Gateway, not the stack: the local runner turns the stack's API node,
// its routes and the functions wired to them into this.
type API struct {
	// ID names the API in events; Name is its logical ID, for logs.
	ID, Name string
	// StageName is the first path segment of the API's URLs.
	StageName string
	// RouteSelectionExpression picks the route from each message, such as
	// $request.body.action.
	RouteSelectionExpression string
	// APIKeySelectionExpression is empty, $request.header.x-api-key or
	// $context.authorizer.usageIdentifierKey.
	APIKeySelectionExpression string
	Routes                    []Route
	// Authorizer runs on $connect when that route is Authorized; nil when
	// the API has none.
	Authorizer *Authorizer
	// SendWireIDs name, in push events, the wires of the functions that
	// may post to the API's @connections.
	SendWireIDs []string
}

// Route is one route of an API and the function its integration calls.
type Route struct {
	// ID names the route in events.
	ID  string
	Key string
	// TwoWay sends what the handler returns back to the client.
	TwoWay         bool
	APIKeyRequired bool
	// Authorized puts the API's authorizer in front of the route ($connect
	// only, as on API Gateway).
	Authorized bool
	// Target is the function behind the route; nil when the route has no
	// integration, which then fails as API Gateway's would.
	Target *Target
}

// Authorizer is a Lambda REQUEST authorizer.
type Authorizer struct {
	Name string
	// IdentitySources are the request parts it needs, such as
	// route.request.querystring.token; a request without one gets 401.
	IdentitySources []string
	// Target is the authorizer's function; nil when none is wired.
	Target *Target
}

// Target is a function the gateway invokes and the wire that leads to it.
type Target struct {
	// Function is the name the Invoker is called with; FunctionID and
	// WireID name the function and the wire in events.
	Function, FunctionID, WireID string
}

// ConfigError is a configuration the gateway cannot serve, such as a stage
// name that is not a path segment. Its message is meant for the user.
type ConfigError struct {
	Message string
}

// Error implements error.
func (e *ConfigError) Error() string { return e.Message }

// clone copies the API deeply, so later changes to the caller's value do
// not reach a running gateway.
func (a API) clone() API {
	a.Routes = slices.Clone(a.Routes)
	for i, r := range a.Routes {
		if r.Target != nil {
			t := *r.Target
			a.Routes[i].Target = &t
		}
	}
	if a.Authorizer != nil {
		au := *a.Authorizer
		au.IdentitySources = slices.Clone(au.IdentitySources)
		if au.Target != nil {
			t := *au.Target
			au.Target = &t
		}
		a.Authorizer = &au
	}
	a.SendWireIDs = slices.Clone(a.SendWireIDs)
	return a
}
