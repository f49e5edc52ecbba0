package server

import (
	"slices"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A layer's form: its folder, description and compatible runtimes.
func init() {
	registerKindForm(model.KindLayer, &kindForm{
		fields: set("name", "contentPath", "description", "compatibleRuntimes"),
		read:   readLayerFields,
	})
}

// layerFields is a layer's part of the properties form.
type layerFields struct {
	// Sent says the runtime checkboxes were in the form, so none ticked
	// means any runtime.
	Sent                     bool
	ContentPath, Description *string
	Runtimes                 []string
}

func readLayerFields(v formValues, _ map[string]string) kindFields {
	return &layerFields{Sent: v.checked("layer.sent"), ContentPath: v.str("contentPath"), Description: v.str("description"),
		Runtimes: slices.Clone(v["compatibleRuntimes"])}
}

func (p *layerFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	l := st.Layer(id)
	// A folder that followed the name keeps following it, as a new
	// layer's does.
	following := l.ContentPath == model.DefaultLayerPath(l.Name)
	sent(&l.Name, common.Name)
	if following && (p.ContentPath == nil || *p.ContentPath == model.DefaultLayerPath(l.Name) || *p.ContentPath == l.ContentPath) {
		l.ContentPath = model.DefaultLayerPath(l.Name)
	} else {
		sent(&l.ContentPath, p.ContentPath)
	}
	sent(&l.Description, p.Description)
	if p.Sent {
		l.CompatibleRuntimes = nil
		if len(p.Runtimes) > 0 {
			l.CompatibleRuntimes = p.Runtimes
		}
	}
}
