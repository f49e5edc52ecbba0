package importer

import (
	"path"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// fnSource is what a function was imported from.
type fnSource struct {
	r *resource
	// role and logGroup are the function's own role and log group, or nil.
	role, logGroup *resource
	// roleRef is the role its Role property names, its own or shared.
	roleRef string
	// codeKept is set when Code is not a local path and stays as written.
	codeKept bool
	// envKept names environment variables the model refuses (a name
	// Lambda reserves, say), kept as written.
	envKept map[string]bool
	// grants is the policy an export wrote for the wires the user added
	// (model.PartGrants: <Function>Grants on the function's role), or nil.
	grants *resource
	// grantedBy says, per wire (grantKey), whether the source's IAM grants
	// it other than through grants, and onlyGrants which it grants only
	// through grants: those the user added, which stay not Granted.
	onlyGrants map[string]bool
}

// grantKey names what a wire grants for fnSource.onlyGrants.
func grantKey(kind model.WireKind, to string) string { return string(kind) + " " + to }

// Functions come after tables, whose grants their roles hold.
func init() {
	registerKind(&recogniser{kind: model.KindFunction, mainType: typeFunction, order: 20, recognise: (*importer).importFunctions})
}

// importFunctions turns each AWS::Lambda::Function into a function, with
// the role and log group that are its own.
func (im *importer) importFunctions() error {
	roleUsers := map[string][]string{}
	logGroupUsers := map[string][]string{}
	fns := im.ofType(typeFunction)
	for _, r := range fns {
		if id, att := r.props.Get("Role").GetAttOf(); att == "Arn" && im.isType(id, typeRole) {
			roleUsers[id] = append(roleUsers[id], r.id)
		}
		if id := r.props.Path("LoggingConfig", "LogGroup").RefTo(); im.isType(id, typeLogGroup) {
			logGroupUsers[id] = append(logGroupUsers[id], r.id)
		}
	}
	im.fnSrc = map[string]*fnSource{}
	for _, r := range fns {
		if err := im.stopped(); err != nil {
			return err
		}
		if pt, _ := r.props.Get("PackageType").Str(); pt == "Image" {
			im.note("function %s runs a container image, which Switchboard does not model; it is kept as it is", r.id)
			continue
		}
		f, err := im.function(r)
		if err != nil {
			return err
		}
		src := &fnSource{r: r}
		im.fnSrc[r.id] = src
		// Its own role: the one its Role names, if no other function uses
		// it; else one named as the export names a function's role (an
		// exported function whose Role is kept as a shared one).
		if id, att := r.props.Get("Role").GetAttOf(); att == "Arn" && im.isType(id, typeRole) {
			src.roleRef = id
		}
		switch gen := f.RoleLogicalID(); {
		case src.roleRef != "" && len(roleUsers[src.roleRef]) == 1 && !im.claimed[src.roleRef]:
			src.role = im.res[src.roleRef]
		case im.isType(gen, typeRole) && len(roleUsers[gen]) == 0 && !im.claimed[gen]:
			src.role = im.res[gen]
		}
		lg := r.props.Path("LoggingConfig", "LogGroup").RefTo()
		switch gen := f.LogGroupLogicalID(); {
		case im.isType(lg, typeLogGroup) && len(logGroupUsers[lg]) == 1 && !im.claimed[lg]:
			src.logGroup = im.res[lg]
		case im.isType(gen, typeLogGroup) && len(logGroupUsers[gen]) == 0 && !im.claimed[gen]:
			src.logGroup = im.res[gen]
		}
		if src.role != nil {
			im.claimed[src.role.id] = true
		}
		if src.logGroup != nil {
			im.claimed[src.logGroup.id] = true
			lp := src.logGroup.props
			if days, ok := lp.Get("RetentionInDays").Int(); ok {
				f.LogRetentionDays = days
			}
			if dp, ok := deletionPolicy(src.logGroup.v.Get("DeletionPolicy")); ok {
				f.LogDeletionPolicy = dp
			}
		}
		code := r.props.Get("Code")
		if p, ok := localCodePath(code); ok {
			f.CodePath = p
		} else if code != nil {
			src.codeKept = true
			if s, ok := code.Str(); ok && !strings.Contains(s, "://") {
				// The trust boundary: a local run reads code only inside
				// the folder the user imported from.
				im.note("function %s: code path %q is outside the folder of the imported file; the template keeps it as written, and a local run uses a starter handler in %s", f.Name, s, f.CodePath)
			}
			// cdk synth writes each asset folder beside the template, in
			// cdk.out, and names it in the resource's metadata.
			if asset, ok := r.v.Path("Metadata", "aws:asset:path").Str(); ok {
				if p, ok := localCodePath(cfn.Str(asset)); ok && !strings.Contains(asset, "/") && p != "." {
					f.CodePath = p
				}
			}
		}
		resetInvalid(&model.Stack{Functions: []*model.Function{f}}, f.ID, func(field string) {
			if name, ok := strings.CutPrefix(field, "environment."); ok {
				delete(f.Environment, name)
				if src.envKept == nil {
					src.envKept = map[string]bool{}
				}
				src.envKept[name] = true
				return
			}
			switch field {
			case "runtime":
				im.note("function %s: runtime %q is not one Switchboard offers; the template keeps it as written", f.Name, f.Runtime)
				f.Runtime = model.DefaultRuntime
			case "handler":
				f.Handler = model.DefaultHandler
			case "memorySize":
				f.MemorySize = model.DefaultMemorySize
			case "timeout":
				f.Timeout = model.DefaultTimeout
			case "description":
				f.Description = ""
			case "codePath":
				f.CodePath = model.DefaultCodePath(f.Name)
			case "logRetentionDays":
				f.LogRetentionDays = model.DefaultLogRetentionDays
			}
		})
		im.stack.Functions = append(im.stack.Functions, f)
	}
	return nil
}

// localCodePath reads a Code that is a folder in the repository, as
// `aws cloudformation package` takes it.
func localCodePath(v *cfn.Value) (string, bool) {
	s, ok := v.Str()
	if !ok || s == "" || strings.Contains(s, `\`) || strings.Contains(s, "://") || path.IsAbs(s) {
		return "", false
	}
	p := path.Clean(s)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

// Lambda's own defaults, for a function whose source does not say.
const (
	lambdaDefaultMemorySize = 128
	lambdaDefaultTimeout    = 3
)

func (im *importer) function(r *resource) (*model.Function, error) {
	p := r.props
	f := model.NewFunction(im.id("fn"), im.nodeName[r.id])
	im.funcs[r.id] = f
	im.srcID[f.ID] = r.id
	im.claimed[r.id] = true
	if s, ok := p.Get("Runtime").Str(); ok {
		f.Runtime = s
	}
	if s, ok := p.Get("Handler").Str(); ok {
		f.Handler = s
	}
	if s, ok := p.Get("Description").Str(); ok {
		f.Description = s
	}
	// Where the source is silent, Lambda's defaults hold, and the panel
	// shows them.
	f.MemorySize, f.Timeout = lambdaDefaultMemorySize, lambdaDefaultTimeout
	if n, ok := p.Get("MemorySize").Int(); ok {
		f.MemorySize = n
	}
	if n, ok := p.Get("Timeout").Int(); ok {
		f.Timeout = n
	}
	vars := p.Path("Environment", "Variables")
	for i := 0; vars != nil && i < len(vars.Keys); i++ {
		name := vars.Keys[i]
		s, ok := vars.Items[i].ScalarString()
		if !ok {
			s, ok = im.parameterUse(vars.Items[i])
		}
		if ok {
			if f.Environment == nil {
				f.Environment = map[string]string{}
			}
			f.Environment[name] = s
		}
	}
	return f, nil
}

// keepFunctions works out what each function keeps: environment variables
// the wires do not explain, and whatever its resources say that the export
// writes differently.
func (im *importer) keepFunctions() error {
	x := model.NewIndex(im.stack)
	for _, f := range im.stack.Functions {
		if err := im.stopped(); err != nil {
			return err
		}
		src := im.fnSrc[im.srcID[f.ID]]
		r := src.r
		g := im.part(f.ID, model.PartMain, f.Name)
		// Environment: plain values are the function's own, a wire's
		// variable is the wire's, anything else is kept as written. The
		// export writes a wire's variable over a plain one of the name.
		genVars := g.res.Path("Properties", "Environment", "Variables")
		wired := func(name string) *cfn.Value {
			if len(im.stack.ParameterRefs(f.Environment[name])) > 0 {
				return nil // a use of the stack's parameters, not a wire's
			}
			if v := genVars.Get(name); v != nil && v.Kind != cfn.String {
				return v
			}
			return nil
		}
		var envKept []*resource
		vars := r.props.Path("Environment", "Variables")
		envFine := r.props.Get("Environment") == nil || vars != nil && len(r.props.Get("Environment").Keys) == 1 && vars.Kind == cfn.Map
		if envFine && vars != nil && !im.idsOnly {
			for i, name := range vars.Keys {
				v := vars.Items[i]
				if src.envKept[name] {
					envKept = append(envKept, &resource{id: name, v: v})
					continue
				}
				if _, plain := v.ScalarString(); plain {
					if wired(name) != nil {
						// A plain value where a wire sets one: keep the
						// source's, which the export writes over the wire's.
						delete(f.Environment, name)
						envKept = append(envKept, &resource{id: name, v: v})
					}
					continue
				}
				if gen := wired(name); gen != nil && sameValue(v, gen) {
					continue
				}
				if gen := genVars.Get(name); len(im.stack.ParameterRefs(f.Environment[name])) > 0 && gen != nil && sameValue(v, gen) {
					continue // a use of the stack's parameters, written back the same
				}
				envKept = append(envKept, &resource{id: name, v: v})
			}
		}
		if !src.codeKept {
			g.consume("Code")
		}
		if envFine {
			g.consume("Environment").inOwnWords("Environment")
		}
		kept := keep(nil, model.PartMain, r, g)
		envOmitted := omittedVariables(r.props, g.res, envFine)
		if len(envKept) > 0 || len(envOmitted) > 0 {
			if len(kept) == 0 || kept[0].Part != model.PartMain {
				kept = append([]model.Kept{{Part: model.PartMain}}, kept...)
			}
			for _, e := range envKept {
				kept[0].Properties = append(kept[0].Properties, model.Field{Key: model.PropertyPath("Environment", "Variables", e.id), Value: e.v.JSON()})
			}
			sortFields(kept[0].Properties)
			kept[0].AsWritten = append(kept[0].AsWritten, envOmitted...)
			sortRewrites(kept[0].AsWritten)
		}
		if src.role != nil {
			rg := im.part(f.ID, model.PartRole, f.RoleLogicalID()).
				compareWith("AssumeRolePolicyDocument", iamEqual).
				compareWith("Policies", policiesEqual)
			if im.wiresSayAll(src.role.props.Get("Policies")) {
				// The wires say every grant of the policies: the export
				// writes them as the source does (never wider, never
				// narrower) while the wires stay as imported.
				rg.compareWith("Policies", func(_, gen *cfn.Value) bool { return gen != nil })
			}
			kept = keep(kept, model.PartRole, src.role, rg)
		} else {
			kept = im.absent(kept, f.ID, model.PartRole)
		}
		if src.grants != nil {
			// Written back by the export while it writes the same: the
			// wires it grants are not Granted (keepGranted).
			im.claimed[src.grants.id] = im.gen.Resource(f.ID, model.PartGrants) != nil
			if im.claimed[src.grants.id] {
				kept = keep(kept, model.PartGrants, src.grants, im.part(f.ID, model.PartGrants, im.gen.LogicalID(f.ID, model.PartGrants)).
					compareWith("PolicyDocument", iamEqual))
			}
		}
		if src.logGroup != nil {
			kept = keep(kept, model.PartLogGroup, src.logGroup, im.part(f.ID, model.PartLogGroup, f.LogGroupLogicalID()))
		} else {
			kept = im.absent(kept, f.ID, model.PartLogGroup)
		}
		f.Kept = im.keepGranted(x, f, kept)
	}
	return nil
}

// keepGranted records, for a function whose role's policies the export
// writes as the source wrote them (a kept Role, or its role's kept
// Policies), the wires the source's IAM grants as it stands
// (model.Kept.Granted): the export grants only what the user adds.
func (im *importer) keepGranted(x *model.Index, f *model.Function, kept []model.Kept) []model.Kept {
	if im.idsOnly {
		return kept
	}
	if !(&model.Function{Kept: kept}).GrantsApart() {
		return kept
	}
	var granted []string
	only := im.fnSrc[im.srcID[f.ID]].onlyGrants
	for _, w := range x.GrantWires(f.ID) {
		if _, ok := x.Grant(w); ok && !only[grantKey(w.Kind, w.To)] {
			granted = append(granted, model.GrantedWire(w))
		}
	}
	if len(granted) == 0 {
		return kept
	}
	if model.KeptPart(kept, model.PartMain) == nil {
		kept = append([]model.Kept{{Part: model.PartMain}}, kept...)
	}
	model.KeptPart(kept, model.PartMain).Granted = granted
	return kept
}

// wiresSayAll reports whether every statement of a role's inline policies
// grants what a wire says: reading or writing a table, sending to an API.
func (im *importer) wiresSayAll(policies *cfn.Value) bool {
	isTable := func(id string) bool { return im.tables[id] != nil }
	isAPI := func(id string) bool { return im.apis[id] != nil }
	n := 0
	for _, pol := range valueList(policies) {
		for _, st := range statements(pol.Get("PolicyDocument")) {
			if _, complete := grants(st, isTable, isAPI); !complete {
				return false
			}
			n++
		}
	}
	return n > 0
}

// omittedVariables lists the environment the export generates for a
// function (a wire's variable) that its source did not set: the whole
// Environment when the source had none, else each variable.
func omittedVariables(src, gen *cfn.Value, envFine bool) []model.Rewrite {
	genEnv := gen.Path("Properties", "Environment")
	if !envFine || genEnv == nil {
		return nil
	}
	if src.Get("Environment") == nil {
		return []model.Rewrite{{Key: "Properties.Environment", Generated: genEnv.JSON()}}
	}
	genVars, srcVars := genEnv.Get("Variables"), src.Path("Environment", "Variables")
	var out []model.Rewrite
	for i, name := range genVars.Keys {
		if srcVars.Get(name) == nil {
			out = append(out, model.Rewrite{Key: "Properties.Environment.Variables." + name, Generated: genVars.Items[i].JSON()})
		}
	}
	return out
}

// policiesEqual compares inline policy lists regardless of their order.
func policiesEqual(src, gen *cfn.Value) bool {
	if src.Kind != cfn.List || len(src.Items) != len(gen.Items) {
		return false
	}
	used := make([]bool, len(gen.Items))
	for _, s := range src.Items {
		found := false
		for i, g := range gen.Items {
			if !used[i] && iamEqual(s, g) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
