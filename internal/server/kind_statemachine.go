package server

import (
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A state machine's form: its type, definition and definition file.
func init() {
	registerKindForm(model.KindStateMachine, &kindForm{
		fields: set("name", "type", "definition", "definitionPath"),
		read:   readStateMachineFields,
	})
}

// stateMachineFields is a state machine's part of the properties form.
type stateMachineFields struct {
	Type, DefinitionPath *string
	// Definition is kept as written, spaces and all: it is a document.
	Definition *string
}

func readStateMachineFields(v formValues, _ map[string]string) kindFields {
	f := &stateMachineFields{Type: v.str("type"), DefinitionPath: v.str("definitionPath")}
	if d, ok := v["definition"]; ok && len(d) > 0 {
		// Browsers send a textarea's line breaks as CRLF.
		def := strings.ReplaceAll(d[0], "\r\n", "\n")
		f.Definition = &def
	}
	return f
}

func (p *stateMachineFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	m := st.StateMachine(id)
	sent(&m.Name, common.Name)
	setNonEmpty(&m.Type, p.Type)
	sent(&m.Definition, p.Definition)
	sent(&m.DefinitionPath, p.DefinitionPath)
}
