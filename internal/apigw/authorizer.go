package apigw

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
)

// authorize runs the API's REQUEST authorizer for a $connect. It returns the
// requestContext.authorizer later events carry, or the HTTP status API
// Gateway refuses the upgrade with: 401 when an identity source is missing
// or the authorizer throws "Unauthorized", 403 when its policy does not
// allow $connect, 500 when it fails otherwise.
func (ep *endpoint) authorize(ctx context.Context, cr *connectRequest, now time.Time) (map[string]any, int, string) {
	a := ep.api.Authorizer
	for _, src := range a.IdentitySources {
		if !identitySourcePresent(src, cr) {
			return nil, http.StatusUnauthorized, "identity source " + src + " missing"
		}
	}
	if ep.authorizer == nil {
		return nil, http.StatusInternalServerError, "authorizer " + a.Name + " has no function wired"
	}
	methodArn := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s", ep.g.opts.Region, ep.g.opts.AccountID, ep.apiID, ep.api.StageName, RouteConnect)
	rc := ep.context(cr, RouteConnect, eventConnect, now)
	ev := authorizerEvent{
		Type:                            "REQUEST",
		MethodArn:                       methodArn,
		Headers:                         singleValues(cr.headers),
		MultiValueHeaders:               cr.headers,
		QueryStringParameters:           singleValues(cr.query),
		MultiValueQueryStringParameters: cr.query,
		StageVariables:                  map[string]string{},
		RequestContext:                  rc,
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, http.StatusInternalServerError, err.Error()
	}
	ep.publish(Event{Kind: EventInvoke, ConnectionID: cr.id, FunctionID: ep.authorizer.FunctionID, Function: ep.authorizer.Function,
		WireIDs: []string{ep.authorizer.WireID}, Detail: "authorizer"})
	start := time.Now()
	ictx, cancel := context.WithTimeout(ctx, ep.g.opts.IntegrationTimeout)
	result, err := ep.g.invoker.Invoke(ictx, ep.authorizer.Function, payload)
	cancel()
	latency := time.Since(start).Milliseconds()
	if err != nil {
		// A Lambda authorizer refuses with `throw new Error("Unauthorized")`;
		// API Gateway turns exactly that into 401 and anything else into 500.
		if strings.Contains(err.Error(), "Unauthorized") {
			return nil, http.StatusUnauthorized, "authorizer: Unauthorized"
		}
		ep.publish(Event{Kind: EventError, ConnectionID: cr.id, FunctionID: ep.authorizer.FunctionID, Function: ep.authorizer.Function,
			WireIDs: []string{ep.authorizer.WireID}, Detail: err.Error()})
		return nil, http.StatusInternalServerError, "authorizer failed: " + err.Error()
	}
	var out struct {
		PrincipalID    string         `json:"principalId"`
		PolicyDocument policyDocument `json:"policyDocument"`
		Context        map[string]any `json:"context"`
	}
	if err := json.Unmarshal(result, &out); err != nil {
		return nil, http.StatusInternalServerError, "authorizer returned an invalid policy: " + err.Error()
	}
	if !out.PolicyDocument.allows(methodArn) {
		return nil, http.StatusForbidden, "authorizer policy does not allow " + methodArn
	}
	auth := map[string]any{"principalId": out.PrincipalID, "integrationLatency": latency}
	for k, v := range out.Context {
		auth[k] = v
	}
	return auth, 0, ""
}

// identitySourcePresent reports whether the request has the identity source,
// such as route.request.header.Auth or route.request.querystring.token.
func identitySourcePresent(src string, cr *connectRequest) bool {
	src = strings.TrimPrefix(src, "$")
	src = strings.TrimPrefix(src, "route.")
	src = strings.TrimPrefix(src, "request.")
	switch {
	case strings.HasPrefix(src, "header."):
		name := strings.TrimPrefix(src, "header.")
		for k, v := range cr.headers {
			if strings.EqualFold(k, name) && len(v) > 0 && v[0] != "" {
				return true
			}
		}
	case strings.HasPrefix(src, "querystring."):
		v := cr.query[strings.TrimPrefix(src, "querystring.")]
		return len(v) > 0 && v[0] != ""
	case strings.HasPrefix(src, "context.") || strings.HasPrefix(src, "stageVariables."):
		// Context and stage variables are always there locally.
		return true
	}
	return false
}

// policyDocument is an IAM policy as an authorizer returns it. Statement
// and Resource may each be one value or a list.
type policyDocument struct {
	Statement oneOrMany[policyStatement] `json:"Statement"`
}

type policyStatement struct {
	Effect   string            `json:"Effect"`
	Action   oneOrMany[string] `json:"Action"`
	Resource oneOrMany[string] `json:"Resource"`
}

// allows applies IAM's rule: an explicit Deny wins, otherwise an Allow is
// needed.
func (p policyDocument) allows(arn string) bool {
	allowed := false
	for _, s := range p.Statement {
		if !s.coversInvoke() || !s.matches(arn) {
			continue
		}
		switch strings.ToLower(s.Effect) {
		case "deny":
			return false
		case "allow":
			allowed = true
		}
	}
	return allowed
}

func (s policyStatement) coversInvoke() bool {
	if len(s.Action) == 0 {
		return true
	}
	for _, a := range s.Action {
		if ok, _ := path.Match(strings.ToLower(a), "execute-api:invoke"); ok || a == "*" {
			return true
		}
	}
	return false
}

func (s policyStatement) matches(arn string) bool {
	for _, r := range s.Resource {
		if wildcardMatch(r, arn) {
			return true
		}
	}
	return false
}

// wildcardMatch matches IAM resource patterns, where * spans anything
// (slashes included) and ? one character. Greedy with one backtrack point,
// so it is linear-ish in practice and never exponential.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// oneOrMany decodes a JSON value that may be one item or a list of items.
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		var list []T
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*o = list
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*o = oneOrMany[T]{one}
	return nil
}
