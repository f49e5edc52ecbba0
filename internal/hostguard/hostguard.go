// Package hostguard refuses HTTP requests whose Host header does not name
// this server. A local server that answers any Host can be driven by any web
// page through DNS rebinding: the attacker's name is rebound to 127.0.0.1,
// and the browser then treats the attacker's page and our server as one
// origin. Checking Host before routing closes that door (as Jupyter, the
// Docker API and Rails' web-console do).
package hostguard

import (
	"net"
	"net/http"
	"strings"
)

// loopbackNames are the names that always mean this machine.
var loopbackNames = []string{"127.0.0.1", "::1", "localhost"}

// Guard decides which Host headers reach a handler.
type Guard struct {
	names map[string]bool
	port  string
	// Refused, when set, is told of each refused request (to log it).
	Refused func(*http.Request)
}

// New returns a guard that admits the loopback names (127.0.0.1, [::1],
// localhost) and the extra names given, each with the listening port of
// addr (host:port, as the listener reports it). Extra names may be host
// names or IP addresses; they are compared without case.
func New(addr string, extra ...string) *Guard {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		port = ""
	}
	g := &Guard{names: map[string]bool{}, port: port}
	for _, n := range loopbackNames {
		g.names[n] = true
	}
	for _, n := range extra {
		n = strings.ToLower(strings.Trim(strings.TrimSpace(n), "[]"))
		if n != "" {
			g.names[n] = true
		}
	}
	return g
}

// Allowed reports whether host (a Host header: name, name:port, [v6]:port)
// names this server.
func (g *Guard) Allowed(host string) bool {
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		// No port: only right when the server listens on the scheme's
		// default port, which a local server never does.
		return false
	}
	if port != g.port {
		return false
	}
	return g.names[strings.ToLower(name)]
}

// Handler refuses every request whose Host the guard does not allow with
// 421 Misdirected Request, before next sees it.
func (g *Guard) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.Allowed(r.Host) {
			if g.Refused != nil {
				g.Refused(r)
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(http.StatusMisdirectedRequest)
			_, _ = w.Write([]byte("421 Misdirected Request: this server answers only to its own address (127.0.0.1, [::1] or localhost with its port).\n"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
