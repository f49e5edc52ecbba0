package model

import "math"

// Geometry is how much of the canvas a node covers. The view owns the
// numbers; placement only needs them.
type Geometry struct {
	NodeWidth  float64
	NodeHeight func(*Stack, NodeRef) float64
}

// FreeSpot is where a node placed without a position goes: the first cell
// of a grid, row by row, four columns wide, that no node overlaps.
func (s *Stack) FreeSpot(g Geometry) Position {
	cellW, cellH := g.NodeWidth+60, 160.0
	nodes := s.Nodes()
	for i := 0; ; i++ {
		p := Position{X: 40 + float64(i%4)*cellW, Y: 40 + float64(i/4)*cellH}
		if s.free(g, nodes, p) {
			return p
		}
	}
}

// freeSearchRings bounds FreeSpotNear's search before it falls back to
// FreeSpot: 12 rings of cells cover a screen at any zoom Fit allows.
const freeSearchRings = 12

// FreeSpotNear is where a node added while the user looks at point p goes:
// a free cell centred on p if there is one, else the nearest free cell in
// the rings around it, so the new node lands in view.
func (s *Stack) FreeSpotNear(g Geometry, p Position) Position {
	cellW, cellH := g.NodeWidth+60, 160.0
	origin := Position{X: math.Round(p.X - g.NodeWidth/2), Y: math.Round(p.Y - cellH/2)}
	nodes := s.Nodes()
	for ring := 0; ring <= freeSearchRings; ring++ {
		for dy := -ring; dy <= ring; dy++ {
			for dx := -ring; dx <= ring; dx++ {
				if max(abs(dx), abs(dy)) != ring {
					continue
				}
				c := Position{X: origin.X + float64(dx)*cellW, Y: origin.Y + float64(dy)*cellH}
				if s.free(g, nodes, c) {
					return c
				}
			}
		}
	}
	return s.FreeSpot(g)
}

func abs(i int) int { return max(i, -i) }

// free reports whether a node at p keeps clear of every node.
func (s *Stack) free(g Geometry, nodes []NodeRef, p Position) bool {
	cellW, cellH := g.NodeWidth+60, 160.0
	for _, n := range nodes {
		h := g.NodeHeight(s, n)
		if n.Position.X < p.X+cellW && n.Position.X+g.NodeWidth+40 > p.X && n.Position.Y < p.Y+cellH && n.Position.Y+h+20 > p.Y {
			return false
		}
	}
	return true
}
