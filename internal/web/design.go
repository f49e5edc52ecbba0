package web

import (
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// StackPanelView is the Stack panel: the stack's parameters, environments,
// conditions, mappings and outputs, each edited in its own small form.
type StackPanelView struct {
	Base  string
	Stack *model.Stack
	// Form names the form the last request came from ("parameter:Name",
	// "environment:dev", "section:Outputs:Url", or "new-…"); Error is its
	// refusal, Saved its success.
	Form, Error string
	Saved       bool
	// Draft holds what a refused form sent, so it is shown again.
	Draft map[string]string
}

// EditedSections are the template sections the Stack panel edits as YAML,
// entry by entry.
var EditedSections = []string{"Conditions", "Mappings", "Outputs"}

// SectionEntry is one entry of a section, as YAML.
type SectionEntry struct{ Key, YAML string }

// Entries returns the section's entries, each as YAML.
func (v StackPanelView) Entries(section string) []SectionEntry {
	raw := v.Stack.Section(section)
	if raw == nil {
		return nil
	}
	val, err := cfn.ParseJSON(raw)
	if err != nil || val.Kind != cfn.Map {
		return nil
	}
	out := make([]SectionEntry, len(val.Keys))
	for i, k := range val.Keys {
		out[i] = SectionEntry{Key: k, YAML: entryYAML(k, val.Items[i])}
	}
	return out
}

// KeptParameters are the parameters an import kept as written, by name, as
// YAML.
func (v StackPanelView) KeptParameters() []SectionEntry { return v.Entries("Parameters") }

// ParameterNames are every parameter the template has: the stack's, then
// the kept ones.
func ParameterNames(s *model.Stack) []string {
	var names []string
	for _, p := range s.Parameters {
		names = append(names, p.Name)
	}
	if raw := s.Section("Parameters"); raw != nil {
		if val, err := cfn.ParseJSON(raw); err == nil {
			names = append(names, val.Keys...)
		}
	}
	return names
}

func (v StackPanelView) errorFor(form string) string {
	if v.Form == form {
		return v.Error
	}
	return ""
}

func (v StackPanelView) savedFor(form string) bool { return v.Saved && v.Form == form }

// draft returns what the refused form sent for the field, else def.
func (v StackPanelView) draft(form, field, def string) string {
	if v.Form == form && v.Error != "" {
		if d, ok := v.Draft[field]; ok {
			return d
		}
	}
	return def
}

func defaultText(p *model.Parameter) string {
	if p.Default == nil {
		return ""
	}
	return *p.Default
}

func parameterType(p *model.Parameter) string {
	if p.Type == "" {
		return "String"
	}
	return p.Type
}

// placeholderFor is what an environment's empty field means.
func placeholderFor(s *model.Stack, name string) string {
	if p := s.Parameter(name); p != nil {
		if p.Default != nil {
			return "default: " + *p.Default
		}
		return "no default: required"
	}
	if d, ok := s.KeptParameterDefault(name); ok {
		return "default: " + d
	}
	return "as deployed"
}

func envValue(e *model.Environment, name string) string {
	if e == nil {
		return ""
	}
	return e.Values[name]
}

// RunParamsView asks for the values of parameters a run needs and has
// none of.
type RunParamsView struct {
	Base, Env string
	Missing   []*model.Parameter
	Given     map[string]string
}

// entryYAML writes one entry's value as YAML in the short forms a template
// has (!Equals …): written under its key, as in the template, then
// taken out from under it.
func entryYAML(key string, v *cfn.Value) string {
	text := strings.TrimRight(string(cfn.WriteYAML(cfn.MapOf(key, v), 0)), "\n")
	first, rest, _ := strings.Cut(text, "\n")
	head := strings.TrimSpace(strings.TrimPrefix(first, key+":"))
	var lines []string
	if head != "" {
		lines = append(lines, head)
	}
	for _, l := range strings.Split(rest, "\n") {
		if l != "" {
			lines = append(lines, strings.TrimPrefix(l, "  "))
		}
	}
	return strings.Join(lines, "\n")
}
