package localrun

import (
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/asl"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// State machines run in process (internal/asl) when a route starts them.
// A definition with a state the run cannot emulate refuses the run before
// anything starts, naming the state machine and the state.
func init() {
	registerKind(&kindServer{kind: model.KindStateMachine, order: 17,
		refuse: func(s *model.Stack) []string {
			var problems []string
			for _, m := range s.StateMachines {
				if _, err := asl.Parse([]byte(m.Definition), functionResolver(s, m)); err != nil {
					problems = append(problems, fmt.Sprintf("state machine %s cannot run locally: %v", m.Name, err))
				}
			}
			return problems
		},
		serve: func(st *starting) error {
			if len(st.s.StateMachines) == 0 {
				return nil
			}
			_, err := st.services()
			return err
		}})
}
