package model

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
)

// A stack's design beyond its nodes: the types of its parameters, the
// fields of nodes that take a parameter's value, and its environments
// (named sets of parameter values, such as dev and prod).

// The parameter types the Stack panel offers: CloudFormation's own, less
// the AWS-specific ones, which an imported template keeps as written.
var ParameterTypes = []string{"String", "Number", "CommaDelimitedList", "List<Number>",
	"AWS::SSM::Parameter::Value<String>"}

// ParamRef says that one field of a node takes its value from a stack
// parameter: the export writes !Ref of the parameter in the field's place,
// and a local run puts the parameter's value there. The field's own value
// stays as the one the node had, so removing the reference restores it.
type ParamRef struct {
	// Field is the field's JSON name, one of ParameterFields of the
	// node's kind ("memorySize").
	Field     string `json:"field"`
	Parameter string `json:"parameter"`
}

// ParameterField is a field of a kind that may take a parameter.
type ParameterField struct {
	Field string
	// Property is the CloudFormation property of the node's main resource
	// the field is written to.
	Property string
	Label    string
	// Number: the field is a number, so a value of the parameter must be
	// one.
	Number bool
}

// parameterFields lists, per kind, the fields that may take a parameter.
// A kind added elsewhere adds its row with RegisterParameterField.
var parameterFields = map[Kind][]ParameterField{
	KindFunction: {
		{Field: "memorySize", Property: "MemorySize", Label: "Memory (MB)", Number: true},
		{Field: "timeout", Property: "Timeout", Label: "Timeout (s)", Number: true},
	},
	KindTable: {
		{Field: "tableName", Property: "TableName", Label: "Table name"},
	},
	KindQueue: {
		{Field: "retentionPeriod", Property: "MessageRetentionPeriod", Label: "Retention (s)", Number: true},
		{Field: "visibilityTimeout", Property: "VisibilityTimeout", Label: "Visibility timeout (s)", Number: true},
	},
}

// RegisterParameterField lets a kind's file add a field that may take a
// parameter.
func RegisterParameterField(k Kind, f ParameterField) {
	parameterFields[k] = append(parameterFields[k], f)
}

// ParameterFields returns the fields of the kind that may take a parameter.
func ParameterFields(k Kind) []ParameterField { return parameterFields[k] }

// ParameterFieldOf returns the kind's field that may take a parameter.
func ParameterFieldOf(k Kind, field string) (ParameterField, bool) {
	i := slices.IndexFunc(parameterFields[k], func(f ParameterField) bool { return f.Field == field })
	if i < 0 {
		return ParameterField{}, false
	}
	return parameterFields[k][i], true
}

// ParamOf returns the parameter the node's field takes, or "".
func (n *Node) ParamOf(field string) string {
	for _, r := range n.Params {
		if r.Field == field {
			return r.Parameter
		}
	}
	return ""
}

// SetParam makes the node's field take the parameter; "" makes it take its
// own value again.
func (n *Node) SetParam(field, parameter string) {
	n.Params = slices.DeleteFunc(n.Params, func(r ParamRef) bool { return r.Field == field })
	if parameter != "" {
		n.Params = append(n.Params, ParamRef{Field: field, Parameter: parameter})
	}
	if len(n.Params) == 0 {
		n.Params = nil
	}
}

// HasParameter reports whether the template has the parameter: one of the
// stack's, or one an import kept as written.
func (s *Stack) HasParameter(name string) bool {
	return s.Parameter(name) != nil || s.KeptParameter(name) != nil
}

// KeptParameter returns the definition of the parameter an import kept as
// written (its Parameters section), or nil.
func (s *Stack) KeptParameter(name string) json.RawMessage {
	raw := s.Section("Parameters")
	if raw == nil {
		return nil
	}
	var defs map[string]json.RawMessage
	if json.Unmarshal(raw, &defs) != nil {
		return nil
	}
	return defs[name]
}

// KeptParameterDefault returns the Default of a parameter an import kept
// as written, when it is a string or number.
func (s *Stack) KeptParameterDefault(name string) (string, bool) {
	var def struct {
		Default any `json:"Default"`
	}
	raw := s.KeptParameter(name)
	if raw == nil || json.Unmarshal(raw, &def) != nil {
		return "", false
	}
	switch d := def.Default.(type) {
	case string:
		return d, true
	case float64:
		return strconv.FormatFloat(d, 'f', -1, 64), true
	}
	return "", false
}

// Environment is a named set of parameter values, such as dev or prod: the
// export writes each as a parameter file for aws cloudformation deploy, and
// a local run may use one.
type Environment struct {
	Name string `json:"name"`
	// Values are values of parameters by name; a parameter not here takes
	// its default.
	Values map[string]string `json:"values,omitempty"`
}

// Environment returns the stack's environment named name, or nil.
func (s *Stack) Environment(name string) *Environment {
	for _, e := range s.Environments {
		if e.Name == name {
			return e
		}
	}
	return nil
}

var environmentName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// ValidEnvironmentName reports whether name may name an environment (and
// its parameter file).
func ValidEnvironmentName(name string) bool { return environmentName.MatchString(name) }

// MaxEnvironments bounds a stack's environments.
const MaxEnvironments = 50

// RenameParameter renames a parameter of the stack and every reference
// to it: nodes' fields, environment values and ${Name} in environment
// variables.
func (s *Stack) RenameParameter(from, to string) {
	p := s.Parameter(from)
	if p == nil || from == to {
		return
	}
	for _, f := range s.Functions {
		for k, v := range f.Environment {
			if slices.Contains(s.ParameterRefs(v), from) {
				f.Environment[k] = replaceSubRef(v, from, to)
			}
		}
	}
	p.Name = to
	for _, n := range s.Nodes() {
		for i := range n.Params {
			if n.Params[i].Parameter == from {
				n.Params[i].Parameter = to
			}
		}
	}
	for _, e := range s.Environments {
		if v, ok := e.Values[from]; ok {
			delete(e.Values, from)
			e.Values[to] = v
		}
	}
}

func replaceSubRef(v, from, to string) string {
	return subReference.ReplaceAllStringFunc(v, func(m string) string {
		if m[2:len(m)-1] == from {
			return "${" + to + "}"
		}
		return m
	})
}

// ParameterValues returns the value of each parameter of the stack in the
// environment (nil for none), else its default; a parameter with neither is
// missing.
func (s *Stack) ParameterValues(env *Environment) (values map[string]string, missing []string) {
	values = make(map[string]string, len(s.Parameters))
	for _, p := range s.Parameters {
		switch v, ok := env.value(p.Name); {
		case ok:
			values[p.Name] = v
		case p.Default != nil:
			values[p.Name] = *p.Default
		default:
			missing = append(missing, p.Name)
		}
	}
	return values, missing
}

func (e *Environment) value(name string) (string, bool) {
	if e == nil {
		return "", false
	}
	v, ok := e.Values[name]
	return v, ok
}

func (v *validator) checkDesign() {
	s := v.stack
	for _, p := range s.Parameters {
		if p == nil {
			continue
		}
		field := "parameters." + p.Name
		if p.Type != "" && !slices.Contains(ParameterTypes, p.Type) {
			v.add("", field, "parameter %s: type %q is not one of %v", p.Name, p.Type, ParameterTypes)
		}
		if p.Default != nil && len(p.AllowedValues) > 0 && !slices.Contains(p.AllowedValues, *p.Default) {
			v.add("", field, "parameter %s: default %q is not one of its allowed values", p.Name, *p.Default)
		}
		if p.Default != nil && p.Type == "Number" {
			if _, err := strconv.ParseFloat(*p.Default, 64); err != nil {
				v.add("", field, "parameter %s: default %q is not a number", p.Name, *p.Default)
			}
		}
	}
	for _, n := range s.Nodes() {
		for _, r := range n.Params {
			l := nodeLabel{n.Kind, n.Node}
			f, ok := ParameterFieldOf(n.Kind, r.Field)
			switch {
			case !ok:
				v.add(n.ID, r.Field, "%s: field %s cannot take a parameter", l, r.Field)
			case !s.HasParameter(r.Parameter):
				v.add(n.ID, r.Field, "%s: %s takes parameter %s, which the stack does not have", l, f.Label, r.Parameter)
			case f.Number && s.Parameter(r.Parameter) != nil && s.Parameter(r.Parameter).Type != "Number":
				v.add(n.ID, r.Field, "%s: %s takes parameter %s, which is not of type Number", l, f.Label, r.Parameter)
			}
		}
	}
	if len(s.Environments) > MaxEnvironments {
		v.add("", "environments", "the stack has %d environments; the limit is %d", len(s.Environments), MaxEnvironments)
	}
	seen := map[string]bool{}
	for i, e := range s.Environments {
		if e == nil {
			v.add("", "environments", "environment %d is empty", i+1)
			continue
		}
		field := "environments." + e.Name
		switch {
		case !environmentName.MatchString(e.Name):
			v.add("", field, "environment name %q must start with a letter and hold up to 64 letters, digits, - or _", e.Name)
		case seen[e.Name]:
			v.add("", field, "environment %s is defined twice", e.Name)
		}
		seen[e.Name] = true
		for _, name := range sortedKeys(e.Values) {
			val := e.Values[name]
			p := s.Parameter(name)
			switch {
			case !s.HasParameter(name):
				v.add("", field, "environment %s gives a value to parameter %s, which the stack does not have", e.Name, name)
			case len(val) > MaxParameterValueBytes:
				v.add("", field, "environment %s: the value of %s is %d bytes; the limit is %d", e.Name, name, len(val), MaxParameterValueBytes)
			case p != nil && len(p.AllowedValues) > 0 && !slices.Contains(p.AllowedValues, val):
				v.add("", field, "environment %s: %q is not an allowed value of parameter %s", e.Name, val, name)
			case p != nil && p.Type == "Number" && !isNumber(val):
				v.add("", field, "environment %s: the value of %s, %q, is not a number", e.Name, name, val)
			}
		}
	}
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func cloneEnvironments(in []*Environment) []*Environment {
	return cloneEach(in, func(e *Environment) *Environment {
		c := *e
		if e.Values != nil {
			c.Values = make(map[string]string, len(e.Values))
			for k, v := range e.Values {
				c.Values[k] = v
			}
		}
		return &c
	})
}
