package importer

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// recogniser is what the importer knows of one kind in model's catalogue:
// the CloudFormation type of the kind's main resource and how resources of
// that type, with the parts the export writes around them, become nodes.
// Each kind registers one in its own file (kind_api.go, kind_function.go,
// kind_table.go); importResources runs them in order.
type recogniser struct {
	kind model.Kind
	// mainType is the CloudFormation type a node of the kind becomes.
	mainType string
	// order is when the kind is recognised: after the kinds its wires end
	// at (a function's grants name tables, an API's routes functions).
	order int
	// recognise turns each resource of mainType into a node.
	recognise func(im *importer) error
}

var recognisers []*recogniser

// registerKind adds a kind's recogniser; each kind file calls it once.
func registerKind(r *recogniser) {
	if slices.ContainsFunc(recognisers, func(o *recogniser) bool { return o.kind == r.kind }) {
		panic(fmt.Sprintf("importer: kind %q registered twice", r.kind))
	}
	recognisers = append(recognisers, r)
	slices.SortStableFunc(recognisers, func(a, b *recogniser) int { return cmp.Compare(a.order, b.order) })
}
