package importer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// The Serverless Framework's variables (${self:…}, ${sls:stage},
// ${opt:…}, ${env:…}, ${param:…}) are resolved by the Framework when it
// deploys; CloudFormation would take them as text. None is fixed silently:
//
//   - ${self:path} is what the file itself says there, and ${sls:stage} and
//     ${opt:stage} the stack's stage (provider.stage, a note saying so when
//     that is itself chosen at deploy);
//   - ${env:X}, ${opt:X} and ${param:X} become stack parameters, with the
//     variable's default when it has one: an environment value uses the
//     parameter as ${Name}, anything else as a Ref or a Sub of it;
//   - the others (${ssm:…}, ${file(…)}, …) stay as written, named in a note,
//     and an environment value holding one is a problem the user resolves.

// The provider's and a function's settings the import reads.
var (
	serverlessProviderRead = []string{"runtime", "memorySize", "timeout", "environment", "iam", "iamRoleStatements", "iamManagedPolicies", "role", "rolePermissionsBoundary", "architecture",
		"websocketsApiRouteSelectionExpression", "websocketsDescription", "websocketsApiName", "tags", "logRetentionInDays", "vpc", "layers", "tracing", "kmsKeyArn"}
	serverlessFunctionRead = []string{"handler", "name", "role", "runtime", "architecture", "memorySize", "timeout", "description", "environment", "tags", "logRetentionInDays",
		"vpc", "layers", "tracing", "kmsKeyArn", "reservedConcurrency", "ephemeralStorageSize", "onError", "fileSystemConfig", "condition", "dependsOn", "disableLogs"}
)

// maxSelfDepth bounds ${self:…} references followed through each other.
const maxSelfDepth = 10

// variables is one serverless.yml's variable resolution.
type variables struct {
	im    *importer
	root  *cfn.Value
	stage string
	// params maps a variable ("env:WS_PORT") to its parameter.
	params map[string]*model.Parameter
	// taken holds the names parameters may not take: the resources'.
	taken      map[string]bool
	unresolved []string
}

// resolveVariables resolves or turns into parameters the variables of a
// serverless.yml, in place, and returns the stage.
func (im *importer) resolveVariables(root *cfn.Value) string {
	// A parameter may not take the name of a resource the Framework
	// compiles.
	vs := &variables{im: im, root: root, stage: serverlessStage, params: map[string]*model.Parameter{}, taken: map[string]bool{
		serverlessAPI: true, serverlessStageID: true, serverlessRole: true, serverlessBucket: true, serverlessBucketPolicy: true}}
	for _, k := range mapKeys(root.Get("functions")) {
		vs.taken[functionLogicalID(k)] = true
		for _, sfx := range []string{"", "Role", "LogGroup", "WebsocketsIntegration", "WebsocketsAuthorizer", "LambdaPermissionWebsockets"} {
			vs.taken[frameworkName(k)+sfx] = true
		}
		vs.taken[frameworkFunctionID(k)] = true
	}
	for _, k := range mapKeys(root.Path("resources", "Resources")) {
		vs.taken[k] = true
	}
	provider := root.Get("provider")
	if st := provider.Get("stage"); st != nil {
		if s, ok := st.Str(); ok && !strings.Contains(s, "${") {
			vs.stage = s
		} else if ok {
			// The stage chosen at deploy (--stage), with its default: the
			// stack's API has one stage, which the user may change.
			if v, found := firstVariable(s); found && v.source == "opt" && v.address == "stage" && v.hasDefault && !strings.Contains(v.def, "${") {
				vs.stage = unquote(v.def)
			}
			im.note("provider.stage %s is chosen when the Framework deploys; the stack's API stage is %s (change it on the API), which ${sls:stage} and ${opt:stage} name", s, vs.stage)
			*st = *cfn.Str(vs.stage)
		}
	}
	env := map[*cfn.Value]bool{}
	for _, e := range []*cfn.Value{provider.Get("environment")} {
		for _, v := range mapItems(e) {
			env[v] = true
		}
	}
	for _, f := range mapItems(root.Get("functions")) {
		for _, v := range mapItems(f.Get("environment")) {
			env[v] = true
		}
	}
	// Only what the import reads: a variable in a setting it ignores
	// (custom:, plugins:, an http event) would be a parameter nothing uses.
	for _, k := range serverlessProviderRead {
		vs.walk(provider.Get(k), env, false)
	}
	for _, f := range mapItems(root.Get("functions")) {
		for _, k := range serverlessFunctionRead {
			vs.walk(f.Get(k), env, false)
		}
		for _, ev := range valueList(f.Get("events")) {
			vs.walk(ev.Get("websocket"), env, false)
		}
	}
	vs.walk(root.Get("resources"), env, false)
	if len(vs.unresolved) > 0 {
		im.note("serverless.yml variables %s are written as they are: CloudFormation does not resolve them; replace them with values or stack parameters", strings.Join(vs.unresolved, ", "))
	}
	if len(im.stack.Parameters) > 0 {
		var list []string
		for _, p := range im.stack.Parameters {
			d := "no default"
			if p.Default != nil {
				d = fmt.Sprintf("default %q", *p.Default)
			}
			list = append(list, fmt.Sprintf("%s, %s, from %s", p.Name, d, strings.TrimPrefix(p.Description, "serverless.yml ")))
		}
		im.note("serverless.yml variables became stack parameters, which a deployment or a run gives values (a run without one takes the default): %s", strings.Join(list, "; "))
	}
	return vs.stage
}

// walk resolves the variables of every string under v. In an environment
// value a parameter stays ${Name}, which the model reads as a use of it;
// inside an Fn::Sub it is a reference already; elsewhere the string
// becomes a Ref or a Sub.
func (vs *variables) walk(v *cfn.Value, env map[*cfn.Value]bool, inSub bool) {
	if v == nil {
		return
	}
	switch v.Kind {
	case cfn.String:
		if !strings.Contains(v.Text, "${") {
			return
		}
		text := vs.expand(v.Text, 0)
		if text == v.Text {
			return
		}
		refs := vs.im.stack.ParameterRefs(text)
		switch {
		case len(refs) == 0, env[v], inSub:
			v.Text = text
		case text == "${"+refs[0]+"}":
			*v = *withPos(cfn.Ref(refs[0]), v.Pos)
		default:
			*v = *withPos(cfn.Sub(vs.im.stack.SubEscape(text)), v.Pos)
		}
	case cfn.Map:
		fn, _ := v.Call()
		for i, item := range v.Items {
			switch {
			case fn == "Fn::Sub" && item.Kind == cfn.List && len(item.Items) > 0:
				vs.walk(item.Items[0], env, true)
				for _, rest := range item.Items[1:] {
					vs.walk(rest, env, false)
				}
			default:
				vs.walk(v.Items[i], env, fn == "Fn::Sub")
			}
		}
	case cfn.List:
		for _, item := range v.Items {
			vs.walk(item, env, inSub)
		}
	}
}

func withPos(v *cfn.Value, p cfn.Pos) *cfn.Value {
	v.Pos = p
	return v
}

// variable is one ${source:address, default} of a string, at text[start:end].
type variable struct {
	start, end      int
	source, address string
	def             string
	hasDefault      bool
}

// firstVariable finds the first ${…} of text, braces nested in it
// included, and reads it.
func firstVariable(text string) (variable, bool) {
	i := strings.Index(text, "${")
	if i < 0 {
		return variable{}, false
	}
	depth, j := 0, i+1
scan:
	for ; j < len(text); j++ {
		switch text[j] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				break scan
			}
		}
	}
	if j == len(text) {
		return variable{}, false
	}
	v := variable{start: i, end: j + 1}
	inner := text[i+2 : j]
	src, rest, ok := strings.Cut(inner, ":")
	if !ok || strings.ContainsAny(src, " ${(") {
		v.source = inner // ${file(…)}, ${X}: not a source:address variable
		return v, true
	}
	v.source = strings.TrimSpace(src)
	// The default follows the first comma outside nested braces.
	depth = 0
	for k := 0; k < len(rest); k++ {
		switch rest[k] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				v.address, v.def, v.hasDefault = strings.TrimSpace(rest[:k]), strings.TrimSpace(rest[k+1:]), true
				return v, true
			}
		}
	}
	v.address = strings.TrimSpace(rest)
	return v, true
}

// expand resolves the variables of text it can, leaving the others.
func (vs *variables) expand(text string, depth int) string {
	var out strings.Builder
	for {
		v, ok := firstVariable(text)
		if !ok {
			out.WriteString(text)
			return out.String()
		}
		out.WriteString(text[:v.start])
		whole := text[v.start:v.end]
		out.WriteString(vs.resolve(v, whole, depth))
		text = text[v.end:]
	}
}

// resolve returns what one variable becomes: its value, a parameter
// reference, or itself.
func (vs *variables) resolve(v variable, whole string, depth int) string {
	switch {
	case v.source == "sls" && v.address == "stage", v.source == "opt" && v.address == "stage":
		return vs.stage
	case v.source == "self" && depth < maxSelfDepth:
		if v.address == "service" {
			return serviceName(vs.root.Get("service"))
		}
		target := vs.root
		for _, k := range strings.Split(v.address, ".") {
			target = target.Get(k)
		}
		if s, ok := target.ScalarString(); ok {
			return vs.expand(s, depth+1)
		}
		if v.hasDefault {
			return vs.defaultValue(v.def, depth)
		}
	case v.source == "env", v.source == "opt", v.source == "param":
		if v.address != "" {
			return "${" + vs.parameter(v, whole, depth).Name + "}"
		}
	}
	if !slices.Contains(vs.unresolved, whole) {
		vs.unresolved = append(vs.unresolved, whole)
	}
	return whole
}

// defaultValue is a variable's default as text: quotes taken off, its own
// variables resolved.
func (vs *variables) defaultValue(def string, depth int) string {
	return vs.expand(unquote(def), depth+1)
}

// parameter returns the parameter a variable becomes, making it the first
// time the variable is seen.
func (vs *variables) parameter(v variable, whole string, depth int) *model.Parameter {
	key := v.source + ":" + v.address
	if p := vs.params[key]; p != nil {
		return p
	}
	name := model.ParameterName(v.address)
	if name == "" {
		name = "Parameter"
	}
	for base, n := name, 2; vs.taken[name] || vs.im.stack.Parameter(name) != nil; n++ {
		name = base + strconv.Itoa(n)
	}
	p := &model.Parameter{Name: name, Description: "serverless.yml " + whole}
	if v.hasDefault {
		d := vs.defaultValue(v.def, depth)
		if strings.Contains(d, "${") {
			vs.im.note("the default of %s is not a value; the stack parameter %s has none", whole, name)
		} else {
			p.Default = &d
		}
	}
	vs.params[key] = p
	vs.im.stack.Parameters = append(vs.im.stack.Parameters, p)
	return p
}

// unquote takes the quotes off a default written '3001' or "x".
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '\'' && s[len(s)-1] == '\'' || s[0] == '"' && s[len(s)-1] == '"') {
		return s[1 : len(s)-1]
	}
	return s
}

// mapKeys and mapItems are a map's keys and values, none for another kind.
func mapKeys(v *cfn.Value) []string {
	if v == nil || v.Kind != cfn.Map {
		return nil
	}
	return v.Keys
}

func mapItems(v *cfn.Value) []*cfn.Value {
	if v == nil || v.Kind != cfn.Map {
		return nil
	}
	return v.Items
}

// readParameters makes each of a template's Parameters the model can hold
// (a type of model.ParameterTypes; Default, Description, AllowedValues,
// NoEcho) one of the stack's, so the Stack panel edits it and fields take
// it. A parameter saying more (MinValue, AllowedPattern…) or of another
// type (AWS::EC2::KeyPair::KeyName) is kept as written (keptParameters),
// after the stack's own, as are the uses of it.
func (im *importer) readParameters(section *cfn.Value) {
	im.params = section
	if section == nil || section.Kind != cfn.Map || len(section.Keys) == 0 || len(section.Keys) > model.MaxParameters {
		return
	}
	var params []*model.Parameter
	for i, name := range section.Keys {
		if p := modelParameter(name, section.Items[i]); p != nil {
			params = append(params, p)
		}
	}
	im.stack.Parameters = params
}

// modelParameter is the stack parameter a template's parameter is, or nil
// when the model cannot hold it as written.
func modelParameter(name string, def *cfn.Value) *model.Parameter {
	if !model.ValidLogicalID(name) || def.Kind != cfn.Map {
		return nil
	}
	p := &model.Parameter{Name: name}
	for j, key := range def.Keys {
		v := def.Items[j]
		switch key {
		case "Type":
			t, ok := v.Str()
			if !ok || !slices.Contains(model.ParameterTypes, t) {
				return nil
			}
			if t != "String" {
				p.Type = t
			}
		case "Default":
			d, ok := v.ScalarString()
			if !ok {
				return nil
			}
			p.Default = &d
		case "Description":
			d, ok := v.Str()
			if !ok || len(d) > model.MaxParameterDescriptionLength {
				return nil
			}
			p.Description = d
		case "AllowedValues":
			if v.Kind != cfn.List || len(v.Items) == 0 {
				return nil
			}
			for _, item := range v.Items {
				a, ok := item.ScalarString()
				if !ok {
					return nil
				}
				p.AllowedValues = append(p.AllowedValues, a)
			}
		case "NoEcho":
			// The export writes NoEcho only when it is true.
			if b, ok := v.Bool(); !ok || !b {
				return nil
			}
			p.NoEcho = true
		default:
			return nil
		}
	}
	if def.Get("Type") == nil {
		return nil
	}
	// What the stack's validation refuses stays as written, for
	// CloudFormation to judge.
	if p.Default != nil && len(p.AllowedValues) > 0 && !slices.Contains(p.AllowedValues, *p.Default) {
		return nil
	}
	if p.Default != nil && p.Type == "Number" {
		if _, err := strconv.ParseFloat(*p.Default, 64); err != nil {
			return nil
		}
	}
	return p
}

// keptParameters is the part of the template's Parameters the stack's own
// do not hold, as written, or nil.
func (im *importer) keptParameters(section *cfn.Value) *cfn.Value {
	if len(im.stack.Parameters) == 0 {
		return section
	}
	if section == nil || section.Kind != cfn.Map {
		return nil
	}
	kept := &cfn.Value{Kind: cfn.Map, Pos: section.Pos}
	for i, name := range section.Keys {
		if im.stack.Parameter(name) == nil {
			kept.Set(name, section.Items[i])
		}
	}
	if len(kept.Keys) == 0 {
		return nil
	}
	return kept
}

// linkParameterFields makes each field of a node that may take a parameter
// (model.ParameterFields) and that the source wrote as a Ref of one of the
// stack's parameters take it, instead of keeping the property as written:
// the export writes the same Ref, and the node's panel shows the link. A
// number field takes only a Number parameter, as the model says.
func (im *importer) linkParameterFields() {
	s := im.stack
	if len(s.Parameters) == 0 {
		return
	}
	s.EachKept(func(id string, kept *[]model.Kept) {
		n, ok := s.Node(id)
		main := model.KeptPart(*kept, model.PartMain)
		if !ok || main == nil {
			return
		}
		for _, f := range model.ParameterFields(n.Kind) {
			i := slices.IndexFunc(main.Properties, func(p model.Field) bool { return p.Key == model.PropertyPath(f.Property) })
			if i < 0 {
				continue
			}
			v, err := cfn.ParseJSON(main.Properties[i].Value)
			if err != nil {
				continue
			}
			p := s.Parameter(v.RefTo())
			if p == nil || f.Number && p.Type != "Number" || n.ParamOf(f.Field) != "" {
				continue
			}
			n.SetParam(f.Field, p.Name)
			main.Properties = slices.Delete(main.Properties, i, i+1)
		}
		if main.LogicalID == "" && len(main.Attributes)+len(main.Properties)+len(main.AsWritten)+len(main.OmittedOutputs) == 0 && main.Absent == nil {
			*kept = slices.DeleteFunc(*kept, func(k model.Kept) bool { return k.Part == model.PartMain })
		}
		if len(*kept) == 0 {
			*kept = nil
		}
	})
}

// parameterUse reads an environment value that uses the stack's parameters
// as the export writes one (a Ref of a parameter, or a Sub whose every
// reference is to a parameter) as the model holds it, ${Name} in text.
func (im *importer) parameterUse(v *cfn.Value) (string, bool) {
	s := im.stack
	if len(s.Parameters) == 0 {
		return "", false
	}
	if name := v.RefTo(); name != "" && s.Parameter(name) != nil {
		return "${" + name + "}", true
	}
	fn, arg := v.Call()
	text, ok := arg.Str()
	if fn != "Fn::Sub" || !ok {
		return "", false
	}
	// ${!X} is the text ${X}: fine unless X names a parameter, which the
	// model would read as a use of it.
	plain := strings.ReplaceAll(text, "${!", "${")
	refs := 0
	for rest := text; ; {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		rest = rest[i+2:]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return "", false
		}
		name, escaped := strings.CutPrefix(rest[:end], "!")
		if s.Parameter(name) == nil {
			if !escaped {
				return "", false // ${AWS::Region}, ${Res.Arn}: not a parameter
			}
			continue
		}
		if escaped {
			return "", false
		}
		refs++
	}
	if refs == 0 || s.SubEscape(plain) != text {
		return "", false
	}
	return plain, true
}
