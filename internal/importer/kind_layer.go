package importer

import (
	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

const typeLayer = "AWS::Lambda::LayerVersion"

// Layers come after functions, whose Layers name them.
func init() {
	registerKind(&recogniser{kind: model.KindLayer, mainType: typeLayer, order: 27, recognise: (*importer).importLayers})
}

// importLayers turns each AWS::Lambda::LayerVersion into a layer, its
// Content a folder when it is a local path as `aws cloudformation package`
// takes it, and a function's Layers that are all Refs of the template's
// layers into layer wires, in order. A layer whose content is elsewhere
// (an S3 object, a folder outside the imported one) keeps its Content as
// written, and a function that names another layer (an ARN, a parameter)
// keeps its Layers as written.
func (im *importer) importLayers() error {
	layers := map[string]*model.Layer{}
	for _, r := range im.ofType(typeLayer) {
		if err := im.stopped(); err != nil {
			return err
		}
		l := model.NewLayer(im.id("ly"), im.nodeName[r.id])
		p := r.props
		l.Description, _ = p.Get("Description").Str()
		if rs := p.Get("CompatibleRuntimes"); rs != nil && rs.Kind == cfn.List {
			for _, item := range rs.Items {
				s, ok := item.Str()
				if !ok {
					l.CompatibleRuntimes = nil
					break
				}
				l.CompatibleRuntimes = append(l.CompatibleRuntimes, s)
			}
		}
		if path, ok := localCodePath(p.Get("Content")); ok {
			l.ContentPath = path
		} else if s, ok := p.Get("Content").Str(); ok && !isURL(s) {
			// The trust boundary: a local run reads layers only inside the
			// folder the user imported from.
			im.note("layer %s: content %q is outside the folder of the imported file; the template keeps it as written", l.Name, s)
		}
		resetInvalid(&model.Stack{Layers: []*model.Layer{l}}, l.ID, func(field string) {
			switch field {
			case "description":
				l.Description = ""
			case "compatibleRuntimes":
				l.CompatibleRuntimes = nil
			case "contentPath":
				l.ContentPath = model.DefaultLayerPath(l.Name)
			}
		})
		layers[r.id] = l
		im.srcID[l.ID] = r.id
		im.claimed[r.id] = true
		im.stack.Layers = append(im.stack.Layers, l)
	}
	if len(layers) == 0 {
		return nil
	}
	for _, f := range im.stack.Functions {
		src := im.res[im.srcID[f.ID]]
		list := src.props.Get("Layers")
		if list == nil || list.Kind != cfn.List || len(list.Items) > model.MaxLayersPerFunction {
			continue
		}
		var wired []*model.Layer
		for _, item := range list.Items {
			if l := layers[item.RefTo()]; l != nil {
				wired = append(wired, l)
			}
		}
		if len(wired) != len(list.Items) {
			continue
		}
		for _, l := range wired {
			im.wire(model.WireLayer, f.ID, l.ID)
		}
	}
	return nil
}

// isURL says a string is an address (s3://…, https://…), not a path.
func isURL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return i+2 < len(s) && s[i+1] == '/' && s[i+2] == '/'
		}
		if s[i] == '/' {
			return false
		}
	}
	return false
}

// keepLayers compares each layer's source with what the export writes for
// it; a local Content is the layer's folder, said in the model's words.
func (im *importer) keepLayers() {
	for _, l := range im.stack.Layers {
		src := im.res[im.srcID[l.ID]]
		g := im.part(l.ID, model.PartMain, l.Name)
		if p, ok := localCodePath(src.props.Get("Content")); ok && p == l.ContentPath {
			g.consume("Content")
		}
		l.Kept = keep(nil, model.PartMain, src, g)
	}
}
