package apigw

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// originCheck decides which browser pages may open a WebSocket. Browsers
// let any page connect to any WebSocket URL, loopback included, and send
// the page's origin; refusing foreign origins keeps a page the user merely
// visits from driving the local handlers (and their tables and code).
type originCheck struct {
	allowed map[string]bool // normalized scheme://host:port
}

func newOriginCheck(extra []string) (*originCheck, error) {
	c := &originCheck{allowed: map[string]bool{}}
	for _, o := range extra {
		n, ok := normalizeOrigin(o)
		if !ok {
			return nil, &ConfigError{fmt.Sprintf("allowed origin %q is not scheme://host[:port]", o)}
		}
		c.allowed[n] = true
	}
	return c, nil
}

// allows reports whether a request with the Origin header value may
// upgrade: no Origin (not a browser), a loopback origin, or one allowed.
// "null" (sandboxed frames, file: pages) is refused.
func (c *originCheck) allows(origin string) bool {
	if origin == "" {
		return true
	}
	n, ok := normalizeOrigin(origin)
	if !ok {
		return false
	}
	if c.allowed[n] {
		return true
	}
	u, _ := url.Parse(n)
	switch u.Hostname() {
	case "127.0.0.1", "::1", "localhost":
		return true
	}
	return false
}

// normalizeOrigin lower-cases an origin and spells out its port, so
// http://LocalHost and http://localhost:80 compare equal.
func normalizeOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http", "ws":
			port = "80"
		case "https", "wss":
			port = "443"
		default:
			return "", false
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port), true
}
