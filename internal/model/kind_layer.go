package model

import (
	"slices"
	"strings"
)

// The layer kind: a Lambda layer, a folder of code or libraries the
// functions wired to it find in /opt, exported as a layer version whose
// Content is the folder, uploaded by `aws cloudformation package`.
func init() {
	keptParts["layer"] = []string{PartMain}
	registerKind(&KindSpec{
		Kind: KindLayer, Order: 70,
		Noun: "layer", Article: "a layer",
		IDPrefix: "ly", BaseName: "Layer",
		add: func(s *Stack, id, name string) *Node {
			l := NewLayer(id, name)
			s.Layers = append(s.Layers, l)
			return &l.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, l := range s.Layers {
				fn(l.ID, &l.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, l := range s.Layers {
				fn(&l.Node)
			}
		},
		count: func(s *Stack) int { return len(s.Layers) },
		applyDefaults: func(s *Stack) {
			for _, l := range s.Layers {
				if l.ContentPath == "" && l.Name != "" {
					l.ContentPath = DefaultLayerPath(l.Name)
				}
			}
		},
		check: func(v *validator) {
			for _, l := range v.stack.Layers {
				v.checkLayer(l)
				v.checkKept(l.ID, nodeLabel{KindLayer, &l.Node}, "layer", l.Kept)
			}
			for _, f := range v.stack.Functions {
				v.checkFunctionLayers(f)
			}
		},
		clone: func(dst, src *Stack) {
			dst.Layers = cloneEach(src.Layers, func(l *Layer) *Layer {
				c := *l
				c.CompatibleRuntimes = slices.Clone(l.CompatibleRuntimes)
				c.Kept = cloneKept(l.Kept)
				return &c
			})
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.Layers)
			s.Layers = slices.DeleteFunc(s.Layers, func(l *Layer) bool { return l.ID == id })
			return len(s.Layers) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, l := range src.Layers {
				l.ID = ids.renew(l.ID, "ly")
				l.Kept = forgetLogicalIDs(l.Kept)
				dst.Layers = append(dst.Layers, l)
			}
		},
	})
}

// Layer is a Lambda layer.
type Layer struct {
	Node
	Description string `json:"description,omitempty"`
	// ContentPath is the layer's folder, relative to the template: for
	// Node.js its modules under nodejs/node_modules, for Python its
	// packages under python/, as Lambda lays them out in /opt.
	ContentPath string `json:"contentPath"`
	// CompatibleRuntimes are the runtimes the layer is meant for; none
	// says any.
	CompatibleRuntimes []string `json:"compatibleRuntimes,omitempty"`
	// Kept is what an imported template said about the layer that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// Lambda's limits on layers.
const (
	MaxLayersPerFunction       = 5
	MaxLayerRuntimes           = 15
	MaxLayerDescriptionLength  = 256
	DefaultLayerFolderAncestor = "layers"
)

// DefaultLayerPath is where a new layer's content is: layers/<kebab-name>.
func DefaultLayerPath(logicalID string) string {
	return DefaultLayerFolderAncestor + "/" + KebabName(logicalID)
}

// NewLayer returns a layer for any runtime, its content in
// layers/<kebab-name>.
func NewLayer(id, name string) *Layer {
	return &Layer{Node: Node{ID: id, Name: name}, ContentPath: DefaultLayerPath(name)}
}

// ArnOutputName names the output of the layer version's ARN.
func (l *Layer) ArnOutputName() string { return l.Name + "Arn" }

// FunctionLayers returns the layers wired to the function, in wire order,
// which is the order Lambda applies them in.
func (x *Index) FunctionLayers(functionID string) []*Layer {
	var out []*Layer
	for _, w := range x.WiresFromOfKind(functionID, WireLayer) {
		if n, ok := x.Node(w.To); ok && n.Kind == KindLayer {
			out = append(out, x.stack.Layer(w.To))
		}
	}
	return out
}

// Layer returns the layer with the ID, or nil.
func (s *Stack) Layer(id string) *Layer {
	for _, l := range s.Layers {
		if l.ID == id {
			return l
		}
	}
	return nil
}

func (v *validator) checkLayer(l *Layer) {
	lb := label(KindLayer, &l.Node)
	if len(l.Description) > MaxLayerDescriptionLength {
		v.add(l.ID, "description", "%s: description is %d characters; Lambda allows %d", lb, len(l.Description), MaxLayerDescriptionLength)
	}
	if msg := checkCodePath(l.ContentPath); msg != "" {
		v.add(l.ID, "contentPath", "%s: content folder %q %s", lb, l.ContentPath, msg)
	}
	if len(l.CompatibleRuntimes) > MaxLayerRuntimes {
		v.add(l.ID, "compatibleRuntimes", "%s: %d compatible runtimes; Lambda allows %d", lb, len(l.CompatibleRuntimes), MaxLayerRuntimes)
	}
	seen := map[string]bool{}
	for _, r := range l.CompatibleRuntimes {
		switch {
		case !slices.Contains(Runtimes, r):
			v.add(l.ID, "compatibleRuntimes", "%s: runtime %q is not one AWS lets new functions use; choose among %s", lb, r, strings.Join(Runtimes, ", "))
		case seen[r]:
			v.add(l.ID, "compatibleRuntimes", "%s: runtime %q is listed twice", lb, r)
		}
		seen[r] = true
	}
}

// checkFunctionLayers checks what a function's layer wires ask of Lambda.
func (v *validator) checkFunctionLayers(f *Function) {
	wires := v.index.WiresFromOfKind(f.ID, WireLayer)
	if len(wires) == 0 {
		return
	}
	fl := label(KindFunction, &f.Node)
	if len(wires) > MaxLayersPerFunction {
		v.add(f.ID, "", "%s has %d layers; Lambda allows %d", fl, len(wires), MaxLayersPerFunction)
	}
	for _, l := range v.index.FunctionLayers(f.ID) {
		if len(l.CompatibleRuntimes) > 0 && !slices.Contains(l.CompatibleRuntimes, f.Runtime) {
			v.warn(f.ID, "runtime", "%s runs %s, which %s does not list among its compatible runtimes", fl, f.Runtime, label(KindLayer, &l.Node))
		}
	}
}

// claimLayerNames claims the layers' logical IDs and outputs and reports
// how many resources and outputs they write.
func (v *validator) claimLayerNames(claim func(resource bool, id, name string, owner nodeLabel)) int {
	count := 0
	for _, lay := range v.stack.Layers {
		l := nodeLabel{KindLayer, &lay.Node}
		claim(true, lay.ID, KeptLogicalID(lay.Kept, PartMain, lay.Name), l)
		claim(false, lay.ID, lay.ArnOutputName(), l)
		count += 2
	}
	return count
}
