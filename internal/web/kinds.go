package web

import (
	"fmt"

	"github.com/a-h/templ"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// kindView is how the canvas draws and edits one kind of node in model's
// catalogue. Each kind registers one in its own file (kind_api.templ,
// kind_function.templ, kind_table.templ), next to its panel's fields; the
// palette, nodes and the properties panel ask the registry.
type kindView struct {
	// label names the kind for people, icon is its glyph (the colour comes
	// from .node-KIND in app.css).
	label, icon string
	// headPorts draws the ports on the node's head besides the in-port
	// every node has; nil for none.
	headPorts func(n NodeView) templ.Component
	// fields are the kind's inputs in the properties form.
	fields func(p PanelView) templ.Component
	// forms are the kind's own forms below the properties form; nil for
	// none.
	forms func(p PanelView) templ.Component
	// nodes appends the node views of the kind's nodes, in stack order.
	nodes func(s *model.Stack, out []NodeView) []NodeView
	// rows is how many route rows node id draws below its head; nil for
	// none.
	rows func(s *model.Stack, id string) int
	// kept is what the node of the panel kept from an imported template.
	kept func(p PanelView) []KeptView
}

var kindViews = map[model.Kind]*kindView{}

// otherView draws a generic node, of any CloudFormation type; its panel is
// otherFields (kind_other.templ), not a kind's fields.
var otherView = &kindView{label: "Resource", icon: "◇"}

// registerKindView adds a kind's view; each kind file calls it once.
func registerKindView(k model.Kind, v *kindView) {
	if _, dup := kindViews[k]; dup {
		panic(fmt.Sprintf("web: kind %q registered twice", k))
	}
	if v.headPorts == nil {
		v.headPorts = nopPorts
	}
	if v.fields == nil {
		v.fields = nopPanel
	}
	if v.forms == nil {
		v.forms = nopPanel
	}
	if v.rows == nil {
		v.rows = noRows
	}
	kindViews[k] = v
}

// kindViewOf returns the view of a kind; one not registered draws as its
// name with no ports, fields or forms.
func kindViewOf(k model.Kind) *kindView {
	if v, ok := kindViews[k]; ok {
		return v
	}
	if k == model.KindOther {
		return otherView
	}
	return &kindView{label: string(k), icon: otherView.icon, headPorts: nopPorts, fields: nopPanel, forms: nopPanel, rows: noRows}
}

func nopPorts(NodeView) templ.Component  { return templ.NopComponent }
func nopPanel(PanelView) templ.Component { return templ.NopComponent }
func noRows(*model.Stack, string) int    { return 0 }

func init() {
	otherView.headPorts, otherView.fields, otherView.forms, otherView.rows = nopPorts, nopPanel, nopPanel, noRows
}

// KindLabel names a kind for people.
func KindLabel(k model.Kind) string { return kindViewOf(k).label }

// kindIcon is a node's glyph; the colour comes from .node-KIND in app.css.
func kindIcon(k model.Kind) string { return kindViewOf(k).icon }
