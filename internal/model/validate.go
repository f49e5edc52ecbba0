package model

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sync/atomic"
)

// Limits and patterns AWS enforces, checked here so a user learns of them on
// the canvas rather than halfway through a deployment.
const (
	MaxStackNameLength   = 128
	MaxDescriptionLength = 1024
	MaxRouteKeyLength    = 128
	MaxEnvironmentBytes  = 4096
	// MaxTemplateResources is CloudFormation's limit per template.
	MaxTemplateResources = 500
)

// IDPattern is what every node, route and wire ID matches, whatever its
// source (the canvas, an import, a shared switchboard.json). IDs are built
// into URLs, element IDs and SQL keys, so nothing that could steer a
// request (/, ., ?, %, &) may appear in one. The store's CHECK constraint
// repeats it in SQL.
const IDPattern = `^[A-Za-z][A-Za-z0-9_-]{0,63}$`

var idPattern = regexp.MustCompile(IDPattern)

// ValidID reports whether id matches IDPattern.
func ValidID(id string) bool { return idPattern.MatchString(id) }

var (
	stackNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
	stageNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	// Route selection on WebSocket APIs reads the message body, either as a
	// bare path or as a ${...} template that joins several.
	selectionPattern      = regexp.MustCompile(`^\$request\.body\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)
	selectionTemplate     = regexp.MustCompile(`\$\{request\.body\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\}`)
	identitySourcePattern = regexp.MustCompile(`^(route\.request\.(header|querystring)\.[A-Za-z0-9_.-]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$`)
	envNamePattern        = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	handlerPattern        = regexp.MustCompile(`^[^\s]{1,128}$`)
	keyAttributePattern   = regexp.MustCompile(`^.{1,255}$`)
)

// APIKeySelectionExpressions lists the values API Gateway accepts.
var APIKeySelectionExpressions = []string{"$request.header.x-api-key", "$context.authorizer.usageIdentifierKey"}

// reservedEnvNames are set by Lambda itself and cannot be overridden.
var reservedEnvNames = []string{"_HANDLER", "_X_AMZN_TRACE_ID", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"}

// Severity tells whether a problem stops an export.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Validate checks the whole stack and returns a *ValidationError listing
// every error, or nil. Warnings do not make it fail; Check returns them too.
// The export requires a stack to pass it.
func (s *Stack) Validate() error {
	return s.validate(false)
}

// ValidateDraft is Validate without the errors a stack may have while it is
// being drawn (Problem.Incomplete), such as a route with no handler yet. The
// store requires a stack to pass it.
func (s *Stack) ValidateDraft() error {
	return s.validate(true)
}

func (s *Stack) validate(draft bool) error {
	return ErrorOf(s.Check(), draft)
}

// ErrorOf is the error Validate (draft false) or ValidateDraft (draft true)
// returns for a stack whose Check returned problems, so a caller that kept
// the problems of a state need not check it again.
func ErrorOf(problems []Problem, draft bool) error {
	var errs []Problem
	for _, p := range problems {
		if p.Severity == SeverityError && !(draft && p.Incomplete) {
			errs = append(errs, p)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &ValidationError{Problems: errs}
}

// checks counts the runs of Check (CheckCount).
var checks atomic.Int64

// CheckCount is how many times Check has run in this process: checking a
// large stack costs more than saving it, so tests count the checks a request
// makes to keep them from multiplying again.
func CheckCount() int64 { return checks.Load() }

// Check returns every problem of the stack, errors and warnings, in a stable
// order: stack, APIs, functions, tables, wires, then name collisions.
func (s *Stack) Check() []Problem {
	checks.Add(1)
	v := newValidator(s)
	v.checkStack()
	v.checkParameters()
	v.checkDesign()
	for _, k := range kinds {
		k.check(v)
	}
	v.checkImported()
	v.checkWires()
	v.checkDerivedNames()
	return v.problems
}

type validator struct {
	stack    *Stack
	problems []Problem
	// ids maps each ID seen so far to a label of its owner.
	ids map[string]fmt.Stringer

	// Lookups built once, so checking a stack costs time linear in its size
	// (the canvas validates on every edit of stacks with thousands of parts).
	index *Index

	// badNames holds the nodes, and the routes of APIs, whose own name is
	// refused: the names derived from it say nothing new.
	badNames map[string]bool
}

// Labels name a resource in a problem message. They are formatted only when
// a problem is reported: validation runs on every edit of stacks with
// thousands of routes, nearly all of which have no problem.
type nodeLabel struct {
	kind Kind
	n    *Node
}

func (l nodeLabel) String() string { return label(l.kind, l.n) }

type routeLabel struct {
	a *API
	r *Route
}

func (l routeLabel) String() string {
	return fmt.Sprintf("%s route %q", label(KindAPI, &l.a.Node), l.r.Key)
}

type wireLabel struct {
	n    int
	kind WireKind
}

func (l wireLabel) String() string { return fmt.Sprintf("wire %d (%s)", l.n, l.kind) }

func newValidator(s *Stack) *validator {
	x := NewIndex(s)
	return &validator{
		stack: s,
		ids:   make(map[string]fmt.Stringer, len(x.nodes)+x.Routes+len(s.Wires)),
		index: x,
	}
}

func (v *validator) add(resource, field, format string, args ...any) {
	v.problems = append(v.problems, Problem{Severity: SeverityError, Resource: resource, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) incomplete(resource, field, format string, args ...any) {
	v.problems = append(v.problems, Problem{Severity: SeverityError, Incomplete: true, Resource: resource, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) warn(resource, field, format string, args ...any) {
	v.problems = append(v.problems, Problem{Severity: SeverityWarning, Resource: resource, Field: field, Message: fmt.Sprintf(format, args...)})
}

func label(kind Kind, n *Node) string {
	if k, ok := SpecOf(kind); ok {
		return k.Label(n)
	}
	name := n.Name
	if name == "" {
		name = n.ID
	}
	return fmt.Sprintf("resource %q", name)
}

func (v *validator) checkID(id string, owner fmt.Stringer) {
	if id == "" {
		v.add("", "id", "%s has no id", owner)
		return
	}
	if !ValidID(id) {
		v.add("", "id", "%s has id %q; an id is a letter then up to 63 letters, digits, _ or -", owner, id)
		return
	}
	if prev, ok := v.ids[id]; ok {
		v.add(id, "id", "%s has id %q, already used by %s", owner, id, prev)
		return
	}
	v.ids[id] = owner
}

func (v *validator) checkStack() {
	s := v.stack
	switch {
	case s.Name == "":
		v.add("", "name", "stack name is required")
	case len(s.Name) > MaxStackNameLength:
		v.add("", "name", "stack name is %d characters; the limit is %d", len(s.Name), MaxStackNameLength)
	case !stackNamePattern.MatchString(s.Name):
		v.add("", "name", "stack name %q must start with a letter and hold only letters, digits and hyphens", s.Name)
	}
	if len(s.Description) > MaxDescriptionLength {
		v.add("", "description", "stack description is %d bytes; the limit is %d", len(s.Description), MaxDescriptionLength)
	}
	if len(v.index.nodes) == len(s.Others) {
		v.incomplete("", "", "the stack has no resources yet; add a WebSocket API and a function")
	}
	names := make(map[string]fmt.Stringer, len(v.index.nodes))
	for _, n := range s.Nodes() {
		l := nodeLabel{n.Kind, n.Node}
		v.checkID(n.ID, l)
		switch {
		case n.Name == "":
			v.add(n.ID, "name", "%s has no name", l)
		case !ValidLogicalID(n.Name):
			v.add(n.ID, "name", "%s: %s", l, LogicalIDProblem(n.Name))
			v.refusedName(n.ID)
		case names[n.Name] != nil:
			v.add(n.ID, "name", "%s: name is already used by %s", l, names[n.Name])
		default:
			names[n.Name] = l
		}
		if bad(n.Position.X) || bad(n.Position.Y) {
			v.add(n.ID, "position", "%s has an invalid canvas position", l)
		}
	}
}

func bad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

func noun(k Kind) string {
	if s, ok := SpecOf(k); ok {
		return s.Article
	}
	return "a " + string(k)
}

func (v *validator) kindOf(id string) (Kind, fmt.Stringer) {
	if n, ok := v.index.Node(id); ok {
		return n.Kind, nodeLabel{n.Kind, n.Node}
	}
	if a, r := v.index.Route(id); r != nil {
		return KindRoute, routeLabel{a, r}
	}
	return "", nil
}

func (v *validator) checkWires() {
	seen := make(map[[2]string]WireKind, len(v.stack.Wires))
	handlers := make(map[string]int, v.index.Routes)
	authorizers := map[string]int{}
	for i, w := range v.stack.Wires {
		wl := wireLabel{i + 1, w.Kind}
		v.checkID(w.ID, wl)
		ends, ok := WireRuleOf(w.Kind)
		if !ok {
			v.add(w.ID, "kind", "%s: unknown wire kind %q", wl, w.Kind)
			continue
		}
		fromKind, fromLabel := v.kindOf(w.From)
		toKind, toLabel := v.kindOf(w.To)
		if fromKind == "" {
			v.add(w.ID, "from", "%s starts at %q, which is not in the stack", wl, w.From)
		}
		if toKind == "" {
			v.add(w.ID, "to", "%s ends at %q, which is not in the stack", wl, w.To)
		}
		if fromKind == "" || toKind == "" {
			continue
		}
		if fromKind != ends.From || toKind != ends.To {
			v.add(w.ID, "kind", "a %s wire goes from %s to %s, not from %s to %s", w.Kind, noun(ends.From), noun(ends.To), fromLabel, toLabel)
			continue
		}
		pair := [2]string{w.From, w.To}
		if prev, dup := seen[pair]; dup {
			v.add(w.ID, "", "%s and %s are wired twice (%s and %s)", fromLabel, toLabel, prev, w.Kind)
			continue
		}
		seen[pair] = w.Kind
		switch {
		case RouteWire(w.Kind):
			if handlers[w.From]++; handlers[w.From] == 2 {
				v.add(w.ID, "", "%s has more than one handler; a route has one integration", fromLabel)
			}
		case w.Kind == WireAuthorizer:
			if authorizers[w.To]++; authorizers[w.To] == 2 {
				v.add(w.ID, "", "%s has more than one authorizer function", toLabel)
			}
		}
	}
}

// refusedName notes that the node with the ID has a name that is refused.
func (v *validator) refusedName(id string) {
	if v.badNames == nil {
		v.badNames = map[string]bool{}
	}
	v.badNames[id] = true
	if a := v.stack.API(id); a != nil {
		for _, r := range a.Routes {
			v.badNames[r.ID] = true
		}
	}
}

// checkDerivedNames makes sure the logical IDs and output names the export
// derives never collide, with each other or with the nodes' own names.
// validCustomRouteKey reports whether key matches
// ^[A-Za-z0-9][A-Za-z0-9_.:/-]*$, API Gateway's rule for a custom route key.
// A loop, because a large stack checks a thousand keys on every save.
func validCustomRouteKey(key string) bool {
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '_' || c == '.' || c == ':' || c == '/' || c == '-'):
		default:
			return false
		}
	}
	return key != ""
}

func (v *validator) checkDerivedNames() {
	s := v.stack
	resources := make(map[string]fmt.Stringer, len(v.index.nodes)+4*v.index.Routes+4*len(s.APIs)+2*len(s.Functions))
	outputs := make(map[string]fmt.Stringer, 2*len(s.APIs)+len(s.Functions)+len(s.Tables))
	claim := func(names map[string]fmt.Stringer, what, id, name string, owner fmt.Stringer) {
		if name == "" {
			return
		}
		if !ValidLogicalID(name) {
			// A name with other characters than letters and digits comes
			// from a node's name or a kept logical ID, whose own checks
			// say what is wrong with it, once; only length is new here.
			if !v.badNames[id] && len(name) > MaxLogicalIDLength && ValidLogicalID(name[:MaxLogicalIDLength]) {
				v.add(id, "name", "%s: the %s name %q it needs is longer than CloudFormation allows; shorten the name", owner, what, name)
			}
			return
		}
		if prev, ok := names[name]; ok && prev != owner {
			v.add(id, "name", "%s needs the %s name %q, which %s already uses; rename one of them", owner, what, name, prev)
			return
		}
		names[name] = owner
	}
	// An imported resource keeps its source logical ID (Kept.LogicalID),
	// which is the one the template uses, so that is the one claimed.
	for _, a := range s.APIs {
		claim(resources, "resource", a.ID, KeptLogicalID(a.Kept, PartMain, a.Name), nodeLabel{KindAPI, &a.Node})
	}
	for _, f := range s.Functions {
		claim(resources, "resource", f.ID, KeptLogicalID(f.Kept, PartMain, f.Name), nodeLabel{KindFunction, &f.Node})
	}
	for _, t := range s.Tables {
		claim(resources, "resource", t.ID, KeptLogicalID(t.Kept, PartMain, t.Name), nodeLabel{KindTable, &t.Node})
	}
	for _, q := range s.Queues {
		claim(resources, "resource", q.ID, KeptLogicalID(q.Kept, PartMain, q.Name), nodeLabel{KindQueue, &q.Node})
	}
	for _, t := range s.Topics {
		claim(resources, "resource", t.ID, KeptLogicalID(t.Kept, PartMain, t.Name), nodeLabel{KindTopic, &t.Node})
	}
	for _, m := range s.StateMachines {
		claim(resources, "resource", m.ID, KeptLogicalID(m.Kept, PartMain, m.Name), nodeLabel{KindStateMachine, &m.Node})
		claim(resources, "resource", m.ID, KeptLogicalID(m.Kept, PartRole, m.RoleLogicalID()), nodeLabel{KindStateMachine, &m.Node})
	}
	v.claimEventResources(resources, claim)
	for _, w := range s.Wires {
		switch w.Kind {
		case WireConsume, WireSubscribe, WireStream:
			if n, ok := v.index.Node(w.From); ok {
				l := nodeLabel{n.Kind, n.Node}
				if f := v.index.Function(w.To); f != nil {
					claim(resources, "resource", w.ID, EventSourceLogicalID(n.Name, f.Name), l)
					if w.Kind == WireSubscribe {
						claim(resources, "resource", w.ID, EventSourcePermissionLogicalID(n.Name, f.Name), l)
					}
				}
			}
		}
	}
	for _, o := range s.Others {
		claim(resources, "resource", o.ID, o.Name, nodeLabel{KindOther, &o.Node})
	}
	// A parameter shares the namespace of resources: Ref names both.
	for _, p := range s.Parameters {
		if p != nil && ValidLogicalID(p.Name) {
			claim(resources, "parameter", "", p.Name, parameterLabel(p.Name))
		}
	}
	count := len(s.Others)
	// Each label below is made an interface once: boxing it at every claim
	// was an allocation per derived name.
	for _, a := range s.APIs {
		var l fmt.Stringer = nodeLabel{KindAPI, &a.Node}
		count += 2
		claim(resources, "resource", a.ID, KeptLogicalID(a.Kept, PartStage, a.StageLogicalID()), l)
		if a.Authorizer != nil {
			count += 2
			claim(resources, "resource", a.ID, KeptLogicalID(a.Kept, PartAuthorizer, a.AuthorizerLogicalID()), l)
			claim(resources, "resource", a.ID, KeptLogicalID(a.Kept, PartAuthorizerPermission, a.AuthorizerPermissionLogicalID()), l)
		}
		for _, r := range a.Routes {
			if r.Key == "" {
				continue
			}
			var rl fmt.Stringer = routeLabel{a, r}
			count += 3
			route, integration, response, permission := a.RouteLogicalIDs(r)
			if r.Kept != nil {
				route = KeptLogicalID(r.Kept, PartRoute, route)
				integration = KeptLogicalID(r.Kept, PartIntegration, integration)
				response = KeptLogicalID(r.Kept, PartRouteResponse, response)
				permission = KeptLogicalID(r.Kept, PartPermission, permission)
			}
			claim(resources, "resource", r.ID, route, rl)
			claim(resources, "resource", r.ID, integration, rl)
			claim(resources, "resource", r.ID, permission, rl)
			if w := v.index.RouteTarget(r.ID); w != nil && ServiceActions[w.Kind] != (ServiceAction{}) {
				claim(resources, "resource", r.ID, KeptLogicalID(r.Kept, PartIntegrationRole, a.IntegrationRoleLogicalID(r)), rl)
			}
			if NeedsIntegrationResponse(r, v.index.RouteTarget(r.ID)) {
				claim(resources, "resource", r.ID, KeptLogicalID(r.Kept, PartIntegrationResponse, a.IntegrationResponseLogicalID(r)), rl)
			}
			if r.TwoWay {
				count++
				claim(resources, "resource", r.ID, response, rl)
			}
		}
		claim(outputs, "output", a.ID, a.URLOutputName(), l)
		claim(outputs, "output", a.ID, a.CallbackURLOutputName(), l)
	}
	for _, f := range s.Functions {
		var l fmt.Stringer = nodeLabel{KindFunction, &f.Node}
		count += 3
		claim(resources, "resource", f.ID, KeptLogicalID(f.Kept, PartRole, f.RoleLogicalID()), l)
		claim(resources, "resource", f.ID, KeptLogicalID(f.Kept, PartLogGroup, f.LogGroupLogicalID()), l)
		claim(outputs, "output", f.ID, f.ArnOutputName(), l)
	}
	for _, t := range s.Tables {
		count++
		claim(outputs, "output", t.ID, t.NameOutputName(), nodeLabel{KindTable, &t.Node})
	}
	for _, q := range s.Queues {
		count++
		claim(outputs, "output", q.ID, q.URLOutputName(), nodeLabel{KindQueue, &q.Node})
	}
	for _, t := range s.Topics {
		count++
		claim(outputs, "output", t.ID, t.ArnOutputName(), nodeLabel{KindTopic, &t.Node})
	}
	for _, m := range s.StateMachines {
		count += 2
		claim(outputs, "output", m.ID, m.ArnOutputName(), nodeLabel{KindStateMachine, &m.Node})
	}
	count += v.claimEventOutputs(outputs, claim)
	own := func(resource bool, id, name string, owner nodeLabel) {
		if resource {
			claim(resources, "resource", id, name, owner)
		} else {
			claim(outputs, "output", id, name, owner)
		}
	}
	count += v.claimLayerNames(own) + v.claimUsagePlanNames(own) + v.claimDomainNames(own)
	v.claimSections(resources, claim)
	if count > MaxTemplateResources {
		v.warn("", "", "the template has %d resources; CloudFormation accepts %d per stack, so split the stack before deploying", count, MaxTemplateResources)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
