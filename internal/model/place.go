package model

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
		free := true
		for _, n := range nodes {
			h := g.NodeHeight(s, n)
			if n.Position.X < p.X+cellW && n.Position.X+g.NodeWidth+40 > p.X && n.Position.Y < p.Y+cellH && n.Position.Y+h+20 > p.Y {
				free = false
				break
			}
		}
		if free {
			return p
		}
	}
}
