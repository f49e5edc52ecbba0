package apigw

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gobwas/ws"

	"github.com/switchboard-dev/switchboard/internal/hostguard"
)

// routeTarget is a route with the function and wire behind it.
type routeTarget struct {
	route *Route
	fn    *Target // nil when the route is not wired
}

// endpoint serves one API.
type endpoint struct {
	g     *Gateway
	api   *API
	apiID string
	// path is "/<stage>".
	path string
	// selection is the route selection expression as a path into the
	// message's JSON body; nil when it is not $request.body.…
	selection []string

	routes                     map[string]*routeTarget
	connect, disconnect, deflt *routeTarget
	authorizer                 *Target // nil when none is wired
	sendWires                  []string
	ln                         net.Listener
	srv                        *http.Server
	addr                       string
	mu                         sync.Mutex
	conns                      map[string]*conn
	closing                    bool
	wg                         sync.WaitGroup // connections being served
}

func newEndpoint(g *Gateway, a *API) (*endpoint, error) {
	if a.StageName == "" || strings.ContainsAny(a.StageName, "/?#") {
		return nil, &ConfigError{fmt.Sprintf("API %s: stage name %q cannot be a path segment", a.Name, a.StageName)}
	}
	ep := &endpoint{
		g:         g,
		api:       a,
		apiID:     newAPIID(),
		path:      "/" + a.StageName,
		selection: selectionPath(a.RouteSelectionExpression),
		routes:    map[string]*routeTarget{},
		conns:     map[string]*conn{},
	}
	for i := range a.Routes {
		r := &a.Routes[i]
		t := &routeTarget{route: r, fn: r.Target}
		switch r.Key {
		case RouteConnect:
			ep.connect = t
		case RouteDisconnect:
			ep.disconnect = t
		case RouteDefault:
			ep.deflt = t
		default:
			ep.routes[r.Key] = t
		}
	}
	if a.Authorizer != nil {
		ep.authorizer = a.Authorizer.Target
	}
	ep.sendWires = a.SendWireIDs
	return ep, nil
}

// selectionPath turns $request.body.meta.action (or ${request.body.…}) into
// [meta action].
func selectionPath(expr string) []string {
	expr = strings.TrimSpace(expr)
	if strings.HasPrefix(expr, "${") && strings.HasSuffix(expr, "}") {
		expr = "$" + expr[2:len(expr)-1]
	}
	rest, ok := strings.CutPrefix(expr, "$request.body.")
	if !ok || rest == "" {
		return nil
	}
	return strings.Split(rest, ".")
}

func (ep *endpoint) start(ln net.Listener) {
	ep.addr = ln.Addr().String()
	if ep.g.opts.TLS != nil {
		ln = newSniffListener(ln, ep.g.opts.TLS)
	}
	ep.ln = ln
	ep.srv = &http.Server{
		// Only requests naming this listener's loopback address: a page
		// whose name is rebound to 127.0.0.1 sends its own name as Host.
		Handler:           hostguard.New(ep.addr).Handler(ep),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(ep.g.logger.Handler(), slog.LevelDebug),
	}
	go func() {
		if err := ep.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			ep.g.logger.Error("websocket api stopped", slog.String("api", ep.api.Name), slog.Any("err", err))
		}
	}()
}

// URL is the ws:// URL of the API's stage.
func (ep *endpoint) URL() string {
	if ep.addr == "" {
		return ""
	}
	return "ws://" + ep.addr + ep.path
}

// ManagementURL is the management API's endpoint as the SDKs take it:
// the stage's https:// URL when the gateway serves TLS.
func (ep *endpoint) ManagementURL() string {
	if ep.addr == "" {
		return ""
	}
	if ep.g.opts.TLS != nil {
		return "https://" + ep.addr + ep.path
	}
	return "http://" + ep.addr + ep.path
}

// ConnectionsURL is the @connections URL of the API's stage.
func (ep *endpoint) ConnectionsURL() string {
	if ep.addr == "" {
		return ""
	}
	return "http://" + ep.addr + ep.path + "/@connections"
}

func (ep *endpoint) close() error {
	ep.mu.Lock()
	ep.closing = true
	conns := make([]*conn, 0, len(ep.conns))
	for _, c := range ep.conns {
		conns = append(conns, c)
	}
	ep.mu.Unlock()
	var err error
	if ep.srv != nil {
		// Hijacked WebSocket connections are not the server's any more;
		// Close stops the listener and idle HTTP connections.
		err = ep.srv.Close()
	}
	for _, c := range conns {
		c.shutdown(ws.StatusGoingAway, "Going away", "Going away")
	}
	ep.wg.Wait()
	return err
}

func (ep *endpoint) publish(e Event) {
	e.APIID, e.API = ep.api.ID, ep.api.Name
	ep.g.publish(e)
}

// ServeHTTP answers WebSocket upgrades on /<stage> and the management API
// on /<stage>/@connections/{id}, and 403 elsewhere as API Gateway does for
// an unknown stage or path.
func (ep *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == ep.path || p == ep.path+"/":
		ep.serveUpgrade(w, r)
	case strings.HasPrefix(p, ep.path+"/@connections/"):
		ep.serveConnections(w, r, strings.TrimPrefix(p, ep.path+"/@connections/"))
	default:
		writeJSONError(w, http.StatusForbidden, "ForbiddenException", `{"message":"Forbidden"}`)
	}
}

// connectRequest is what $connect and the authorizer learn of a client.
type connectRequest struct {
	id          string
	connectedAt time.Time
	sourceIP    string
	userAgent   string
	domainName  string
	headers     map[string][]string
	query       map[string][]string
}

func (ep *endpoint) context(cr *connectRequest, routeKey, eventType string, now time.Time) requestContext {
	return requestContext{
		RouteKey:          routeKey,
		EventType:         eventType,
		ExtendedRequestID: newID(),
		RequestTime:       now.UTC().Format(requestTimeLayout),
		MessageDirection:  "IN",
		Stage:             ep.api.StageName,
		ConnectedAt:       epochMillis(cr.connectedAt),
		RequestTimeEpoch:  epochMillis(now),
		Identity:          identity{SourceIP: cr.sourceIP, UserAgent: cr.userAgent},
		RequestID:         newID(),
		DomainName:        cr.domainName,
		ConnectionID:      cr.id,
		APIID:             ep.apiID,
	}
}

func (ep *endpoint) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		// A plain HTTP request to the stage URL: API Gateway answers 426.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUpgradeRequired)
		_, _ = io.WriteString(w, `{"message":"Upgrade Required"}`)
		return
	}
	if origin := r.Header.Get("Origin"); !ep.g.origins.allows(origin) {
		ep.g.logger.InfoContext(r.Context(), "websocket from a foreign origin refused", slog.String("api", ep.api.Name), slog.String("origin", origin))
		ep.publish(Event{Kind: EventReject, Status: http.StatusForbidden, Detail: "origin " + origin + " is not allowed"})
		writeJSONError(w, http.StatusForbidden, "ForbiddenException", `{"message":"Forbidden"}`)
		return
	}
	select {
	case ep.g.slots <- struct{}{}:
	default:
		ep.publish(Event{Kind: EventReject, Status: http.StatusTooManyRequests, Detail: fmt.Sprintf("over the cap of %d connections", ep.g.opts.MaxConnections)})
		writeJSONError(w, http.StatusTooManyRequests, "LimitExceededException", `{"message":"Limit Exceeded"}`)
		return
	}
	// The upgrade counts as a connection being served from here, so that
	// Close waits for it and a client accepted by $connect during Close
	// still gets its $disconnect.
	ep.mu.Lock()
	if ep.closing {
		ep.mu.Unlock()
		<-ep.g.slots
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	ep.wg.Add(1)
	ep.mu.Unlock()
	handedOff := false
	defer func() {
		if !handedOff {
			<-ep.g.slots
			ep.wg.Done()
		}
	}()
	now := ep.g.opts.Now()
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	headers := multiValues(r.Header)
	headers["Host"] = []string{r.Host}
	headers["X-Forwarded-For"] = []string{host}
	headers["X-Forwarded-Port"] = []string{portOf(ep.addr)}
	headers["X-Forwarded-Proto"] = []string{"http"}
	if r.TLS != nil {
		headers["X-Forwarded-Proto"] = []string{"https"}
	}
	cr := &connectRequest{
		id:          newID(),
		connectedAt: now,
		sourceIP:    host,
		userAgent:   r.UserAgent(),
		domainName:  r.Host,
		headers:     headers,
		query:       queryValues(r.URL.Query()),
	}
	log := ep.g.logger.With(slog.String("api", ep.api.Name), slog.String("connectionId", cr.id))
	reject := func(status int, detail string) {
		log.InfoContext(r.Context(), "connection refused", slog.Int("status", status), slog.String("reason", detail))
		ep.publish(Event{Kind: EventReject, ConnectionID: cr.id, Status: status, Detail: detail})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"message":%q}`, http.StatusText(status))
	}

	if ep.connect != nil && ep.connect.route.APIKeyRequired && ep.api.APIKeySelectionExpression == "$request.header.x-api-key" &&
		r.Header.Get("x-api-key") == "" {
		reject(http.StatusForbidden, "API key required")
		return
	}

	var authorizer map[string]any
	if ep.connect != nil && ep.connect.route.Authorized && ep.api.Authorizer != nil {
		var status int
		var detail string
		authorizer, status, detail = ep.authorize(r.Context(), cr, now)
		if status != 0 {
			reject(status, detail)
			return
		}
	}

	var respHeader http.Header
	if t := ep.connect; t != nil {
		ctx := ep.context(cr, RouteConnect, eventConnect, now)
		ctx.Authorizer = authorizer
		ev := proxyEvent{
			Headers:                         singleValues(cr.headers),
			MultiValueHeaders:               cr.headers,
			QueryStringParameters:           singleValues(cr.query),
			MultiValueQueryStringParameters: cr.query,
			RequestContext:                  ctx,
		}
		result, err := ep.invoke(r.Context(), t, cr.id, ev)
		if err != nil {
			// A failed integration: a Lambda error is a bad gateway, a call
			// that outlived the integration timeout a gateway timeout.
			if errors.Is(err, context.DeadlineExceeded) {
				reject(http.StatusGatewayTimeout, "$connect timed out")
			} else {
				reject(http.StatusBadGateway, "$connect failed: "+err.Error())
			}
			return
		}
		if resp, ok := parseProxyResponse(result); ok {
			if code := *resp.StatusCode; code < 200 || code > 299 {
				if code < 100 || code > 599 {
					reject(http.StatusBadGateway, fmt.Sprintf("$connect returned invalid status code %d", code))
				} else {
					reject(code, fmt.Sprintf("$connect returned status code %d", code))
				}
				return
			}
			for k, v := range resp.Headers {
				// The one header a $connect response passes on to the
				// client: the sub-protocol it agrees to.
				if strings.EqualFold(k, "Sec-WebSocket-Protocol") && v != "" {
					respHeader = http.Header{"Sec-Websocket-Protocol": {v}}
				}
			}
		}
	}

	up := ws.HTTPUpgrader{Header: respHeader, Timeout: 10 * time.Second}
	nc, rw, _, err := up.Upgrade(r, w)
	if err != nil {
		log.InfoContext(r.Context(), "websocket upgrade failed", slog.Any("err", err))
		return
	}
	var src io.Reader = nc
	if rw != nil && rw.Reader.Buffered() > 0 {
		src = rw.Reader
	} else {
		src = bufio.NewReaderSize(nc, 4096)
	}
	c := newConn(ep, cr, nc, src, authorizer)
	ep.mu.Lock()
	ep.conns[cr.id] = c
	closing := ep.closing
	ep.mu.Unlock()
	log.InfoContext(r.Context(), "connected", slog.String("sourceIp", cr.sourceIP))
	ev := Event{Kind: EventConnect, ConnectionID: cr.id}
	if t := ep.connect; t != nil {
		ev.RouteID, ev.RouteKey = t.route.ID, t.route.Key
		if t.fn != nil {
			ev.FunctionID, ev.Function, ev.WireIDs = t.fn.FunctionID, t.fn.Function, []string{t.fn.WireID}
		}
	}
	ep.publish(ev)
	handedOff = true
	go func() {
		defer ep.wg.Done()
		defer func() { <-ep.g.slots }()
		c.serve()
	}()
	if closing {
		c.shutdown(ws.StatusGoingAway, reasonGoingAway, "gateway closing")
	}
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// invoke calls a route's handler with the event, bounded by the integration
// timeout. A route without a handler fails as an integration would.
func (ep *endpoint) invoke(ctx context.Context, t *routeTarget, connID string, ev any) ([]byte, error) {
	if t.fn == nil {
		return nil, fmt.Errorf("route %s has no integration", t.route.Key)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("apigw: encode %s event: %w", t.route.Key, err)
	}
	return ep.invokePayload(ctx, t, connID, payload)
}

// invokePayload invokes the route's function with an encoded event.
func (ep *endpoint) invokePayload(ctx context.Context, t *routeTarget, connID string, payload []byte) ([]byte, error) {
	if t.fn == nil {
		return nil, fmt.Errorf("route %s has no integration", t.route.Key)
	}
	ep.publish(Event{Kind: EventInvoke, ConnectionID: connID, RouteID: t.route.ID, RouteKey: t.route.Key,
		FunctionID: t.fn.FunctionID, Function: t.fn.Function, WireIDs: []string{t.fn.WireID}})
	ctx, cancel := context.WithTimeout(ctx, ep.g.opts.IntegrationTimeout)
	defer cancel()
	result, err := ep.g.invoker.Invoke(ctx, t.fn.Function, payload)
	if err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w (integration timeout %s): %w", context.DeadlineExceeded, ep.g.opts.IntegrationTimeout, err)
		}
		ep.g.logger.WarnContext(ctx, "handler failed", slog.String("api", ep.api.Name), slog.String("route", t.route.Key),
			slog.String("function", t.fn.Function), slog.String("connectionId", connID), slog.Any("err", err))
		ep.publish(Event{Kind: EventError, ConnectionID: connID, RouteID: t.route.ID, RouteKey: t.route.Key,
			FunctionID: t.fn.FunctionID, Function: t.fn.Function, WireIDs: []string{t.fn.WireID}, Detail: err.Error()})
		return nil, err
	}
	return result, nil
}

// lookup returns the open connection with the ID.
func (ep *endpoint) lookup(id string) *conn {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.conns[id]
}

func (ep *endpoint) forget(c *conn) {
	ep.mu.Lock()
	if ep.conns[c.id] == c {
		delete(ep.conns, c.id)
	}
	ep.mu.Unlock()
}

func writeJSONError(w http.ResponseWriter, status int, errorType, body string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-amzn-ErrorType", errorType)
	h.Set("x-amzn-RequestId", newID())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
