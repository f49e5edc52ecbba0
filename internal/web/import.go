package web

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// ImportForm is what the import form on the stacks page last sent. Source is
// not sent back into the form when it came from a file.
type ImportForm struct {
	Name, Source, Error string
}

// ImportPreview is the page an import shows before it creates anything:
// what becomes of the file, and the form that creates the stack.
type ImportPreview struct {
	// File names the source in messages; Encoded is the file, gzipped and
	// base64-encoded, sent again by the Create button so the server keeps
	// nothing between the two requests.
	File, Encoded, Format, Name string
	APIs                        []ImportAPI
	Functions, Tables, Wires    []string
	// Services reads like "queue Jobs", "state machine Flow".
	Services []string
	// Parameters are the template's parameters that become the stack's own.
	Parameters             []string
	Others, Sections, Kept []string
	Notes                  []string
	// Error is why the last Create failed, such as a taken name.
	Error string
}

// ImportAPI is an API of an import preview with its route keys.
type ImportAPI struct {
	Name   string
	Routes []string
}

// KeptView is one part of an object that an import kept, for the panel.
type KeptView struct {
	Part, LogicalID string
	Fields          []KeptField
}

// KeptField is one kept attribute or property, its JSON indented.
type KeptField struct{ Key, JSON string }

// KeptViews lists what an object kept, as the panel shows it.
func KeptViews(kept []model.Kept) []KeptView {
	out := make([]KeptView, 0, len(kept))
	for _, k := range kept {
		v := KeptView{Part: k.Part, LogicalID: k.LogicalID}
		if v.Part == "" {
			v.Part = "Resource"
		}
		for _, f := range k.Attributes {
			v.Fields = append(v.Fields, KeptField{Key: f.Key, JSON: IndentJSON(f.Value)})
		}
		for _, f := range k.Properties {
			v.Fields = append(v.Fields, KeptField{Key: "Properties." + f.Key, JSON: IndentJSON(f.Value)})
		}
		out = append(out, v)
	}
	return out
}

// Kept returns what the panel's object kept from an imported template.
func (p PanelView) Kept() []KeptView {
	if v := kindViewOf(p.Kind); v.kept != nil && p.ID() != "" {
		return v.kept(p)
	}
	return nil
}

// IndentJSON indents JSON for reading; what does not parse is shown as it
// is.
func IndentJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

func join(items []string) string { return strings.Join(items, ", ") }

// countNoun writes "1 function", "3 functions".
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + noun + "s"
}
