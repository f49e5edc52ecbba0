package model

import (
	"fmt"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
	for _, a := range s.APIs {
		v.checkAPI(a)
	}
	for _, f := range s.Functions {
		v.checkFunction(f)
	}
	for _, t := range s.Tables {
		v.checkTable(t)
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
	name := n.Name
	if name == "" {
		name = n.ID
	}
	switch kind {
	case KindAPI:
		return fmt.Sprintf("API %q", name)
	case KindFunction:
		return fmt.Sprintf("function %q", name)
	case KindOther:
		return fmt.Sprintf("resource %q", name)
	default:
		return fmt.Sprintf("table %q", name)
	}
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
	if len(s.APIs)+len(s.Functions)+len(s.Tables) == 0 {
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
			v.add(n.ID, "name", "%s: name must be 1 to %d letters and digits (a CloudFormation logical ID)", l, MaxLogicalIDLength)
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
		v.incomplete(a.ID, "routes", "%s has no routes; add $connect, $default or a custom route", l)
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
		if r.Key != "" && len(v.index.WiresFromOfKind(r.ID, WireIntegration)) == 0 {
			v.incomplete(r.ID, field, "%s has no handler; wire it to a function", rl)
		}
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

func (v *validator) checkFunction(f *Function) {
	l := label(KindFunction, &f.Node)
	if len(f.Description) > 256 {
		v.add(f.ID, "description", "%s: description is %d bytes; the limit is 256", l, len(f.Description))
	}
	if !slices.Contains(Runtimes, f.Runtime) {
		v.add(f.ID, "runtime", "%s: runtime %q is not one AWS lets new functions use; choose one of %s", l, f.Runtime, strings.Join(Runtimes, ", "))
	}
	if !handlerPattern.MatchString(f.Handler) {
		v.add(f.ID, "handler", "%s: handler must be 1 to 128 characters without spaces, like index.handler", l)
	}
	if msg := checkCodePath(f.CodePath); msg != "" {
		v.add(f.ID, "codePath", "%s: code path %q %s", l, f.CodePath, msg)
	}
	if f.MemorySize < MinMemorySize || f.MemorySize > MaxMemorySize {
		v.add(f.ID, "memorySize", "%s: memory must be %d to %d MB, not %d", l, MinMemorySize, MaxMemorySize, f.MemorySize)
	}
	if f.Timeout < MinTimeout || f.Timeout > MaxTimeout {
		v.add(f.ID, "timeout", "%s: timeout must be %d to %d seconds, not %d", l, MinTimeout, MaxTimeout, f.Timeout)
	}
	if !slices.Contains(LogRetentionDays, f.LogRetentionDays) {
		v.add(f.ID, "logRetentionDays", "%s: log retention of %d days is not one CloudWatch offers", l, f.LogRetentionDays)
	}
	if f.LogDeletionPolicy != DeletionRetain && f.LogDeletionPolicy != DeletionDelete {
		v.add(f.ID, "logDeletionPolicy", "%s: log deletion policy must be Retain or Delete", l)
	}
	generated := v.generatedEnv(f)
	size := 0
	for _, name := range sortedKeys(f.Environment) {
		size += len(name) + len(f.Environment[name])
		field := "environment." + name
		switch {
		case !envNamePattern.MatchString(name):
			v.add(f.ID, field, "%s: environment variable name %q must start with a letter and hold only letters, digits and _", l, name)
		case strings.HasPrefix(strings.ToUpper(name), "AWS_") || slices.Contains(reservedEnvNames, name):
			v.add(f.ID, field, "%s: environment variable %q is reserved by Lambda", l, name)
		case generated[name] != "":
			v.add(f.ID, field, "%s: environment variable %q is set by the wire to %s", l, name, generated[name])
		}
	}
	if size > MaxEnvironmentBytes {
		v.add(f.ID, "environment", "%s: environment variables take %d bytes; Lambda allows %d", l, size, MaxEnvironmentBytes)
	}
}

// generatedEnv maps the environment variables the function's wires set to a
// label of the wired resource.
func (v *validator) generatedEnv(f *Function) map[string]string {
	env := map[string]string{}
	for _, w := range v.index.WiresFrom(f.ID) {
		if g, ok := v.index.Grant(w); ok {
			if g.Table != nil {
				env[g.EnvName] = label(KindTable, &g.Table.Node)
			} else {
				env[g.EnvName] = label(KindAPI, &g.API.Node)
			}
		}
	}
	return env
}

func checkCodePath(p string) string {
	switch {
	case p == "":
		return "is required"
	case strings.Contains(p, `\`):
		return "must use forward slashes"
	case path.IsAbs(p):
		return "must be relative to the repository"
	case path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../"):
		return "must be a clean path inside the repository, like functions/send"
	case len(p) > 1024:
		return "is too long"
	}
	return ""
}

func (v *validator) checkTable(t *Table) {
	l := label(KindTable, &t.Node)
	v.checkKey(t.ID, "partitionKey", l, "partition key", t.PartitionKey)
	if t.SortKey != nil {
		v.checkKey(t.ID, "sortKey", l, "sort key", *t.SortKey)
		if t.SortKey.Name == t.PartitionKey.Name {
			v.add(t.ID, "sortKey.name", "%s: the sort key must differ from the partition key", l)
		}
	}
	switch t.BillingMode {
	case BillingOnDemand:
		if t.ReadCapacity != 0 || t.WriteCapacity != 0 {
			v.add(t.ID, "billingMode", "%s: on-demand tables take no read or write capacity", l)
		}
	case BillingProvisioned:
		if t.ReadCapacity < 1 || t.ReadCapacity > 40000 {
			v.add(t.ID, "readCapacity", "%s: read capacity must be 1 to 40000 units, not %d", l, t.ReadCapacity)
		}
		if t.WriteCapacity < 1 || t.WriteCapacity > 40000 {
			v.add(t.ID, "writeCapacity", "%s: write capacity must be 1 to 40000 units, not %d", l, t.WriteCapacity)
		}
	default:
		v.add(t.ID, "billingMode", "%s: billing mode must be %s or %s", l, BillingOnDemand, BillingProvisioned)
	}
	if t.TTLAttribute != "" {
		if !keyAttributePattern.MatchString(t.TTLAttribute) {
			v.add(t.ID, "ttlAttribute", "%s: TTL attribute name must be 1 to 255 characters", l)
		}
		if t.TTLAttribute == t.PartitionKey.Name || (t.SortKey != nil && t.TTLAttribute == t.SortKey.Name) {
			v.add(t.ID, "ttlAttribute", "%s: the TTL attribute cannot be a key attribute", l)
		}
	}
	if t.DeletionPolicy != DeletionRetain && t.DeletionPolicy != DeletionDelete {
		v.add(t.ID, "deletionPolicy", "%s: deletion policy must be Retain or Delete", l)
	}
}

func (v *validator) checkKey(id, field, l, what string, k Key) {
	if !keyAttributePattern.MatchString(k.Name) || strings.TrimSpace(k.Name) != k.Name {
		v.add(id, field+".name", "%s: %s name must be 1 to 255 characters without leading or trailing spaces", l, what)
	}
	if k.Type != AttributeString && k.Type != AttributeNumber && k.Type != AttributeBinary {
		v.add(id, field+".type", "%s: %s type must be S (string), N (number) or B (binary)", l, what)
	}
}

func noun(k Kind) string {
	if k == KindAPI {
		return "an API"
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
		switch w.Kind {
		case WireIntegration:
			if handlers[w.From]++; handlers[w.From] == 2 {
				v.add(w.ID, "", "%s has more than one handler; a route invokes one function", fromLabel)
			}
		case WireAuthorizer:
			if authorizers[w.To]++; authorizers[w.To] == 2 {
				v.add(w.ID, "", "%s has more than one authorizer function", toLabel)
			}
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
			v.add(id, "name", "%s: the %s name %q it needs is longer than CloudFormation allows; shorten the name", owner, what, name)
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
	for _, o := range s.Others {
		claim(resources, "resource", o.ID, o.Name, nodeLabel{KindOther, &o.Node})
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
