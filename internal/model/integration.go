package model

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Integration is how a route reaches what handles it, as API Gateway has
// it. A route with none is a Lambda proxy integration of the function it
// is wired to, or an AWS service integration of the queue, topic, state
// machine or table it is wired to, with Switchboard's request template.
// Set, it says what differs: a Lambda integration without the proxy, a
// MOCK or HTTP integration (no wire), the templates, the timeout.
type Integration struct {
	// Type is empty (from the wire: AWS_PROXY to a function, AWS to a
	// service), AWS (a function without the proxy), MOCK, HTTP or
	// HTTP_PROXY.
	Type IntegrationType `json:"type,omitempty"`
	// URI and Method are the endpoint of an HTTP integration.
	URI    string `json:"uri,omitempty"`
	Method string `json:"method,omitempty"`
	// RequestTemplates map a template key (chosen by the template
	// selection expression; $default when it has none) to a Velocity
	// template of the request. Empty for a service integration means
	// Switchboard's template for the action.
	RequestTemplates            map[string]string `json:"requestTemplates,omitempty"`
	TemplateSelectionExpression string            `json:"templateSelectionExpression,omitempty"`
	// Responses are the integration responses of a two-way route whose
	// integration is not a proxy.
	Responses []IntegrationResponse `json:"responses,omitempty"`
	// TimeoutMillis is API Gateway's wait for the integration; 0 is its
	// default of 29 seconds.
	TimeoutMillis int `json:"timeoutMillis,omitempty"`
}

// IntegrationResponse maps what the integration returned to what the route
// sends back.
type IntegrationResponse struct {
	// Key selects the response: $default, or /2\d\d/ and the like.
	Key                         string            `json:"key"`
	Templates                   map[string]string `json:"templates,omitempty"`
	TemplateSelectionExpression string            `json:"templateSelectionExpression,omitempty"`
}

// IntegrationType is an API Gateway integration type.
type IntegrationType string

// The integration types API Gateway offers WebSocket routes.
const (
	IntegrationAWSProxy  IntegrationType = "AWS_PROXY"
	IntegrationAWS       IntegrationType = "AWS"
	IntegrationMock      IntegrationType = "MOCK"
	IntegrationHTTP      IntegrationType = "HTTP"
	IntegrationHTTPProxy IntegrationType = "HTTP_PROXY"
)

// IntegrationTypes lists what Integration.Type may be, in the order a menu
// shows them; the empty type is the wire's.
var IntegrationTypes = []IntegrationType{"", IntegrationAWS, IntegrationMock, IntegrationHTTP, IntegrationHTTPProxy}

// API Gateway's limits on an integration's timeout.
const (
	MinIntegrationTimeout = 50
	MaxIntegrationTimeout = 29000
)

// Wireless says the integration needs no wire: MOCK and HTTP ones reach
// nothing in the stack.
func (i *Integration) Wireless() bool {
	return i != nil && (i.Type == IntegrationMock || i.Type == IntegrationHTTP || i.Type == IntegrationHTTPProxy)
}

// Proxy says the route is a Lambda proxy integration when wired to a
// function.
func (i *Integration) Proxy() bool { return i == nil || i.Type == "" }

// HTTPMethods are the methods an HTTP integration may use.
var HTTPMethods = []string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

func cloneIntegration(i *Integration) *Integration {
	if i == nil {
		return nil
	}
	c := *i
	c.RequestTemplates = cloneStrings(i.RequestTemplates)
	c.Responses = slices.Clone(i.Responses)
	for k, r := range c.Responses {
		c.Responses[k].Templates = cloneStrings(r.Templates)
	}
	return &c
}

func cloneStrings(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// checkIntegration reports the problems of a route's integration; target
// is what the route is wired to (nil for none).
func (v *validator) checkIntegration(r *Route, field string, rl fmt.Stringer, target *NodeRef) {
	i := r.Integration
	if i == nil {
		return
	}
	field += ".integration"
	switch i.Type {
	case "":
	case IntegrationAWS:
		if target != nil && target.Kind != KindFunction {
			v.add(r.ID, field+".type", "%s: a service integration is chosen by its wire; leave the type empty", rl)
		}
	case IntegrationMock:
	case IntegrationHTTP, IntegrationHTTPProxy:
		u, err := url.Parse(i.URI)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add(r.ID, field+".uri", "%s: an HTTP integration needs an http:// or https:// URL, not %q", rl, i.URI)
		}
		if !slices.Contains(HTTPMethods, i.Method) {
			v.add(r.ID, field+".method", "%s: HTTP method must be one of %s", rl, strings.Join(HTTPMethods, ", "))
		}
	default:
		v.add(r.ID, field+".type", "%s: integration type %q must be empty, AWS, MOCK, HTTP or HTTP_PROXY", rl, i.Type)
	}
	if i.Wireless() && target != nil {
		v.add(r.ID, field+".type", "%s: a %s integration reaches nothing in the stack; delete the route's wire or change the type", rl, i.Type)
	}
	if i.TimeoutMillis != 0 && (i.TimeoutMillis < MinIntegrationTimeout || i.TimeoutMillis > MaxIntegrationTimeout) {
		v.add(r.ID, field+".timeoutMillis", "%s: integration timeout must be %d to %d ms, not %d", rl, MinIntegrationTimeout, MaxIntegrationTimeout, i.TimeoutMillis)
	}
	proxy := i.Type == "" && target != nil && target.Kind == KindFunction || i.Type == IntegrationHTTPProxy
	if proxy && (len(i.RequestTemplates) > 0 || i.TemplateSelectionExpression != "") {
		v.add(r.ID, field+".requestTemplates", "%s: a proxy integration passes the request as it is and takes no templates", rl)
	}
	for k, t := range i.RequestTemplates {
		if k == "" || len(t) > 32768 {
			v.add(r.ID, field+".requestTemplates", "%s: request template %q needs a key and at most 32768 characters", rl, k)
		}
	}
	if len(i.Responses) > 0 && !r.TwoWay {
		v.add(r.ID, field+".responses", "%s: integration responses are sent back only on a two-way route", rl)
	}
	keys := map[string]bool{}
	for _, resp := range i.Responses {
		if resp.Key == "" || keys[resp.Key] {
			v.add(r.ID, field+".responses", "%s: each integration response needs its own key, like $default", rl)
		}
		keys[resp.Key] = true
	}
}

// EffectiveIntegrationType is the type the export writes for a route wired
// by target (nil for none).
func EffectiveIntegrationType(i *Integration, target *Wire) IntegrationType {
	switch {
	case i != nil && i.Type != "":
		return i.Type
	case target != nil && target.Kind == WireIntegration:
		return IntegrationAWSProxy
	}
	return IntegrationAWS
}

// NeedsIntegrationResponse says a route sends its integration's result back
// through an integration response: a two-way route whose integration is no
// proxy (those pass the response on as it is).
func NeedsIntegrationResponse(r *Route, target *Wire) bool {
	t := EffectiveIntegrationType(r.Integration, target)
	return r.TwoWay && t != IntegrationAWSProxy && t != IntegrationHTTPProxy
}
