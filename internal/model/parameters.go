package model

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// CloudFormation's limits on parameters.
const (
	MaxParameters                 = 200
	MaxParameterValueBytes        = 4096
	MaxParameterDescriptionLength = 4000
)

// Parameter is a value the template takes when it is deployed: a
// CloudFormation Parameter of type String. A function's environment value
// uses one as ${Name}, as Fn::Sub does; the export writes that value as a
// Ref or a Sub, and a local run puts the parameter's value in its place.
type Parameter struct {
	Name string `json:"name"`
	// Default is the value when the deployment (or run) gives none; nil
	// means a value must be given, "" that the empty string is the default.
	Default     *string `json:"default,omitempty"`
	Description string  `json:"description,omitempty"`
	// Type is one of ParameterTypes; "" is String.
	Type          string   `json:"type,omitempty"`
	AllowedValues []string `json:"allowedValues,omitempty"`
	// NoEcho masks the value in the console and API answers.
	NoEcho bool `json:"noEcho,omitempty"`
}

// Parameter returns the stack's parameter named name, or nil.
func (s *Stack) Parameter(name string) *Parameter {
	for _, p := range s.Parameters {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// subReference matches a ${Name} reference of Fn::Sub (not ${!Name}, its
// escape, nor ${Res.Attr}).
var subReference = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)

// ParameterRefs returns the names of the stack's parameters value refers to
// as ${Name}, in order, each once.
func (s *Stack) ParameterRefs(value string) []string {
	if !strings.Contains(value, "${") || len(s.Parameters) == 0 {
		return nil
	}
	var names []string
	for _, m := range subReference.FindAllStringSubmatch(value, -1) {
		if s.Parameter(m[1]) != nil && !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

// ExpandParameters replaces each ${Name} in value that names one of the
// stack's parameters by lookup(Name); other text stays as it is.
func (s *Stack) ExpandParameters(value string, lookup func(name string) string) string {
	if len(s.ParameterRefs(value)) == 0 {
		return value
	}
	return subReference.ReplaceAllStringFunc(value, func(m string) string {
		name := m[2 : len(m)-1]
		if s.Parameter(name) == nil {
			return m
		}
		return lookup(name)
	})
}

// SubEscape returns value as the text of an Fn::Sub: each ${ that does
// not start a reference to one of the stack's parameters becomes ${!, which
// Fn::Sub writes as ${.
func (s *Stack) SubEscape(value string) string {
	var out strings.Builder
	for {
		i := strings.Index(value, "${")
		if i < 0 {
			out.WriteString(value)
			return out.String()
		}
		out.WriteString(value[:i+2])
		value = value[i+2:]
		end := strings.IndexByte(value, '}')
		if end < 0 || s.Parameter(value[:end]) == nil {
			out.WriteByte('!')
		}
	}
}

// ParameterName turns a variable name such as WS_PORT, ws-port or
// custom.tableName into a parameter name (a logical ID): WsPort,
// CustomTableName.
func ParameterName(variable string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(variable, func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		if strings.ToUpper(word) == word {
			word = strings.ToLower(word)
		}
		b.WriteString(strings.ToUpper(word[:1]) + word[1:])
	}
	name := b.String()
	if name != "" && !unicode.IsLetter(rune(name[0])) {
		name = "P" + name
	}
	if len(name) > MaxLogicalIDLength {
		name = name[:MaxLogicalIDLength]
	}
	return name
}

// frameworkVariable matches a Serverless Framework variable such as
// ${env:X}, ${opt:stage, 'dev'}, ${ssm:/path} or ${file(./x.yml)}: text
// CloudFormation does not resolve, so a template holding one deploys it as
// it is written.
var frameworkVariable = regexp.MustCompile(`\$\{(?:self|sls|opt|env|param|ssm|cf|s3|aws|file\(|strToBool\()[^}]*\}`)

// FrameworkVariable returns the first Serverless Framework variable in
// value, or "".
func FrameworkVariable(value string) string {
	if !strings.Contains(value, "${") {
		return ""
	}
	return frameworkVariable.FindString(value)
}

func (v *validator) checkParameters() {
	s := v.stack
	if len(s.Parameters) > MaxParameters {
		v.add("", "parameters", "the stack has %d parameters; CloudFormation allows %d", len(s.Parameters), MaxParameters)
	}
	seen := make(map[string]bool, len(s.Parameters))
	for i, p := range s.Parameters {
		field := "parameters." + p.Name
		switch {
		case p == nil:
			v.add("", "parameters", "parameter %d is empty", i+1)
			continue
		case !ValidLogicalID(p.Name):
			v.add("", field, "parameter name %q must be 1 to %d letters and digits", p.Name, MaxLogicalIDLength)
		case seen[p.Name]:
			v.add("", field, "parameter %s is defined twice", p.Name)
		}
		seen[p.Name] = true
		if len(p.Description) > MaxParameterDescriptionLength {
			v.add("", field, "parameter %s: description is %d characters; the limit is %d", p.Name, len(p.Description), MaxParameterDescriptionLength)
		}
		if p.Default != nil && len(*p.Default) > MaxParameterValueBytes {
			v.add("", field, "parameter %s: default is %d bytes; the limit is %d", p.Name, len(*p.Default), MaxParameterValueBytes)
		}
	}
}

type parameterLabel string

func (l parameterLabel) String() string { return "parameter " + string(l) }
