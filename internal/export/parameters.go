package export

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// The stack's parameters are the template's Parameters, each of type
// String; a value that uses one as ${Name} is written as a Ref of it when
// it is nothing else, and as a Sub otherwise.

// parameterValue is the function of the stack's parameters a value is, or
// nil when it uses none.
func (b *builder) parameterValue(v string) *cfn.Value {
	refs := b.s.ParameterRefs(v)
	if len(refs) == 0 {
		return nil
	}
	if v == "${"+refs[0]+"}" {
		return b.ref(refs[0])
	}
	return b.sub(b.s.SubEscape(v))
}

// parametersNode is the Parameters section the stack's parameters make,
// followed by the parameters an import kept as written, or nil for none.
func parametersNode(s *model.Stack, kept *cfn.Value) *cfn.Value {
	if len(s.Parameters) == 0 {
		return kept
	}
	out := &cfn.Value{Kind: cfn.Map}
	for _, p := range s.Parameters {
		typ := p.Type
		if typ == "" {
			typ = "String"
		}
		def := cfn.MapOf("Type", cfn.Str(typ))
		if p.Default != nil {
			def.Set("Default", cfn.Str(*p.Default))
		}
		if p.Description != "" {
			def.Set("Description", cfn.Str(p.Description))
		}
		if len(p.AllowedValues) > 0 {
			def.Set("AllowedValues", cfn.Strings(p.AllowedValues...))
		}
		if p.NoEcho {
			def.Set("NoEcho", cfn.Boolean(true))
		}
		out.Set(p.Name, def)
	}
	if kept != nil && kept.Kind == cfn.Map {
		for i, k := range kept.Keys {
			out.Set(k, kept.Items[i])
		}
	}
	return out
}

// applyParams writes !Ref of a parameter in place of each field of the
// node that takes one (model.ParamRef), on its main resource.
func (b *builder) applyParams(res *cfn.Value, nodeID string) {
	n, ok := b.index.Node(nodeID)
	if !ok || len(n.Params) == 0 {
		return
	}
	props := res.Get("Properties")
	if props == nil {
		props = &cfn.Value{Kind: cfn.Map}
		res.Set("Properties", props)
		res.Reorder(resourceOrder)
	}
	for _, r := range n.Params {
		if f, ok := model.ParameterFieldOf(n.Kind, r.Field); ok {
			props.Set(f.Property, cfn.Ref(r.Parameter))
		}
	}
	// A field the export leaves out at its default (a queue's retention)
	// joins the others where goformation writes it: alphabetically, as an
	// import reads it back.
	props.SortKeys()
}

// ParameterFiles returns a parameter file per environment of the stack,
// parameters/<env>.json, for
//
//	aws cloudformation deploy --parameter-overrides file://parameters/dev.json
//
// The AWS CLI reads the file as the option's value: a JSON list of
// "Key=Value" strings, which every version of deploy accepts. Only the
// environment's own values are written; a parameter it leaves out takes
// its default (or, in an update, its previous value).
func ParameterFiles(s *model.Stack) map[string][]byte {
	files := make(map[string][]byte, len(s.Environments))
	for _, e := range s.Environments {
		if e == nil || !model.ValidEnvironmentName(e.Name) {
			continue
		}
		list := make([]string, 0, len(e.Values))
		for _, name := range parameterOrder(s, e) {
			list = append(list, name+"="+e.Values[name])
		}
		data, err := json.MarshalIndent(list, "", "  ")
		if err != nil {
			continue // a list of strings always encodes
		}
		files["parameters/"+e.Name+".json"] = append(data, '\n')
	}
	return files
}

// parameterOrder is the names the environment gives values to: the
// stack's parameters in their order, then kept ones by name.
func parameterOrder(s *model.Stack, e *model.Environment) []string {
	names := make([]string, 0, len(e.Values))
	for _, p := range s.Parameters {
		if _, ok := e.Values[p.Name]; ok {
			names = append(names, p.Name)
		}
	}
	for _, name := range model.Sorted(e.Values) {
		if s.Parameter(name) == nil {
			names = append(names, name)
		}
	}
	return names
}

// Names are the names a template's references may use: its resources'
// logical IDs, its parameters and its conditions.
type Names struct {
	Resources, Parameters, Conditions map[string]bool
}

// TemplateNames returns the names the stack's template defines. It takes a
// draft, as Resources does: a stack still being drawn has names too.
func TemplateNames(s *model.Stack) (*Names, error) {
	b, err := build(s, true)
	if err != nil {
		return nil, err
	}
	tree, err := b.tree()
	if err != nil {
		return nil, err
	}
	keys := func(section string) map[string]bool {
		out := map[string]bool{}
		if v := tree.Get(section); v != nil {
			for _, k := range v.Keys {
				out[k] = true
			}
		}
		return out
	}
	return &Names{Resources: keys("Resources"), Parameters: keys("Parameters"), Conditions: keys("Conditions")}, nil
}

// Known says whether a reference may name name: a resource (a generic
// node's too), a parameter, or a pseudo parameter (AWS::Region).
func (n *Names) Known(name string) bool {
	return strings.HasPrefix(name, "AWS::") || n.Resources[name] || n.Parameters[name]
}

// subName matches ${Name} and ${Name.Attr} in an Fn::Sub string (not ${!…}).
var subName = regexp.MustCompile(`\$\{([A-Za-z0-9:]+)(\.[A-Za-z0-9.]+)?\}`)

// UnknownReferences lists what v refers to that the names do not define:
// Ref, Fn::GetAtt, ${…} in Fn::Sub, and conditions in Fn::If and
// Condition. Pseudo parameters (AWS::Region…) are known.
func (n *Names) UnknownReferences(v *cfn.Value) []string {
	var out []string
	add := func(what string) {
		if !slices.Contains(out, what) {
			out = append(out, what)
		}
	}
	known := n.Known
	v.Walk(func(x *cfn.Value) {
		fn, arg := x.Call()
		switch fn {
		case "Ref":
			if name, _ := arg.Str(); name != "" && !known(name) {
				add("parameter or resource " + name)
			}
		case "Fn::GetAtt":
			if id, _ := x.GetAttOf(); id != "" && !n.Resources[id] {
				add("resource " + id)
			}
		case "Fn::Sub":
			text, _ := arg.Str()
			var vars *cfn.Value
			if arg.Kind == cfn.List && len(arg.Items) > 0 {
				text, _ = arg.Items[0].Str()
				if len(arg.Items) > 1 {
					vars = arg.Items[1]
				}
			}
			for _, m := range subName.FindAllStringSubmatch(text, -1) {
				if vars.Get(m[1]) != nil {
					continue
				}
				if m[2] != "" && !n.Resources[m[1]] {
					add("resource " + m[1])
				} else if m[2] == "" && !known(m[1]) {
					add("parameter or resource " + m[1])
				}
			}
		case "Fn::If":
			if arg.Kind == cfn.List && len(arg.Items) > 0 {
				if c, _ := arg.Items[0].Str(); c != "" && !n.Conditions[c] {
					add("condition " + c)
				}
			}
		case "Condition":
			if c, _ := arg.Str(); c != "" && !n.Conditions[c] {
				add("condition " + c)
			}
		}
	})
	return out
}
