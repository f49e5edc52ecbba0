package export

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/stepfunctions"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The state machine kind becomes a Step Functions state machine whose
// definition is its own file beside the template (DefinitionS3Location, a
// local path `aws cloudformation package` uploads, as a function's Code),
// and the role it runs with; its output is the ARN.
func init() {
	registerKind(model.KindStateMachine, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) { return 2 * len(s.StateMachines), len(s.StateMachines) },
		build: func(b *builder) {
			for _, m := range b.s.StateMachines {
				b.stateMachine(m)
			}
		},
	})
}

func stateMachineID(m *model.StateMachine) string {
	return model.KeptLogicalID(m.Kept, model.PartMain, m.Name)
}

func (b *builder) stateMachine(m *model.StateMachine) {
	id := stateMachineID(m)
	role := model.KeptLogicalID(m.Kept, model.PartRole, m.RoleLogicalID())
	// A state machine that kept its own RoleArn (a shared role, an ARN)
	// runs with it. The definition's states call nothing Switchboard
	// wires, so a generated role allows nothing: Step Functions needs one
	// to assume all the same.
	keptRole := keptProperty(m.Kept, model.PartMain, "RoleArn") != nil
	if !keptRole {
		b.add(role, &iam.Role{
			AssumeRolePolicyDocument: policyDocument{Version: "2012-10-17", Statement: []statement{{
				Effect:    "Allow",
				Principal: &principal{Service: []string{"states.amazonaws.com"}},
				Action:    []string{"sts:AssumeRole"},
			}}},
		}, m.ID, m.Kept, model.PartRole)
	}
	sm := &stepfunctions.StateMachine{StateMachineType: cloudformation.String(string(m.Type))}
	if m.DefinitionPath == "" {
		sm.Definition = json.RawMessage(m.Definition)
	} else {
		b.codePaths[id] = m.DefinitionPath
	}
	b.add(id, sm, m.ID, m.Kept, model.PartMain, at(b.getAtt(role, "Arn"), "RoleArn"))
	b.output(m.ArnOutputName(), fmt.Sprintf("ARN of state machine %s", m.Name), b.ref(id))
}

// Definitions returns each state machine's definition file, keyed by its
// slash-separated path beside the template. Unlike scaffolds they are the
// design, as the template is: written every time, over an older one.
// Paths that are unsafe (absolute, outside the folder) are left out; the
// model refuses them.
func Definitions(s *model.Stack) map[string][]byte {
	files := map[string][]byte{}
	if s == nil || s.CheckShape() != nil {
		return files
	}
	for _, m := range s.StateMachines {
		if m.DefinitionPath == "" {
			continue // in the template
		}
		if !filepath.IsLocal(m.DefinitionPath) || path.Clean(m.DefinitionPath) != m.DefinitionPath {
			continue
		}
		files[m.DefinitionPath] = []byte(m.Definition)
	}
	return files
}
