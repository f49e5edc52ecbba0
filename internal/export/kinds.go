package export

import (
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// kindBuilder is what the export knows of one kind of node in model's
// catalogue: the CloudFormation it becomes. Each kind registers one in its
// own file (kind_api.go, kind_function.go, kind_table.go); build asks the
// registry in the model's kind order.
type kindBuilder struct {
	// room is how many resources and outputs the kind's nodes write, so
	// the builder's lists are allocated once.
	room func(s *model.Stack) (resources, outputs int)
	// build adds the resources and outputs of every node of the kind.
	build func(b *builder)
}

var kindBuilders = map[model.Kind]*kindBuilder{}

// registerKind adds the export of a kind; each kind file calls it once.
func registerKind(k model.Kind, kb *kindBuilder) {
	if _, dup := kindBuilders[k]; dup {
		panic(fmt.Sprintf("export: kind %q registered twice", k))
	}
	kindBuilders[k] = kb
}
