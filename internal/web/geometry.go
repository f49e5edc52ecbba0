package web

import (
	"math"
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Node and port geometry, in canvas pixels: its one home. app.css sizes
// .node, .node-head and .route with the same numbers, so a wire meets the
// port the browser lays out. The script has no copy: CanvasPage renders
// the sizes on #editor (data-node-width, data-head-height, …) and each
// wire's port offsets on the wire; the browser routes wires and lays out
// stacks (Arrange, and imports when first opened) with them.
const (
	NodeWidth   = 220
	HeadHeight  = 48
	RouteHeight = 30
	// BodyHeight is the height of a function or table below its head, and
	// of an API's "add route" hint.
	BodyHeight = 34
)

// NodeHeight returns how tall the node is drawn.
func NodeHeight(s *model.Stack, n model.NodeRef) float64 {
	return float64(HeadHeight + BodyHeight + kindViewOf(n.Kind).rows(s, n.ID)*RouteHeight)
}

// Point is a canvas position.
type Point struct{ X, Y float64 }

// inPort is where wires end on a node: the middle of its head's left edge.
func inPort() Point { return Point{0, HeadHeight / 2} }

// outPort is where a function's data wires (to tables) start: its head's
// right edge.
func outPort() Point { return Point{NodeWidth, HeadHeight / 2} }

// callPort is where a function's wires to an API (send, authorizer) start:
// the left edge of its body, apart from the handler's in-port above it, so
// a function that sends does not look like it has a second handler.
func callPort() Point { return Point{0, HeadHeight + BodyHeight/2} }

// connPort is where send and authorizer wires end on an API: its head's
// right edge, the API's @connections.
func connPort() Point { return Point{NodeWidth, HeadHeight / 2} }

// routePort is where route i's integration wire starts on its API.
func routePort(i int) Point {
	return Point{NodeWidth, float64(HeadHeight + i*RouteHeight + RouteHeight/2)}
}

// WireView is a wire as the canvas draws it: its ends as node origins plus
// port offsets, so the script can follow a node being dragged.
type WireView struct {
	ID, Kind         string
	FromNode, ToNode string
	From, To         Point // node origins
	FromPort, ToPort Point // offsets from the origins
	// Label says what the wire does, with its ends' names: its tooltip
	// and accessible name ("route sendMessage → SendHandler").
	Label   string
	Invalid bool
	// Reference marks a read-only reference wire (model.Reference).
	Reference bool
}

// Path returns the wire's cubic Bézier (Drawflow createCurvature):
// M x1 y1 C x1+d y1, x2-d y2, x2 y2 with d = |x2-x1|·0.5.
func (w WireView) Path() string {
	x1, y1 := w.From.X+w.FromPort.X, w.From.Y+w.FromPort.Y
	x2, y2 := w.To.X+w.ToPort.X, w.To.Y+w.ToPort.Y
	return BezierPath(x1, y1, x2, y2)
}

// BezierPath is the SVG path of a wire from (x1,y1) to (x2,y2).
func BezierPath(x1, y1, x2, y2 float64) string {
	d := math.Abs(x2-x1) * 0.5
	b := make([]byte, 0, 64)
	b = append(b, 'M', ' ')
	b = num(b, x1, ' ')
	b = num(b, y1, ' ')
	b = append(b, 'C', ' ')
	b = num(b, x1+d, ' ')
	b = num(b, y1, ',')
	b = append(b, ' ')
	b = num(b, x2-d, ' ')
	b = num(b, y2, ',')
	b = append(b, ' ')
	b = num(b, x2, ' ')
	b = num(b, y2, 0)
	return string(b)
}

func num(b []byte, f float64, sep byte) []byte {
	b = strconv.AppendFloat(b, math.Round(f*10)/10, 'f', -1, 64)
	if sep != 0 {
		b = append(b, sep)
	}
	return b
}

// Wires returns the stack's wires as the canvas draws them. A wire whose
// ends are missing (which ValidateDraft refuses) is left out.
func Wires(s *model.Stack) []WireView {
	origin := map[string]Point{}
	for _, n := range s.Nodes() {
		origin[n.ID] = Point{n.Position.X, n.Position.Y}
	}
	// A route's port: its API and its row.
	type routeAt struct {
		api string
		i   int
	}
	routes := map[string]routeAt{}
	names := map[string]string{}
	for _, n := range s.Nodes() {
		names[n.ID] = n.Name
	}
	for _, a := range s.APIs {
		for i, r := range a.Routes {
			routes[r.ID] = routeAt{a.ID, i}
			names[r.ID] = "route " + r.Key
		}
	}
	out := make([]WireView, 0, len(s.Wires))
	for _, w := range s.Wires {
		v := WireView{ID: w.ID, Kind: string(w.Kind), ToNode: w.To, ToPort: inPort(), Label: wireLabel(w, names)}
		switch r, isRoute := routes[w.From]; {
		case isRoute:
			v.FromNode, v.FromPort = r.api, routePort(r.i)
		case w.Kind == model.WireSend || w.Kind == model.WireAuthorizer:
			// Drawn as it means: from the function's call port into the
			// API's connections port, arrowhead at the API.
			v.FromNode, v.FromPort = w.From, callPort()
			v.ToPort = connPort()
		default:
			v.FromNode, v.FromPort = w.From, outPort()
		}
		from, ok1 := origin[v.FromNode]
		to, ok2 := origin[v.ToNode]
		if !ok1 || !ok2 {
			continue
		}
		v.From, v.To = from, to
		out = append(out, v)
	}
	for _, r := range s.References() {
		from, ok1 := origin[r.From]
		to, ok2 := origin[r.To]
		if !ok1 || !ok2 {
			continue
		}
		out = append(out, WireView{ID: r.ID(), Kind: string(model.WireReference), Reference: true,
			FromNode: r.From, ToNode: r.To, From: from, To: to, FromPort: outPort(), ToPort: inPort(),
			Label: referenceText(s, r)})
	}
	return out
}

// wireLabel names a wire by its ends and what it does: "route sendMessage →
// SendHandler", "SendHandler → Connections (read)".
func wireLabel(w *model.Wire, names map[string]string) string {
	label := names[w.From] + " → " + names[w.To]
	if w.Kind != model.WireIntegration {
		label += " (" + string(w.Kind) + ")"
	}
	return label
}

func ftoa(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// Geometry is the room nodes take on the canvas, for placing new ones
// (model.Stack.FreeSpot).
var Geometry = model.Geometry{NodeWidth: NodeWidth, NodeHeight: NodeHeight}
