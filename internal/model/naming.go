package model

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The names here are shared by the exporter, which writes them into
// templates, and by Validate, which checks that no two of them collide. A
// future importer and the local runner use them too, so a handler sees the
// same environment variable names locally and on AWS.

// MaxLogicalIDLength is CloudFormation's limit on a logical ID.
const MaxLogicalIDLength = 255

// ValidLogicalID reports whether s may be a CloudFormation logical ID: 1 to
// 255 ASCII letters and digits. A loop rather than a regexp, because
// validation checks several derived IDs per route on every edit.
func ValidLogicalID(s string) bool {
	if len(s) == 0 || len(s) > MaxLogicalIDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// LogicalIDProblem says what keeps s from being a logical ID, in words for
// the person who typed it; "" when it is one.
func LogicalIDProblem(s string) string {
	if ValidLogicalID(s) {
		return ""
	}
	if s == "" {
		return "a name is needed"
	}
	var bad []string
	seen := map[rune]bool{}
	for _, r := range s {
		if r < 128 && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') || seen[r] {
			continue
		}
		seen[r] = true
		switch r {
		case ' ':
			bad = append(bad, "spaces")
		default:
			bad = append(bad, strconv.QuoteRune(r))
		}
	}
	if len(bad) == 0 {
		return fmt.Sprintf("the name is %d characters long; CloudFormation allows %d", len(s), MaxLogicalIDLength)
	}
	if len(bad) > 5 {
		bad = append(bad[:5], "…")
	}
	return "a name may hold only letters and digits (it is the CloudFormation logical ID), not " + strings.Join(bad, ", ")
}

// Route keys API Gateway gives a meaning of its own.
const (
	RouteConnect    = "$connect"
	RouteDisconnect = "$disconnect"
	RouteDefault    = "$default"
)

// RouteLogicalPart turns a route key into the part of a logical ID that names
// it: $connect → Connect, sendMessage → SendMessage, send-message →
// SendMessage. Two keys can map to the same part; Validate refuses that.
func RouteLogicalPart(key string) string {
	var b strings.Builder
	upper := true
	for _, r := range strings.TrimPrefix(key, "$") {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Logical IDs of the resources an API becomes besides the API itself.
func (a *API) StageLogicalID() string      { return a.Name + "Stage" }
func (a *API) AuthorizerLogicalID() string { return a.Name + "Authorizer" }

// AuthorizerPermissionLogicalID names the permission that lets the API invoke
// its authorizer.
func (a *API) AuthorizerPermissionLogicalID() string { return a.Name + "AuthorizerPermission" }

// RouteLogicalIDs names what a route becomes: its AWS::ApiGatewayV2::Route,
// Integration, RouteResponse (two-way routes only) and the
// AWS::Lambda::Permission that lets the route invoke its handler. Computed
// together because validation derives them for every route on every edit.
func (a *API) RouteLogicalIDs(r *Route) (route, integration, response, permission string) {
	prefix := a.Name + RouteLogicalPart(r.Key)
	return prefix + "Route", prefix + "Integration", prefix + "RouteResponse", prefix + "Permission"
}

// RouteLogicalID names a route's AWS::ApiGatewayV2::Route.
func (a *API) RouteLogicalID(r *Route) string {
	id, _, _, _ := a.RouteLogicalIDs(r)
	return id
}

// IntegrationLogicalID names a route's AWS::ApiGatewayV2::Integration.
func (a *API) IntegrationLogicalID(r *Route) string {
	_, id, _, _ := a.RouteLogicalIDs(r)
	return id
}

// RouteResponseLogicalID names a two-way route's AWS::ApiGatewayV2::RouteResponse.
func (a *API) RouteResponseLogicalID(r *Route) string {
	_, _, id, _ := a.RouteLogicalIDs(r)
	return id
}

// PermissionLogicalID names the AWS::Lambda::Permission that lets the route
// invoke its handler.
func (a *API) PermissionLogicalID(r *Route) string {
	_, _, _, id := a.RouteLogicalIDs(r)
	return id
}

// Logical IDs of the resources a function becomes besides the function.
func (f *Function) RoleLogicalID() string { return f.Name + "Role" }

// RoleLogicalID names the role a state machine runs with.
func (m *StateMachine) RoleLogicalID() string { return m.Name + "Role" }

// IntegrationRoleLogicalID names the credentials role of a route's AWS
// service integration.
func (a *API) IntegrationRoleLogicalID(r *Route) string {
	return a.Name + RouteLogicalPart(r.Key) + "IntegrationRole"
}

// IntegrationResponseLogicalID names the integration response of a two-way
// route without a proxy integration.
func (a *API) IntegrationResponseLogicalID(r *Route) string {
	return a.Name + RouteLogicalPart(r.Key) + "IntegrationResponse"
}

// EventSourceLogicalID names what connects a queue or topic to a function
// it triggers: an event source mapping or a subscription.
func EventSourceLogicalID(source, function string) string { return source + "To" + function }

// EventSourcePermissionLogicalID names the permission a topic needs to
// invoke a function.
func EventSourcePermissionLogicalID(source, function string) string {
	return source + "To" + function + "Permission"
}
func (f *Function) LogGroupLogicalID() string { return f.Name + "LogGroup" }

// Output names.
func (a *API) URLOutputName() string         { return a.Name + "Url" }
func (a *API) CallbackURLOutputName() string { return a.Name + "CallbackUrl" }
func (f *Function) ArnOutputName() string    { return f.Name + "Arn" }
func (t *Table) NameOutputName() string      { return t.Name + "Name" }

// URLOutputName names a queue's URL output, ArnOutputName a topic's or a
// state machine's ARN output.
func (q *Queue) URLOutputName() string        { return q.Name + "Url" }
func (t *Topic) ArnOutputName() string        { return t.Name + "Arn" }
func (m *StateMachine) ArnOutputName() string { return m.Name + "Arn" }

// EnvName turns a logical ID into an environment variable stem:
// ChatApi → CHAT_API, Connections → CONNECTIONS, HTTP2Api → HTTP2_API.
func EnvName(logicalID string) string {
	var b strings.Builder
	runes := []rune(logicalID)
	for i, r := range runes {
		if i > 0 && unicode.IsUpper(r) {
			prevLower := unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1])
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if prevLower || (unicode.IsUpper(runes[i-1]) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// TableEnvVar is the variable that gives a wired function the table's name.
func (t *Table) TableEnvVar() string { return tableEnvVar(t.Name) }

func tableEnvVar(logicalID string) string { return EnvName(logicalID) + "_TABLE_NAME" }

// ConnectionsEnvVar is the variable that gives a function wired to send the
// API's https://…/<stage>/@connections URL.
func (a *API) ConnectionsEnvVar() string { return connectionsEnvVar(a.Name) }

func connectionsEnvVar(logicalID string) string { return EnvName(logicalID) + "_CONNECTIONS_URL" }

// KebabName turns a logical ID into a folder name: ConnectionHandler →
// connection-handler.
func KebabName(logicalID string) string {
	return strings.ToLower(strings.ReplaceAll(EnvName(logicalID), "_", "-"))
}

// DefaultCodePath is where a new function's code lives in the repository.
func DefaultCodePath(logicalID string) string { return "functions/" + KebabName(logicalID) }

// The Fn::Sub templates of the URLs and ARNs a template derives from an
// API. The export writes them and the importer recognises them as the
// export's own, so both take them from here. api is the API's logical ID;
// stage is how the stage is named: its name, or a ${…} reference.

// WebSocketURLSub is the wss:// URL clients connect to.
func WebSocketURLSub(api, stage string) string {
	return "wss://${" + api + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + stage
}

// ConnectionsURLSub is the @connections management endpoint of the stage.
func ConnectionsURLSub(api, stage string) string {
	return "https://${" + api + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + stage + "/@connections"
}

// ManageConnectionsARNSub is what execute-api:ManageConnections is granted
// on: posting to the stage's connections.
func ManageConnectionsARNSub(api, stage string) string {
	return "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + api + "}/" + stage + "/POST/@connections/*"
}

// RouteSourceARNSub is the source a route's Lambda permission allows: the
// route key on any stage.
func RouteSourceARNSub(api, routeKey string) string {
	return "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + api + "}/*/" + routeKey
}

// AuthorizerSourceARNSub is the source an authorizer's Lambda permission
// allows.
func AuthorizerSourceARNSub(api, authorizer string) string {
	return "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + api + "}/authorizers/${" + authorizer + "}"
}

// InvokeURISub is the URI API Gateway calls a Lambda function through, for
// an integration or an authorizer; function is its logical ID.
func InvokeURISub(function string) string {
	return "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + function + ".Arn}/invocations"
}
