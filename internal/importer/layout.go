package importer

import (
	"cmp"
	"slices"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Node geometry, in canvas pixels, as web/geometry.go draws nodes: the
// layout must know how tall an API with its routes is.
const (
	nodeWidth   = 220
	headHeight  = 48
	routeHeight = 30
	bodyHeight  = 34
	// columnGap and rowGap are the space between columns and between
	// nodes in a column.
	columnGap = 180
	rowGap    = 40
	// maxOthersPerColumn keeps a template with many unmodelled resources
	// (the CDK writes policies and metadata) from one endless column.
	maxOthersPerColumn = 8
)

func nodeHeight(n model.NodeRef, s *model.Stack) float64 {
	h := float64(headHeight + bodyHeight)
	if n.Kind == model.KindAPI {
		if a := s.API(n.ID); a != nil {
			h += float64(len(a.Routes) * routeHeight)
		}
	}
	return h
}

// Layout places every node of the stack readably: APIs in the first
// column, functions in the second, tables in the third and other resources
// in the last ones, each column ordered so wires run short (a node sits near the
// average height of the nodes it is wired to), with no two nodes
// overlapping.
func Layout(s *model.Stack) {
	x := model.NewIndex(s)
	// y is the centre height of the port each wire end uses.
	center := map[string]float64{}
	columns := [][]model.NodeRef{}
	byKind := map[model.Kind][]model.NodeRef{}
	for _, n := range s.Nodes() {
		byKind[n.Kind] = append(byKind[n.Kind], n)
	}
	// What routes and functions reach (tables, queues, topics, state
	// machines) shares the third column.
	for _, kinds := range [][]model.Kind{{model.KindAPI}, {model.KindFunction}, {model.KindTable, model.KindQueue, model.KindTopic, model.KindStateMachine}} {
		var col []model.NodeRef
		for _, k := range kinds {
			col = append(col, byKind[k]...)
		}
		if len(col) > 0 {
			columns = append(columns, col)
		}
	}
	// Other resources wire to nothing: they fill columns of their own,
	// a screen high each, in source order.
	for others := byKind[model.KindOther]; len(others) > 0; {
		n := min(len(others), maxOthersPerColumn)
		columns = append(columns, others[:n])
		others = others[n:]
	}
	// neighbours maps a node to the IDs of what it is wired to: routes
	// count as their API at the route's own height.
	routeY := map[string]float64{}
	place := func(col int, nodes []model.NodeRef) {
		y := 0.0
		for _, n := range nodes {
			n.Position = model.Position{X: float64(col * (nodeWidth + columnGap)), Y: y}
			center[n.ID] = y + headHeight/2
			if n.Kind == model.KindAPI {
				if a := x.API(n.ID); a != nil {
					for i, r := range a.Routes {
						routeY[r.ID] = y + headHeight + float64(i)*routeHeight + routeHeight/2
					}
				}
			}
			y += nodeHeight(n, s) + rowGap
		}
	}
	endY := func(id string) (float64, bool) {
		if y, ok := routeY[id]; ok {
			return y, true
		}
		y, ok := center[id]
		return y, ok
	}
	for i, col := range columns {
		if i > 0 {
			// Order by the barycentre of the already placed nodes each is
			// wired to; nodes wired to nothing placed keep their order
			// at the end.
			bary := map[string]float64{}
			for _, n := range col {
				sum, count := 0.0, 0
				for _, w := range s.Wires {
					var other string
					switch n.ID {
					case w.To:
						other = w.From
					case w.From:
						other = w.To
					default:
						continue
					}
					if y, ok := endY(other); ok {
						sum += y
						count++
					}
				}
				if count > 0 {
					bary[n.ID] = sum / float64(count)
				} else {
					bary[n.ID] = 1e18
				}
			}
			slices.SortStableFunc(col, func(a, b model.NodeRef) int { return cmp.Compare(bary[a.ID], bary[b.ID]) })
		}
		place(i, col)
	}
}
