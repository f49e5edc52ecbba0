package export

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The layer kind becomes a Lambda layer version whose Content is the
// layer's folder, which `aws cloudformation package` zips and uploads; the
// functions wired to it list it in their Layers (kind_function.go). Its
// output is the version's ARN.
func init() {
	registerKind(model.KindLayer, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) { return len(s.Layers), len(s.Layers) },
		build: func(b *builder) {
			for _, l := range b.s.Layers {
				b.layer(l)
			}
		},
	})
}

func layerID(l *model.Layer) string { return model.KeptLogicalID(l.Kept, model.PartMain, l.Name) }

func (b *builder) layer(l *model.Layer) {
	id := layerID(l)
	res := &lambda.LayerVersion{CompatibleRuntimes: l.CompatibleRuntimes}
	if l.Description != "" {
		res.Description = cloudformation.String(l.Description)
	}
	b.add(id, res, l.ID, l.Kept, model.PartMain)
	b.codePaths[id] = l.ContentPath
	b.output(l.ArnOutputName(), fmt.Sprintf("ARN of layer %s", l.Name), b.ref(id))
}
