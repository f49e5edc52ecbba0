package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The API kind: an API Gateway WebSocket API with its routes, stage and
// authorizer.
func init() {
	registerKind(&KindSpec{
		Kind: KindAPI, Order: 10,
		Noun: "API", Article: "an API",
		IDPrefix: "api", BaseName: "WebSocketApi",
		add: func(s *Stack, id, name string) *Node {
			a := NewAPI(id, name)
			s.APIs = append(s.APIs, a)
			return &a.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, a := range s.APIs {
				fn(a.ID, &a.Kept)
				for _, r := range a.Routes {
					fn(a.ID, &r.Kept)
				}
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, a := range s.APIs {
				fn(&a.Node)
			}
		},
		count: func(s *Stack) int { return len(s.APIs) },
		applyDefaults: func(s *Stack) {
			for _, a := range s.APIs {
				if a.RouteSelectionExpression == "" {
					a.RouteSelectionExpression = DefaultRouteSelectionExpression
				}
				if a.StageName == "" {
					a.StageName = DefaultStageName
				}
			}
		},
		check: func(v *validator) {
			for _, a := range v.stack.APIs {
				v.checkAPI(a)
			}
		},
		clone: func(dst, src *Stack) {
			dst.APIs = cloneEach(src.APIs, func(a *API) *API {
				c := *a
				c.Routes = cloneEach(a.Routes, func(r *Route) *Route {
					c := *r
					c.Kept = cloneKept(r.Kept)
					c.Integration = cloneIntegration(r.Integration)
					return &c
				})
				c.Kept = cloneKept(a.Kept)
				if a.Authorizer != nil {
					au := *a.Authorizer
					au.IdentitySources = slices.Clone(au.IdentitySources)
					c.Authorizer = &au
				}
				return &c
			})
		},
		remove: func(s *Stack, id string, gone map[string]bool) bool {
			found := false
			s.APIs = slices.DeleteFunc(s.APIs, func(a *API) bool {
				if a.ID != id {
					return false
				}
				for _, r := range a.Routes {
					gone[r.ID] = true
				}
				found = true
				return true
			})
			return found
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, a := range src.APIs {
				a.ID = ids.renew(a.ID, "api")
				a.Kept = forgetLogicalIDs(a.Kept)
				for _, r := range a.Routes {
					r.ID = ids.renew(r.ID, "rt")
					r.Kept = forgetLogicalIDs(r.Kept)
				}
				dst.APIs = append(dst.APIs, a)
			}
		},
	})
}

// API is an API Gateway WebSocket API with its routes and its one stage.
type API struct {
	Node
	Description string `json:"description,omitempty"`
	// RouteSelectionExpression picks the route from each message, for
	// example $request.body.action.
	RouteSelectionExpression string `json:"routeSelectionExpression"`
	// APIKeySelectionExpression is empty, $request.header.x-api-key or
	// $context.authorizer.usageIdentifierKey.
	APIKeySelectionExpression string      `json:"apiKeySelectionExpression,omitempty"`
	StageName                 string      `json:"stageName"`
	Routes                    []*Route    `json:"routes,omitempty"`
	Authorizer                *Authorizer `json:"authorizer,omitempty"`
	// Kept is what an imported template said about the API's resources
	// that Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// Route is one route of a WebSocket API. Its handler is the function at the
// other end of its integration wire.
type Route struct {
	ID  string `json:"id"`
	Key string `json:"key"`
	// TwoWay adds a route response, so what the handler returns is sent back
	// to the client.
	TwoWay         bool `json:"twoWay,omitempty"`
	APIKeyRequired bool `json:"apiKeyRequired,omitempty"`
	// Authorized puts the API's authorizer in front of the route. API Gateway
	// allows that only on $connect.
	Authorized bool `json:"authorized,omitempty"`
	// Integration is how the route reaches its target when that is not
	// the wire's default (see Integration); nil for the default.
	Integration *Integration `json:"integration,omitempty"`
	// Kept is what an imported template said about the route's resources
	// that Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// Authorizer is a Lambda REQUEST authorizer of an API. The function is the
// one wired to the API with an authorizer wire.
type Authorizer struct {
	Name string `json:"name"`
	// IdentitySources are the request parts the authorizer needs, such as
	// route.request.querystring.token or route.request.header.Auth.
	IdentitySources []string `json:"identitySources"`
}

// NewAPI returns an API with the defaults and no routes.
func NewAPI(id, name string) *API {
	return &API{
		Node:                     Node{ID: id, Name: name},
		RouteSelectionExpression: DefaultRouteSelectionExpression,
		StageName:                DefaultStageName,
	}
}

func (v *validator) checkAPI(a *API) {
	l := nodeLabel{KindAPI, &a.Node}
	if len(a.Description) > MaxDescriptionLength {
		v.add(a.ID, "description", "%s: description is %d bytes; the limit is %d", l, len(a.Description), MaxDescriptionLength)
	}
	if !validSelectionExpression(a.RouteSelectionExpression) {
		v.add(a.ID, "routeSelectionExpression", "%s: route selection expression %q must read the message body, like $request.body.action", l, a.RouteSelectionExpression)
	}
	if a.APIKeySelectionExpression != "" && !slices.Contains(APIKeySelectionExpressions, a.APIKeySelectionExpression) {
		v.add(a.ID, "apiKeySelectionExpression", "%s: API key selection expression must be empty or one of %s", l, strings.Join(APIKeySelectionExpressions, ", "))
	}
	if !stageNamePattern.MatchString(a.StageName) {
		v.add(a.ID, "stageName", "%s: stage name %q must be 1 to 128 letters, digits, hyphens or underscores", l, a.StageName)
	}
	if len(a.Routes) == 0 {
		// Valid (an API of API keys and usage plans has none), but no
		// client can connect to it.
		v.warn(a.ID, "routes", "%s has no routes: no client can connect until it has $connect, $default or a custom route", l)
	}
	keys := map[string]bool{}
	parts := map[string]string{}
	needsKey := false
	for i, r := range a.Routes {
		field := "routes[" + strconv.Itoa(i) + "]"
		rl := routeLabel{a, r}
		v.checkID(r.ID, rl)
		switch {
		case r.Key == "":
			v.add(r.ID, field+".key", "%s: route %d has no key", l, i+1)
		case strings.HasPrefix(r.Key, "$") && r.Key != RouteConnect && r.Key != RouteDisconnect && r.Key != RouteDefault:
			v.add(r.ID, field+".key", "%s: route key %q is reserved; keys starting with $ are only $connect, $disconnect and $default", l, r.Key)
		case !strings.HasPrefix(r.Key, "$") && (len(r.Key) > MaxRouteKeyLength || !validCustomRouteKey(r.Key)):
			v.add(r.ID, field+".key", "%s: route key %q must be 1 to %d letters, digits or _ . : / - and start with a letter or digit", l, r.Key, MaxRouteKeyLength)
		case keys[r.Key]:
			v.add(r.ID, field+".key", "%s: route key %q is used twice", l, r.Key)
		default:
			keys[r.Key] = true
			part := RouteLogicalPart(r.Key)
			if other, ok := parts[part]; ok {
				v.add(r.ID, field+".key", "%s: route keys %q and %q both become %q in resource names; rename one", l, other, r.Key, part)
			}
			parts[part] = r.Key
		}
		if r.Authorized {
			if r.Key != RouteConnect {
				v.add(r.ID, field+".authorized", "%s: only $connect can have an authorizer", rl)
			} else if a.Authorizer == nil {
				v.incomplete(r.ID, field+".authorized", "%s uses the authorizer, but %s has none", rl, l)
			}
		}
		if r.APIKeyRequired {
			needsKey = true
		}
		var target *NodeRef
		if w := v.index.RouteTarget(r.ID); w != nil {
			if n, ok := v.index.Node(w.To); ok {
				target = &n
			}
		}
		if r.Key != "" && target == nil && !r.Integration.Wireless() && !r.KeepsTarget() {
			v.incomplete(r.ID, field, "%s has no handler; wire it to a function, queue, topic, state machine or table, or make it a MOCK or HTTP integration", rl)
		}
		v.checkIntegration(r, field, rl, target)
	}
	if needsKey && a.APIKeySelectionExpression == "" {
		v.incomplete(a.ID, "apiKeySelectionExpression", "%s: a route requires an API key, so set the API key selection expression", l)
	}
	v.checkAuthorizer(a, l)
}

func validSelectionExpression(e string) bool {
	if selectionPattern.MatchString(e) {
		return true
	}
	// A template: at least one ${request.body…} and nothing else that looks
	// like a variable.
	if !selectionTemplate.MatchString(e) {
		return false
	}
	rest := selectionTemplate.ReplaceAllString(e, "")
	return !strings.ContainsAny(rest, "${}")
}

func (v *validator) checkAuthorizer(a *API, l fmt.Stringer) {
	wired := v.index.WiresToOfKind(a.ID, WireAuthorizer)
	if a.Authorizer == nil {
		if len(wired) > 0 {
			v.incomplete(a.ID, "authorizer", "%s has an authorizer wire but no authorizer settings", l)
		}
		return
	}
	if len(wired) == 0 {
		v.incomplete(a.ID, "authorizer", "%s: the authorizer has no function; wire a function to the API as its authorizer", l)
	}
	if n := len(a.Authorizer.Name); n == 0 || n > 128 {
		v.add(a.ID, "authorizer.name", "%s: authorizer name must be 1 to 128 characters", l)
	}
	if len(a.Authorizer.IdentitySources) == 0 {
		v.add(a.ID, "authorizer.identitySources", "%s: the authorizer needs at least one identity source, like route.request.querystring.token", l)
	}
	for _, src := range a.Authorizer.IdentitySources {
		if !identitySourcePattern.MatchString(src) {
			v.add(a.ID, "authorizer.identitySources", "%s: identity source %q must look like route.request.header.Name or route.request.querystring.name", l, src)
		}
	}
	authorized := slices.ContainsFunc(a.Routes, func(r *Route) bool { return r.Authorized })
	if !authorized {
		v.warn(a.ID, "authorizer", "%s: the authorizer is not used; mark $connect as authorized", l)
	}
}
