package model

import (
	"encoding/json"
	"slices"
)

// The state machine kind: a Step Functions state machine, standard or
// express, whose definition the export writes as its own file beside the
// template.
func init() {
	registerKind(&KindSpec{
		Kind: KindStateMachine, Order: 60,
		Noun: "state machine", Article: "a state machine",
		IDPrefix: "sm", BaseName: "StateMachine",
		add: func(s *Stack, id, name string) *Node {
			m := NewStateMachine(id, name)
			s.StateMachines = append(s.StateMachines, m)
			return &m.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, m := range s.StateMachines {
				fn(m.ID, &m.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, m := range s.StateMachines {
				fn(&m.Node)
			}
		},
		count: func(s *Stack) int { return len(s.StateMachines) },
		applyDefaults: func(s *Stack) {
			for _, m := range s.StateMachines {
				if m.Type == "" {
					m.Type = StateMachineStandard
				}
				if m.Definition == "" {
					m.Definition = DefaultDefinition
				}
			}
		},
		check: func(v *validator) {
			files := map[string]string{}
			for _, m := range v.stack.StateMachines {
				v.checkStateMachine(m)
				if m.DefinitionPath == "" {
					continue
				}
				if other, ok := files[m.DefinitionPath]; ok {
					v.add(m.ID, "definitionPath", "%s: definition file %q is state machine %q's too; give each its own", label(KindStateMachine, &m.Node), m.DefinitionPath, other)
				}
				files[m.DefinitionPath] = m.Name
			}
		},
		clone: func(dst, src *Stack) {
			dst.StateMachines = cloneEach(src.StateMachines, func(m *StateMachine) *StateMachine { c := *m; c.Kept = cloneKept(m.Kept); return &c })
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.StateMachines)
			s.StateMachines = slices.DeleteFunc(s.StateMachines, func(m *StateMachine) bool { return m.ID == id })
			return len(s.StateMachines) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, m := range src.StateMachines {
				m.ID = ids.renew(m.ID, "sm")
				// A copy renamed on paste gets its own file, as a new one.
				if old := ids.oldName[m.Name]; old != "" && m.DefinitionPath == DefaultDefinitionPath(old) {
					m.DefinitionPath = DefaultDefinitionPath(m.Name)
				}
				m.Kept = forgetLogicalIDs(m.Kept)
				dst.StateMachines = append(dst.StateMachines, m)
			}
		},
	})
}

// StateMachineType is STANDARD or EXPRESS.
type StateMachineType string

// The types of state machine Step Functions runs.
const (
	StateMachineStandard StateMachineType = "STANDARD"
	StateMachineExpress  StateMachineType = "EXPRESS"
)

// DefaultDefinition is a new state machine's definition: one state that
// passes its input on.
const DefaultDefinition = `{
  "Comment": "Passes its input on",
  "StartAt": "Pass",
  "States": {
    "Pass": {
      "Type": "Pass",
      "End": true
    }
  }
}
`

// StateMachine is a Step Functions state machine.
type StateMachine struct {
	Node
	Type StateMachineType `json:"type"`
	// Definition is the Amazon States Language document, as JSON.
	Definition string `json:"definition"`
	// DefinitionPath is the file, relative to the template, the export
	// writes the definition to (DefinitionS3Location, uploaded by
	// `aws cloudformation package`); empty writes it in the template
	// (Definition), as an imported template that did so.
	DefinitionPath string `json:"definitionPath,omitempty"`
	// Kept is what an imported template said about the state machine that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// MaxDefinitionBytes is Step Functions' limit on a definition.
const MaxDefinitionBytes = 1 << 20

// DefaultDefinitionPath is where a state machine's definition is written.
func DefaultDefinitionPath(logicalID string) string {
	return "statemachines/" + KebabName(logicalID) + ".asl.json"
}

// NewStateMachine returns a standard state machine with a one-state
// definition.
func NewStateMachine(id, name string) *StateMachine {
	return &StateMachine{
		Node:           Node{ID: id, Name: name},
		Type:           StateMachineStandard,
		Definition:     DefaultDefinition,
		DefinitionPath: DefaultDefinitionPath(name),
	}
}

func (v *validator) checkStateMachine(m *StateMachine) {
	l := label(KindStateMachine, &m.Node)
	if m.Type != StateMachineStandard && m.Type != StateMachineExpress {
		v.add(m.ID, "type", "%s: type must be %s or %s", l, StateMachineStandard, StateMachineExpress)
	}
	var def struct {
		StartAt string                     `json:"StartAt"`
		States  map[string]json.RawMessage `json:"States"`
	}
	switch {
	case len(m.Definition) > MaxDefinitionBytes:
		v.add(m.ID, "definition", "%s: definition is %d bytes; Step Functions allows %d", l, len(m.Definition), MaxDefinitionBytes)
	case json.Unmarshal([]byte(m.Definition), &def) != nil:
		v.add(m.ID, "definition", "%s: definition must be a JSON object (Amazon States Language)", l)
	case def.StartAt == "" || len(def.States) == 0:
		v.add(m.ID, "definition", "%s: definition needs StartAt and at least one state in States", l)
	case def.States[def.StartAt] == nil:
		v.add(m.ID, "definition", "%s: StartAt names %q, which is not among the States", l, def.StartAt)
	}
	if msg := checkCodePath(m.DefinitionPath); m.DefinitionPath != "" && msg != "" {
		v.add(m.ID, "definitionPath", "%s: definition file %q %s", l, m.DefinitionPath, msg)
	}
	for _, w := range v.index.WiresToOfKind(m.ID, WireStartSyncExecution) {
		if m.Type != StateMachineExpress {
			v.add(w.ID, "", "%s: only an express state machine can be started synchronously; make it express or start it asynchronously", l)
		}
	}
}
