package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/awslabs/goformation/v7/cloudformation"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A generic resource is a model.Other: any CloudFormation type, written as
// the user (or an imported template) wrote it. Its text is checked here,
// against goformation's typed struct for its type, since this package is
// the one that knows goformation.

// registry is goformation's catalogue of resource types: their names,
// sorted, and the struct each one's Properties are.
var registry = sync.OnceValue(func() (r struct {
	names []string
	types map[string]reflect.Type
}) {
	all := cloudformation.AllResources()
	r.types = make(map[string]reflect.Type, len(all))
	for name, res := range all {
		r.names = append(r.names, name)
		r.types[name] = reflect.TypeOf(res).Elem()
	}
	slices.Sort(r.names)
	return r
})

// ResourceTypes lists every CloudFormation resource type goformation knows,
// sorted, for the picker of a generic node.
func ResourceTypes() []string { return registry().names }

// KnownResourceType reports whether goformation has a typed struct for the
// type, so its properties can be checked.
func KnownResourceType(typ string) bool {
	_, ok := registry().types[typ]
	return ok
}

// SearchResourceTypes returns up to limit types whose name contains every
// word of query ("kinesis stream", "Kinesis::Stream"), case-insensitively,
// those whose last part starts with the query's last word first, and how
// many matched in all.
func SearchResourceTypes(query string, limit int) (types []string, total int) {
	words := strings.Fields(strings.ToLower(strings.NewReplacer("::", " ", ":", " ").Replace(query)))
	var first, rest []string
	for _, name := range ResourceTypes() {
		lower := strings.ToLower(name)
		if !containsAll(lower, words) {
			continue
		}
		if len(words) > 0 && strings.HasPrefix(lower[strings.LastIndex(lower, ":")+1:], words[len(words)-1]) {
			first = append(first, name)
		} else {
			rest = append(rest, name)
		}
	}
	out := append(first, rest...)
	return out[:min(len(out), limit)], len(out)
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// ResourceProblem is one thing wrong with a generic resource's text: the
// path of the value at fault ("Properties.StreamModeDetails.StreamMode"),
// where it was written, and what is wrong.
type ResourceProblem struct {
	Path    string
	Pos     cfn.Pos
	Message string
}

func (p ResourceProblem) String() string {
	where := p.Path
	if p.Pos.Line > 0 {
		where += " (" + p.Pos.String() + ")"
	}
	if where == "" {
		return p.Message
	}
	return where + ": " + p.Message
}

// resourceAttributes are the keys a resource may have besides Type, and
// what each must be.
var resourceAttributes = []string{"Properties", "DependsOn", "Condition", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "CreationPolicy", "UpdatePolicy"}

// editLimits bound the text of one resource typed into the panel.
var editLimits = cfn.Limits{MaxDepth: 64, MaxValues: 1 << 14}

// ResourceText is the text the panel edits for a generic resource: the
// resource without its Type, as YAML with intrinsics in their short form.
func ResourceText(o *model.Other) (string, error) {
	v, err := cfn.ParseJSON(o.Resource)
	if err != nil {
		return "", fmt.Errorf("resource %s: %w", o.Name, err)
	}
	v.Delete("Type")
	if len(v.Keys) == 0 {
		return "Properties: {}\n", nil
	}
	return string(cfn.WriteYAML(v, len(o.Resource))), nil
}

// ParseResource reads the text of a generic resource of type typ (YAML or
// JSON; short and long intrinsics) and checks it against goformation's
// struct for the type, and, when known is not nil, that every Ref, GetAtt,
// Sub and DependsOn names something known says the stack has (Names). It
// returns the whole resource as JSON, Type first, or the problems that stop
// it from being saved. The text is one resource, read within editLimits,
// so it needs no context to stop it.
func ParseResource(typ, text string, known func(name string) bool) (json.RawMessage, []ResourceProblem) {
	if strings.TrimSpace(text) == "" {
		text = "{}"
	}
	v, err := cfn.ReadYAML(context.Background(), []byte(text), editLimits)
	if err != nil {
		var syn *cfn.SyntaxError
		if errors.As(err, &syn) {
			return nil, []ResourceProblem{{Pos: syn.Pos, Message: syn.Msg}}
		}
		return nil, []ResourceProblem{{Message: err.Error()}}
	}
	if v == nil || v.Kind == cfn.Null {
		v = &cfn.Value{Kind: cfn.Map}
	}
	problems := CheckResource(typ, v)
	if known != nil && len(problems) == 0 {
		problems = checkNames(v, known)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	res := &cfn.Value{Kind: cfn.Map}
	res.Set("Type", cfn.Str(typ))
	for i, k := range v.Keys {
		if k != "Type" {
			res.Set(k, v.Items[i])
		}
	}
	return res.JSON(), nil
}

// CheckResource checks a resource's attributes and, when goformation knows
// typ, its Properties against the type's struct: every key must be one of
// its properties and every value of the property's type. An intrinsic
// function is taken wherever a value may be, since what it gives is known
// only when the stack is deployed.
func CheckResource(typ string, v *cfn.Value) []ResourceProblem {
	c := &checker{}
	if v.Kind != cfn.Map {
		return []ResourceProblem{{Pos: v.Pos, Message: "must be a mapping of Properties, DependsOn, Condition…, such as Properties: {}"}}
	}
	for i, key := range v.Keys {
		item := v.Items[i]
		switch key {
		case "Type":
			if s, _ := item.Str(); s != typ {
				c.add(key, item, fmt.Sprintf("is %s; a node's type cannot change (add a node of the other type instead)", typ))
			}
		case "Properties":
			if t, ok := registry().types[typ]; ok {
				c.value(key, item, t)
			} else if item.Kind != cfn.Map && !intrinsic(item) {
				c.add(key, item, "must be a mapping")
			}
		case "DependsOn":
			if item.Kind != cfn.String {
				c.value(key, item, reflect.TypeFor[[]string]())
			}
		case "Condition":
			if item.Kind != cfn.String {
				c.add(key, item, "must be the name of a condition")
			}
		case "DeletionPolicy", "UpdateReplacePolicy":
			if s, _ := item.Str(); !slices.Contains([]string{"Delete", "Retain", "Snapshot", "RetainExceptOnCreate"}, s) && !intrinsic(item) {
				c.add(key, item, "must be Delete, Retain, Snapshot or RetainExceptOnCreate")
			}
		case "Metadata", "CreationPolicy", "UpdatePolicy":
			if item.Kind != cfn.Map {
				c.add(key, item, "must be a mapping")
			}
		default:
			c.add(key, item, "is not a resource attribute; a resource has "+strings.Join(resourceAttributes, ", "))
		}
	}
	return c.problems
}

type checker struct{ problems []ResourceProblem }

func (c *checker) add(path string, v *cfn.Value, msg string) {
	c.problems = append(c.problems, ResourceProblem{Path: path, Pos: v.Pos, Message: msg})
}

// maxProblems keeps a pasted wrong document from listing thousands.
const maxProblems = 20

// value checks v against the Go type goformation gives the value at path.
func (c *checker) value(path string, v *cfn.Value, t reflect.Type) {
	if len(c.problems) >= maxProblems || intrinsic(v) {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Interface:
	case reflect.Struct:
		if union(t) {
			c.union(path, v, t)
			return
		}
		if v.Kind != cfn.Map {
			c.add(path, v, "must be a mapping, not a "+v.Kind.String())
			return
		}
		fields := jsonFields(t)
		for i, key := range v.Keys {
			f, ok := fields[key]
			if !ok {
				c.add(path+"."+key, v.Items[i], "is not a property of "+typeName(path, t)+"; it has "+strings.Join(sortedKeys(fields), ", "))
				continue
			}
			c.value(path+"."+key, v.Items[i], f)
		}
	case reflect.Slice:
		if v.Kind != cfn.List {
			c.add(path, v, "must be a list, not a "+v.Kind.String())
			return
		}
		for i, item := range v.Items {
			c.value(path+"["+strconv.Itoa(i)+"]", item, t.Elem())
		}
	case reflect.Map:
		if v.Kind != cfn.Map {
			c.add(path, v, "must be a mapping, not a "+v.Kind.String())
			return
		}
		for i, key := range v.Keys {
			c.value(path+"."+key, v.Items[i], t.Elem())
		}
	case reflect.String:
		if v.Kind == cfn.Map || v.Kind == cfn.List {
			c.add(path, v, "must be a string, not a "+v.Kind.String())
		}
	case reflect.Int, reflect.Int64, reflect.Float64:
		// CloudFormation takes a number written as a string too.
		if _, err := strconv.ParseFloat(v.Text, 64); (v.Kind != cfn.Number && v.Kind != cfn.String) || err != nil {
			c.add(path, v, "must be a number, not "+describe(v))
		} else if t.Kind() != reflect.Float64 && strings.ContainsAny(v.Text, ".eE") {
			c.add(path, v, "must be a whole number, not "+v.Text)
		}
	case reflect.Bool:
		if v.Kind != cfn.Bool && !(v.Kind == cfn.String && (v.Text == "true" || v.Text == "false")) {
			c.add(path, v, "must be true or false, not "+describe(v))
		}
	}
}

// union reports whether t is one of goformation's "either a String or an
// S3Location" structs: fields without JSON names, one set.
func union(t reflect.Type) bool {
	for i := range t.NumField() {
		if _, ok := t.Field(i).Tag.Lookup("json"); ok {
			return false
		}
	}
	return t.NumField() > 0
}

// union checks v against each of a union's types, and is content with one
// that fits.
func (c *checker) union(path string, v *cfn.Value, t reflect.Type) {
	var best []ResourceProblem
	for i := range t.NumField() {
		try := &checker{}
		try.value(path, v, t.Field(i).Type)
		if len(try.problems) == 0 {
			return
		}
		if best == nil || len(try.problems) < len(best) {
			best = try.problems
		}
	}
	c.problems = append(c.problems, best...)
}

// jsonFields maps the JSON names of a struct's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// typeName names what a struct is in a message: the resource type's
// Properties, or its property type (Stream_StreamModeDetails →
// StreamModeDetails).
func typeName(path string, t reflect.Type) string {
	if path == "Properties" {
		return t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:] + " " + t.Name()
	}
	name := t.Name()
	return name[strings.LastIndex(name, "_")+1:]
}

// intrinsic reports whether v is a function call (!Ref, !GetAtt, !Sub,
// Fn::If…), which may stand for a value of any type.
func intrinsic(v *cfn.Value) bool {
	fn, _ := v.Call()
	return fn != "" && fn != "Condition"
}

func describe(v *cfn.Value) string {
	switch v.Kind {
	case cfn.String:
		return strconv.Quote(v.Text)
	case cfn.Map, cfn.List:
		return "a " + v.Kind.String()
	case cfn.Null:
		return "nothing"
	}
	return v.Text
}

// checkNames reports each Ref, GetAtt, Sub variable and DependsOn of a
// resource that names nothing known: CloudFormation refuses such a
// template, and no wire could be drawn for it.
func checkNames(res *cfn.Value, known func(string) bool) []ResourceProblem {
	c := &checker{}
	unknown := func(path string, v *cfn.Value, what, name string) {
		if !known(name) {
			c.add(path, v, fmt.Sprintf("%s %s names no resource or parameter of this stack", what, name))
		}
	}
	if d := res.Get("DependsOn"); d != nil {
		if name, ok := d.Str(); ok {
			unknown("DependsOn", d, "DependsOn", name)
		}
		if d.Kind == cfn.List {
			for i, item := range d.Items {
				if name, ok := item.Str(); ok {
					unknown("DependsOn["+strconv.Itoa(i)+"]", item, "DependsOn", name)
				}
			}
		}
	}
	var walk func(path string, v *cfn.Value)
	walk = func(path string, v *cfn.Value) {
		if len(c.problems) >= maxProblems {
			return
		}
		switch fn, arg := v.Call(); fn {
		case "Ref":
			if name, ok := arg.Str(); ok {
				unknown(path, v, "!Ref", name)
				return
			}
		case "Fn::GetAtt":
			if name, _ := v.GetAttOf(); name != "" {
				unknown(path, v, "!GetAtt of", name)
				return
			}
		case "Fn::Sub":
			text, vars := arg, (*cfn.Value)(nil)
			if arg.Kind == cfn.List && len(arg.Items) == 2 {
				text, vars = arg.Items[0], arg.Items[1]
				walk(path, vars)
			}
			if t, ok := text.Str(); ok {
				for _, m := range subName.FindAllStringSubmatch(t, -1) {
					if vars != nil && vars.Get(m[1]) != nil {
						continue
					}
					unknown(path, v, "!Sub variable", m[1])
				}
				return
			}
		}
		for i, item := range v.Items {
			if v.Kind == cfn.Map {
				walk(path+"."+v.Keys[i], item)
			} else {
				walk(path+"["+strconv.Itoa(i)+"]", item)
			}
		}
	}
	if props := res.Get("Properties"); props != nil {
		walk("Properties", props)
	}
	if m := res.Get("Metadata"); m != nil {
		walk("Metadata", m)
	}
	return c.problems
}
