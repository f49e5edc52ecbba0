package apigw

import (
	"slices"
	"strings"
	"time"
)

// ConnectionInfo describes one open connection, as the management API's
// GET does, for a page listing them.
type ConnectionInfo struct {
	// APIID is the API node's ID in the stack; API its logical ID.
	APIID, API string
	ID         string
	// ConnectedAt and LastActiveAt are as @connections GET gives them.
	ConnectedAt, LastActiveAt time.Time
	SourceIP, UserAgent       string
}

// OpenConnections lists the open connections of every API, oldest first.
func (g *Gateway) OpenConnections() []ConnectionInfo {
	var out []ConnectionInfo
	for _, ep := range g.apis {
		ep.mu.Lock()
		for _, c := range ep.conns {
			out = append(out, ConnectionInfo{
				APIID: ep.api.ID, API: ep.api.Name, ID: c.id,
				ConnectedAt: c.cr.connectedAt, LastActiveAt: time.Unix(0, c.lastActive.Load()),
				SourceIP: c.cr.sourceIP, UserAgent: c.cr.userAgent,
			})
		}
		ep.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b ConnectionInfo) int {
		if c := a.ConnectedAt.Compare(b.ConnectedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
