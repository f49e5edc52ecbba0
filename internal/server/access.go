package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/hostguard"
)

// ErrNotLoopback refuses an address beyond loopback without
// Options.ListenAnywhere: the app designs stacks, runs their code and holds
// Git credentials, so reaching it from the network must be a decision.
var ErrNotLoopback = errors.New("the address reaches beyond this machine (not loopback); " +
	"anyone who can connect could design stacks, run code here and use your Git credentials. " +
	"Listen on 127.0.0.1, or allow it explicitly with --listen-anywhere: every request then needs the token printed at start-up")

// beyondLoopback reports whether listening on addr (host:port) would accept
// connections from other machines: an empty or unspecified host (all
// interfaces), an IP that is not loopback, or a name any of whose addresses
// is not loopback.
func beyondLoopback(ctx context.Context, addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("server: address %q: %w", addr, err)
	}
	if host == "" {
		return true, nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return !ip.Unmap().IsLoopback(), nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return false, fmt.Errorf("server: resolve %s: %w", host, err)
	}
	for _, ip := range ips {
		if !ip.Unmap().IsLoopback() {
			return true, nil
		}
	}
	return len(ips) == 0, nil
}

// listenHost is the host of the configured address when it names one
// (not empty, 0.0.0.0 or ::): requests may use it as their Host.
func (s *Server) listenHost() string {
	host, _, err := net.SplitHostPort(s.http.Addr)
	if err != nil || host == "" {
		return ""
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		return ""
	}
	return host
}

// hostNames are the Host names allowed besides the loopback ones.
func (s *Server) hostNames() []string {
	names := append([]string(nil), s.allowHosts...)
	if h := s.listenHost(); h != "" {
		names = append(names, h)
	}
	return names
}

// checkHost refuses, with 421, every request whose Host is not this server
// by one of its allowed names and port: the defence against DNS rebinding,
// where a page the user visits rebinds its own name to 127.0.0.1 and then
// is "same-origin" with the app in the browser's eyes. Refusals are logged
// so a user who typed another name learns why.
func (s *Server) checkHost(next http.Handler) http.Handler {
	g := hostguard.New(s.ln.Addr().String(), s.hostNames()...)
	g.Refused = func(r *http.Request) {
		s.log.Warn("refused a request naming another host (421); allow a name with --allow-host",
			slog.String("host", r.Host), slog.String("method", r.Method), slog.String("path", r.URL.Path))
	}
	return g.Handler(next)
}

// newToken returns the secret a server beyond loopback asks of every
// request: 192 random bits, as hex so it travels in a URL as it is.
func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("server: make a token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// tokenCookie names the cookie holding the token. The port is part of the
// name because cookies ignore ports: two servers on one host must not
// overwrite each other's.
func (s *Server) tokenCookie() string { return "switchboard-token-" + s.port() }

func (s *Server) port() string {
	_, port, _ := net.SplitHostPort(s.ln.Addr().String())
	return port
}

func (s *Server) tokenMatches(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

// requireToken lets through only requests that carry the token, as Jupyter
// does: in an Authorization: Bearer header, in the cookie, or in a ?token=
// query, which sets the cookie (HttpOnly, SameSite=Strict) and redirects to
// the same URL without it, so the token leaves the address bar and the
// history.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); q.Has("token") {
			if !s.tokenMatches(q.Get("token")) {
				tokenRefused(w, http.StatusForbidden, "That token is not this server's. Open the URL Switchboard printed when it started.")
				return
			}
			http.SetCookie(w, &http.Cookie{Name: s.tokenCookie(), Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			q.Del("token")
			clean := *r.URL
			clean.RawQuery = q.Encode()
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, localPath(&clean), http.StatusSeeOther)
				return
			}
			r = r.Clone(r.Context())
			r.URL = &clean
			next.ServeHTTP(w, r)
			return
		}
		if auth := r.Header.Get("Authorization"); auth != "" {
			if tok, ok := strings.CutPrefix(auth, "Bearer "); ok && s.tokenMatches(strings.TrimSpace(tok)) {
				next.ServeHTTP(w, r)
				return
			}
			tokenRefused(w, http.StatusForbidden, "The Authorization header does not hold this server's token.")
			return
		}
		if c, err := r.Cookie(s.tokenCookie()); err == nil && s.tokenMatches(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
		tokenRefused(w, http.StatusUnauthorized, "This Switchboard listens beyond this machine and needs its token. Open the URL it printed when it started (http://HOST:PORT/?token=…), or send Authorization: Bearer TOKEN.")
	})
}

// localPath is u's path and query for a redirect on this server. A path
// starting with // or /\ would be taken by the browser for another host.
func localPath(u *url.URL) string {
	p := u.RequestURI()
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, `/\`) {
		return "/"
	}
	return p
}

// tokenRefused answers a request without the token with a short page. It
// sits in front of the router, so it sets its own strict headers.
func tokenRefused(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html>\n<meta charset=\"utf-8\">\n<title>Switchboard: token needed</title>\n<h1>Token needed</h1>\n<p>%s</p>\n", html.EscapeString(msg))
}

// TokenRequired reports whether every request needs the token: the server
// listens beyond loopback.
func (s *Server) TokenRequired() bool { return s.token != "" }

// OpenURLs are the addresses to open the app at: the configured host (or
// 127.0.0.1 when listening on every interface) and each allowed host name,
// each with ?token= when the server needs one. They hold the secret: print
// them for the user, never log them.
func (s *Server) OpenURLs() []string {
	if s.ln == nil {
		return nil
	}
	hosts := []string{s.listenHost()}
	if hosts[0] == "" {
		hosts[0] = "127.0.0.1"
	}
	for _, h := range s.allowHosts {
		if !strings.EqualFold(h, hosts[0]) {
			hosts = append(hosts, h)
		}
	}
	urls := make([]string, len(hosts))
	for i, h := range hosts {
		urls[i] = "http://" + net.JoinHostPort(strings.Trim(h, "[]"), s.port()) + "/"
		if s.token != "" {
			urls[i] += "?token=" + s.token
		}
	}
	return urls
}
