package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// State machines come before APIs, whose routes may start them.
func init() {
	registerKind(&recogniser{kind: model.KindStateMachine, mainType: typeStateMachine, order: 26, recognise: (*importer).importStateMachines})
}

// importStateMachines turns each AWS::StepFunctions::StateMachine whose
// definition the template holds as it is (Definition, or a literal
// DefinitionString) into a state machine, with the role it runs with when
// no other uses it. One whose definition is built by intrinsic functions
// or lies elsewhere stays as it is written.
func (im *importer) importStateMachines() error {
	if im.smRoles == nil {
		im.smRoles = map[string]string{}
	}
	roleUsers := map[string]int{}
	for _, r := range im.ofType(typeStateMachine) {
		if id, att := r.props.Get("RoleArn").GetAttOf(); att == "Arn" {
			roleUsers[id]++
		}
	}
	for _, r := range im.ofType(typeStateMachine) {
		if err := im.stopped(); err != nil {
			return err
		}
		var def, path string
		if d := r.props.Get("Definition"); d != nil {
			data, err := json.MarshalIndent(json.RawMessage(d.JSON()), "", "  ")
			if err != nil || !literal(d) {
				im.note("state machine %s: its Definition holds intrinsic functions, so it is kept as it is", r.id)
				continue
			}
			def = string(data) + "\n"
		} else if s, ok := r.props.Get("DefinitionString").Str(); ok {
			def = s
		} else if p, ok := r.props.Get("DefinitionS3Location").Str(); ok {
			data, err := im.readBeside(p)
			if err != nil {
				im.note("state machine %s: its definition %s was not read (%v), so it is kept as it is", r.id, p, err)
				continue
			}
			def, path = string(data), p
		} else {
			im.note("state machine %s: its definition is not in the template, so it is kept as it is", r.id)
			continue
		}
		m := model.NewStateMachine(im.id("sm"), im.nodeName[r.id])
		m.Definition = def
		// Inline in the source (no path), inline in the export.
		m.DefinitionPath = path
		if typ, ok := r.props.Get("StateMachineType").Str(); ok {
			m.Type = model.StateMachineType(typ)
		}
		probe := &model.Stack{StateMachines: []*model.StateMachine{m}}
		bad := false
		resetInvalid(probe, m.ID, func(field string) {
			bad = bad || field == "definition" || field == "type" || field == "definitionPath"
		})
		if bad {
			im.note("state machine %s: its type or definition is not one Switchboard can hold, so it is kept as it is", r.id)
			continue
		}
		if id, att := r.props.Get("RoleArn").GetAttOf(); att == "Arn" && im.isType(id, typeRole) && roleUsers[id] == 1 && !im.claimed[id] {
			im.smRoles[m.ID] = id
			im.claimed[id] = true
		}
		im.srcID[m.ID] = r.id
		im.claimed[r.id] = true
		im.stack.StateMachines = append(im.stack.StateMachines, m)
	}
	return nil
}

// literal reports whether a value holds no intrinsic function.
func literal(v *cfn.Value) bool {
	if v == nil {
		return true
	}
	if fn, _ := v.Call(); fn != "" {
		return false
	}
	for _, item := range v.Items {
		if !literal(item) {
			return false
		}
	}
	return true
}

// readBeside reads a file the template names by a path relative to its
// folder: only a clean relative path inside it, at most
// model.MaxDefinitionBytes.
func (im *importer) readBeside(p string) ([]byte, error) {
	if im.beside == nil {
		return nil, errors.New("the template was not imported from a folder")
	}
	if !fs.ValidPath(p) || path.Clean(p) != p {
		return nil, fmt.Errorf("%q is not a path inside the template's folder", p)
	}
	f, err := im.beside.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, model.MaxDefinitionBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > model.MaxDefinitionBytes {
		return nil, fmt.Errorf("it is larger than %d bytes", model.MaxDefinitionBytes)
	}
	return data, nil
}
