// Package importer turns an existing WebSocket stack, as a CloudFormation
// template (YAML or JSON, long or short intrinsic forms), a SAM template,
// the output of `cdk synth` or a serverless.yml, into a Switchboard stack:
// APIs with their routes, functions, tables and the wires between them,
// recovered from integration URIs, route targets and IAM statements.
//
// Nothing is lost. What Switchboard does not model is kept on the stack:
// unmodelled properties and attributes and the source's logical IDs as
// model.Kept on the object they belong to, whole resources as model.Other
// nodes, template sections as Stack.Sections. The export writes them back,
// so exporting an imported template and importing the result gives the same
// stack. What is kept is what differs from what export.Resources writes for
// the object, so the import and the export cannot disagree about it.
//
// The package reads templates into internal/cfn's document type, imports
// model, export and internal/cfn, and does no I/O.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// MaxSize bounds the files Parse reads: a template CloudFormation accepts
// is at most 1 MB, and a serverless.yml is smaller; the rest is room for
// comments and indentation.
const MaxSize = 2 << 20

// Format names what kind of file a stack was imported from.
type Format string

// The formats Parse recognises.
const (
	FormatCloudFormation Format = "CloudFormation"
	FormatSAM            Format = "SAM"
	FormatCDK            Format = "CDK"
	FormatServerless     Format = "serverless.yml"
)

// Result is an imported stack and what the import did, for a preview.
type Result struct {
	Stack   *model.Stack
	Format  Format
	Summary Summary
	// Lines maps node, route and wire IDs to the source line each was
	// written at (StackError.Lines).
	Lines map[string]int
}

// Summary says what an import creates and what it keeps as it was written.
type Summary struct {
	APIs      []APISummary
	Functions []string
	Tables    []string
	// Services reads like "queue Jobs", "state machine Flow".
	Services []string
	// Wires reads like "SendHandler → Connections (read-write)".
	Wires []string
	// Others reads like "Queue (AWS::SQS::Queue)".
	Others []string
	// Parameters names the stack's parameters, which the Stack panel edits.
	Parameters []string
	// Sections names the kept template sections.
	Sections []string
	// Kept lists, per model object, what it keeps that Switchboard does not
	// model, like "function SendHandler: Architectures, Role: ManagedPolicyArns".
	Kept []string
	// Notes are things the user should know: a value Switchboard does not
	// offer and kept as written, a serverless.yml setting not imported.
	Notes []string
}

// APISummary is an API with its route keys.
type APISummary struct {
	Name   string
	Routes []string
}

// Import imports the file named name (for messages) holding data. It
// detects the format, and returns an EINVALID *model.Error naming the line
// and column for a malformed file, and one naming the resource for a
// template that contradicts itself (a route whose integration is missing).
// The stack has no name yet unless the source names one (a serverless.yml's
// service); the caller sets it. Once ctx is done the import stops and
// returns an error wrapping ctx.Err().
func Import(ctx context.Context, name string, data []byte) (*Result, error) {
	return ImportFrom(ctx, name, data, nil)
}

// ImportFrom is Import of a template whose folder is beside: files the
// template names by a path relative to it, such as a state machine's
// DefinitionS3Location before `aws cloudformation package`, are read from
// it. beside should confine reads to the folder (os.Root's FS); nil reads
// nothing, and such a resource stays as it is written.
func ImportFrom(ctx context.Context, name string, data []byte, beside fs.FS) (*Result, error) {
	if len(data) > MaxSize {
		return nil, model.Errorf(model.EINVALID, "%s: the file is %d bytes; the limit is %d", name, len(data), MaxSize)
	}
	root, err := parseDocument(ctx, name, data)
	if err != nil {
		return nil, err
	}
	if root.Kind != cfn.Map {
		return nil, syntaxError(name, root.Pos, "a template is a map of sections, not a %s", root.Kind.String())
	}
	if err := stopped(ctx, name); err != nil {
		return nil, err
	}
	if err := checkIntrinsics(name, root); err != nil {
		return nil, err
	}
	im := newImporter(ctx, name)
	im.beside = beside
	if root.Get("service") != nil && (root.Get("functions") != nil || root.Get("provider") != nil) {
		im.format = FormatServerless
		if err := im.serverless(root); err != nil {
			return nil, err
		}
	} else {
		if err := im.template(root); err != nil {
			return nil, err
		}
	}
	return im.finish()
}

// Parse is Import for a caller with nothing to cancel.
func Parse(name string, data []byte) (*Result, error) {
	return Import(context.Background(), name, data)
}

// stopped returns an error wrapping ctx's once ctx is done: the request
// that asked for the import has gone, so its work is wasted.
func stopped(ctx context.Context, file string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: import stopped: %w", file, err)
	}
	return nil
}

// importer holds one import's state.
type importer struct {
	ctx    context.Context
	file   string
	format Format
	stack  *model.Stack
	nextID int

	res map[string]*resource
	// params is the source's Parameters section, or nil.
	params *cfn.Value
	order  []string // resource logical IDs in source order
	// claimed marks the resources that became part of a model object.
	claimed map[string]bool

	apis   map[string]*model.API // by source logical ID
	funcs  map[string]*model.Function
	tables map[string]*model.Table
	// srcID maps a model object's node or route ID to its source logical ID.
	srcID map[string]string
	// apiSrc maps an API's node ID to what it came from.
	apiSrc map[string]*apiSource
	// gen is what the export writes for the stack as imported, which
	// the source is compared with.
	gen *export.Generated
	// outputs is the source's Outputs section, or nil: the outputs the
	// export generates that it lacks are left out (keepOutputs).
	outputs *cfn.Value
	// idsOnly is set while keepAll finds the kept logical IDs alone.
	idsOnly bool
	// beside is the imported file's folder, or nil (see ImportFrom).
	beside fs.FS
	// smRoles maps a state machine's node ID to the source logical ID of
	// the role that is its own.
	smRoles map[string]string
	// fnSrc maps a function's source logical ID to what it came from.
	fnSrc map[string]*fnSource
	// nodeName maps modelled resources' logical IDs to node names.
	nodeName nodeNames
	// samKept is set when a SAM resource stays as it is, so the template
	// still needs the SAM transform (and its Globals).
	samKept bool
	// samWired holds SAM policies that wires say completely: read for
	// wires, then left to the export to write.
	samWired []samGrant

	// planKeys maps each usage plan's API key to the source logical IDs of
	// the key and its UsagePlanKey; domainMappings each domain's node ID
	// to its ApiMapping.
	planKeys       map[*model.APIKey][2]string
	domainMappings map[string]*resource
	// parameters is the source's Parameters section, or nil.
	parameters *cfn.Value

	notes []string
}

func newImporter(ctx context.Context, file string) *importer {
	return &importer{
		ctx:     ctx,
		file:    file,
		format:  FormatCloudFormation,
		stack:   &model.Stack{},
		res:     map[string]*resource{},
		claimed: map[string]bool{},
		apis:    map[string]*model.API{},
		funcs:   map[string]*model.Function{},
		tables:  map[string]*model.Table{},
		srcID:   map[string]string{},
	}
}

// id returns a new ID. IDs share one sequence, as model.Stack.NewID's do,
// without scanning the stack each time.
func (im *importer) id(prefix string) string {
	im.nextID++
	return fmt.Sprintf("%s%d", prefix, im.nextID)
}

// stopped is checked in the loops over resources and objects.
func (im *importer) stopped() error { return stopped(im.ctx, im.file) }

func (im *importer) note(format string, args ...any) {
	im.notes = append(im.notes, fmt.Sprintf(format, args...))
}

// errorAt is a template that contradicts itself, named at a place.
func (im *importer) errorAt(p cfn.Pos, format string, args ...any) error {
	return syntaxError(im.file, p, format, args...)
}

// finish checks the stack and summarises it. It leaves every node at the
// origin: the canvas lays a stack whose nodes all share one spot out with
// Arrange (ELK's layered layout) when it is first opened, so an import and
// Arrange give the same layout from one implementation.
func (im *importer) finish() (*Result, error) {
	s := im.stack
	if err := im.stopped(); err != nil {
		return nil, err
	}
	if err := s.CheckShape(); err != nil {
		return nil, fmt.Errorf("importer: %w", err)
	}
	name := s.Name
	if name == "" {
		s.Name = "imported" // only for the check; the caller names the stack
	}
	err := s.ValidateDraft()
	s.Name = name
	if err != nil {
		return nil, &StackError{Lines: im.lines(), err: im.invalidSource(err)}
	}
	if err := im.recordDeployedRoutes(); err != nil {
		return nil, err
	}
	return &Result{Stack: s, Format: im.format, Summary: im.summary(), Lines: im.lines()}, nil
}

// recordDeployedRoutes records, on the stage of each API its own
// Deployment deploys, the routes as imported (model.Kept.DeployedRoutes),
// so the export deploys a route change the user makes and nothing else.
func (im *importer) recordDeployedRoutes() error {
	deployed := false
	for _, a := range im.stack.APIs {
		if k := model.KeptPart(a.Kept, model.PartStage); k != nil && slices.ContainsFunc(k.Properties, func(f model.Field) bool { return f.Key == "DeploymentId" }) {
			deployed = true
		}
	}
	if !deployed {
		return nil // most stacks: spare them a second export
	}
	digests, err := export.RoutesDigests(im.stack)
	if err != nil {
		return fmt.Errorf("%s: %w", im.file, err)
	}
	for _, a := range im.stack.APIs {
		if d := digests[a.ID]; d != "" {
			model.KeptPart(a.Kept, model.PartStage).DeployedRoutes = d
		}
	}
	return nil
}

// StackError is a template that reads but whose stack is not valid (its
// problems are a *model.ValidationError in the chain), with the line each
// object was written at, for an editor to mark each problem.
type StackError struct {
	Lines map[string]int
	err   error
}

func (e *StackError) Error() string { return e.err.Error() }
func (e *StackError) Unwrap() error { return e.err }

// lines maps each node, route and wire ID of the stack to the line of the
// resource it came from (a route without a resource of its own, as in a
// SAM or serverless.yml source, its API's), a wire to its start's.
func (im *importer) lines() map[string]int {
	s := im.stack
	lines := map[string]int{}
	for _, n := range s.Nodes() {
		lid := im.srcID[n.ID]
		if n.Kind == model.KindOther {
			lid = n.Name
		}
		if r := im.res[lid]; r != nil && r.Pos.Line > 0 {
			lines[n.ID] = int(r.Pos.Line)
		}
	}
	for _, a := range s.APIs {
		for _, r := range a.Routes {
			if res := im.res[im.srcID[r.ID]]; res != nil && res.Pos.Line > 0 {
				lines[r.ID] = int(res.Pos.Line)
			} else if l, ok := lines[a.ID]; ok {
				lines[r.ID] = l
			}
		}
	}
	for _, w := range s.Wires {
		if l, ok := lines[w.From]; ok {
			lines[w.ID] = l
		}
	}
	return lines
}

// invalidSource names, for each problem of an imported stack, where the
// source says what is at fault: the export would refuse the stack, so the
// source itself is invalid (a route key API Gateway reserves, two routes of
// one key).
func (im *importer) invalidSource(err error) error {
	var verr *model.ValidationError
	if !errors.As(err, &verr) {
		return fmt.Errorf("%s: the imported stack is not valid: %w", im.file, err)
	}
	var lines []string
	for _, p := range verr.Problems {
		if p.Severity != model.SeverityError {
			continue
		}
		lines = append(lines, syntaxError(im.file, im.sourcePos(p), "%s", p.Message).Error())
	}
	if len(lines) == 1 {
		return sourceProblems{model.Errorf(model.EINVALID, "%s", lines[0]), verr}
	}
	return sourceProblems{model.Errorf(model.EINVALID, "%s: the template is not valid:\n  %s", im.file, strings.Join(lines, "\n  ")), verr}
}

// sourceProblems says a stack's problems at their places in the source,
// and still is the *model.ValidationError, for callers that mark each
// problem (the template editor).
type sourceProblems struct {
	err  error
	verr *model.ValidationError
}

func (e sourceProblems) Error() string   { return e.err.Error() }
func (e sourceProblems) Unwrap() []error { return []error{e.err, e.verr} }

// sourcePos is where the source writes what a problem names: the route's
// key, a route, or the resource an object came from.
func (im *importer) sourcePos(p model.Problem) cfn.Pos {
	for _, src := range im.apiSrc {
		if rs := src.routes[p.Resource]; rs != nil {
			if k := rs.r.props.Get("RouteKey"); k != nil && strings.HasSuffix(p.Field, ".key") {
				return k.Pos
			}
			return rs.r.Pos
		}
	}
	if r := im.res[im.srcID[p.Resource]]; r != nil {
		return r.Pos
	}
	return cfn.Pos{}
}

func (im *importer) summary() Summary {
	s := im.stack
	var sum Summary
	x := model.NewIndex(s)
	for _, a := range s.APIs {
		as := APISummary{Name: a.Name}
		for _, r := range a.Routes {
			as.Routes = append(as.Routes, r.Key)
		}
		sum.APIs = append(sum.APIs, as)
		sum.Kept = appendKept(sum.Kept, "API "+a.Name, a.Kept)
		for _, r := range a.Routes {
			sum.Kept = appendKept(sum.Kept, "route "+a.Name+" "+r.Key, r.Kept)
		}
	}
	for _, f := range s.Functions {
		sum.Functions = append(sum.Functions, f.Name)
		sum.Kept = appendKept(sum.Kept, "function "+f.Name, f.Kept)
	}
	for _, t := range s.Tables {
		sum.Tables = append(sum.Tables, t.Name)
		sum.Kept = appendKept(sum.Kept, "table "+t.Name, t.Kept)
	}
	for _, q := range s.Queues {
		sum.Services = append(sum.Services, "queue "+q.Name)
		sum.Kept = appendKept(sum.Kept, "queue "+q.Name, q.Kept)
	}
	for _, t := range s.Topics {
		sum.Services = append(sum.Services, "topic "+t.Name)
		sum.Kept = appendKept(sum.Kept, "topic "+t.Name, t.Kept)
	}
	for _, m := range s.StateMachines {
		sum.Services = append(sum.Services, "state machine "+m.Name)
		sum.Kept = appendKept(sum.Kept, "state machine "+m.Name, m.Kept)
	}
	sum = eventSummary(s, sum)
	name := func(id string) string {
		if n, ok := x.Node(id); ok {
			return n.Name
		}
		if a, r := x.Route(id); r != nil {
			return a.Name + " " + r.Key
		}
		return id
	}
	for _, w := range s.Wires {
		sum.Wires = append(sum.Wires, fmt.Sprintf("%s → %s (%s)", name(w.From), name(w.To), w.Kind))
	}
	for _, o := range s.Others {
		sum.Others = append(sum.Others, fmt.Sprintf("%s (%s)", o.Name, o.Type))
	}
	for _, p := range s.Parameters {
		sum.Parameters = append(sum.Parameters, p.Name)
	}
	for _, f := range s.Sections {
		sum.Sections = append(sum.Sections, f.Key)
	}
	sum.Notes = im.notes
	return sum
}

func appendKept(out []string, what string, kept []model.Kept) []string {
	var parts []string
	for _, k := range kept {
		var fields []string
		for _, f := range k.Attributes {
			fields = append(fields, f.Key)
		}
		for _, f := range k.Properties {
			fields = append(fields, f.Key)
		}
		label := k.Part
		if label == "" {
			label = "itself"
		}
		desc := strings.Join(fields, ", ")
		if k.LogicalID != "" {
			desc = strings.TrimSuffix("logical ID "+k.LogicalID+", "+desc, ", ")
		}
		parts = append(parts, label+": "+desc)
	}
	if len(parts) == 0 {
		return out
	}
	slices.Sort(parts)
	return append(out, what+" keeps "+strings.Join(parts, "; "))
}

// SuggestName returns a stack name for a file: the name the source gives
// (a serverless.yml's service), else the file's name without extensions,
// made a valid stack name (chat.template.json → chat-template), else
// "imported".
func SuggestName(res *Result, file string) string {
	if res != nil && res.Stack.Name != "" {
		return res.Stack.Name
	}
	base := path.Base(strings.ReplaceAll(file, `\`, "/"))
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	var b strings.Builder
	dash := false
	for _, r := range base {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if b.Len() == 0 && !unicode.IsLetter(r) {
				continue
			}
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	name := b.String()
	if len(name) > model.MaxStackNameLength {
		name = strings.TrimRight(name[:model.MaxStackNameLength], "-")
	}
	if name == "" || name == "serverless" || name == "template" {
		return "imported"
	}
	return name
}
