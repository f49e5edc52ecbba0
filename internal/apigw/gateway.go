// Package apigw runs WebSocket APIs on 127.0.0.1 the way Amazon API
// Gateway runs them: the stage in the path, $connect/$disconnect/$default,
// route selection by the API's expression, two-way routes, a REQUEST
// authorizer on $connect, API Gateway's error frames, limits and close codes,
// and the @connections management API the AWS SDKs and CLI call. The
// functions behind the routes are reached through an Invoker; the local
// runner passes one that runs the real handlers as Lambda processes.
//
// Each API gets its own listener, as each API gets its own host name on AWS:
// ws://127.0.0.1:P/<stage> for the first API, P+1 for the second, and so on
// (or a free port each when Options.Port is 0). The management API lives on
// the same host at http://127.0.0.1:P/<stage>/@connections/{id}.
package apigw

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"
)

// Invoker runs a function synchronously: function is the function's name
// (its logical ID) and payload the JSON event. An error means the handler
// failed, crashed or timed out; API Gateway then answers as for any failed
// integration.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// API Gateway's quotas for WebSocket APIs that the emulation enforces.
const (
	// MaxMessageSize is the largest message a client may send; a larger one
	// closes the connection with 1009.
	MaxMessageSize = 128 * 1024
	// MaxFrameSize is the largest single frame; longer messages must be
	// fragmented.
	MaxFrameSize = 32 * 1024
)

// Options tune the gateway. The zero value gives API Gateway's defaults on
// free ports of 127.0.0.1.
type Options struct {
	// Host is the address to listen on; 127.0.0.1 when empty.
	Host string
	// Port is the first API's port; the next APIs take the following ports.
	// 0 picks a free port for each API.
	Port int
	// IdleTimeout closes a connection without messages for that long
	// (API Gateway: 10 minutes).
	IdleTimeout time.Duration
	// MaxLifetime closes any connection after that long (API Gateway: 2 hours).
	MaxLifetime time.Duration
	// IntegrationTimeout bounds each handler call (API Gateway: 29 seconds).
	IntegrationTimeout time.Duration
	// PingInterval is how often the gateway pings each client; a client that
	// answers nothing for two intervals is taken as gone (its TCP connection
	// vanished without a close frame). 30 seconds when zero.
	PingInterval time.Duration
	// MaxInflight, when positive, bounds the messages of one connection
	// being handled at once, which serializes them at 1 (for tests that
	// need replies in order). Zero, the default, bounds nothing, as on API
	// Gateway: each message is handled as soon as it arrives, concurrently
	// with the others of its connection, so a slow call holds up no other
	// and replies may come out of order. The functions' concurrency bounds
	// the work.
	MaxInflight int
	// Region and AccountID appear in the authorizer's methodArn.
	Region    string
	AccountID string
	// Now is the clock of event timestamps; time.Now when nil.
	Now func() time.Time
	// AllowOrigins are the browser origins (scheme://host[:port]) allowed
	// to open a WebSocket besides loopback ones; a request without Origin
	// (not from a browser) is always allowed. Other web pages the user
	// visits must not reach the local handlers.
	AllowOrigins []string
	// MaxConnections caps the connections of all APIs together, counting
	// upgrades in progress; an upgrade over the cap is answered 429, so a
	// flood of clients cannot exhaust the file descriptors.
	// DefaultMaxConnections when zero.
	MaxConnections int
	// TLS, when set, makes each API's port answer TLS too (wss://,
	// https://…/@connections) besides plain ws:// and http://, with this
	// configuration's certificate.
	TLS *tls.Config
}

// API Gateway's timeouts for WebSocket APIs, the defaults of Options.
const (
	DefaultIdleTimeout        = 10 * time.Minute
	DefaultMaxLifetime        = 2 * time.Hour
	DefaultIntegrationTimeout = 29 * time.Second
)

// DefaultMaxConnections is the connection cap of a gateway: far above any
// local test, far below a process's file descriptor limit.
const DefaultMaxConnections = 2000

func (o Options) withDefaults() Options {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxLifetime <= 0 {
		o.MaxLifetime = DefaultMaxLifetime
	}
	if o.IntegrationTimeout <= 0 {
		o.IntegrationTimeout = DefaultIntegrationTimeout
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 30 * time.Second
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxConnections <= 0 {
		o.MaxConnections = DefaultMaxConnections
	}
	return o
}

// Gateway serves a stack's WebSocket APIs.
type Gateway struct {
	logger  *slog.Logger
	invoker Invoker
	opts    Options
	apis    []*endpoint

	subMu sync.Mutex
	subs  map[chan Event]struct{}

	origins *originCheck
	// slots holds one token per connection or upgrade in progress, across
	// the APIs: the cap of Options.MaxConnections.
	slots chan struct{}
	// workers handle the connections' messages.
	workers *workers

	closeOnce sync.Once
}

// New prepares a gateway for the APIs; Start listens. The APIs are copied,
// so later changes to them do not reach a running gateway. A configuration
// it cannot serve is a *ConfigError.
func New(logger *slog.Logger, apis []API, inv Invoker, opts Options) (*Gateway, error) {
	if inv == nil {
		return nil, errors.New("apigw: an invoker is required")
	}
	if len(apis) == 0 {
		return nil, &ConfigError{"no WebSocket API to run"}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opts = opts.withDefaults()
	origins, err := newOriginCheck(opts.AllowOrigins)
	if err != nil {
		return nil, err
	}
	g := &Gateway{logger: logger, invoker: inv, opts: opts, subs: map[chan Event]struct{}{}, origins: origins, slots: make(chan struct{}, opts.MaxConnections),
		workers: newWorkers()}
	for _, a := range apis {
		a := a.clone()
		ep, err := newEndpoint(g, &a)
		if err != nil {
			return nil, err
		}
		g.apis = append(g.apis, ep)
	}
	return g, nil
}

// Start listens on one port per API and serves until Close. It returns once
// every API accepts connections.
func (g *Gateway) Start(ctx context.Context) error {
	for i, ep := range g.apis {
		port := 0
		if g.opts.Port != 0 {
			port = g.opts.Port + i
		}
		addr := net.JoinHostPort(g.opts.Host, strconv.Itoa(port))
		var lc net.ListenConfig
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			g.Close()
			return fmt.Errorf("apigw: listen for %s on %s: %w", ep.api.Name, addr, err)
		}
		ep.start(ln)
		g.logger.InfoContext(ctx, "websocket api listening", slog.String("api", ep.api.Name), slog.String("url", ep.URL()))
	}
	return nil
}

// Endpoint describes where one API is served.
type Endpoint struct {
	// APIID is the API node's ID in the stack; Name its logical ID.
	APIID, Name string
	// URL is the ws:// URL clients connect to, with the stage.
	URL string
	// ConnectionsURL is the http:// …/<stage>/@connections URL, the local
	// equivalent of what the exported template gives handlers.
	ConnectionsURL string
	// GatewayID is the apiId handlers see in requestContext.
	GatewayID string
	// ManagementURL is https://127.0.0.1:P/<stage>, what AWS's samples
	// build from the event as the management API's endpoint; with no TLS,
	// the http:// one.
	ManagementURL string
}

// Endpoints lists the APIs in the order New got them; URLs are set once Start returned.
func (g *Gateway) Endpoints() []Endpoint {
	out := make([]Endpoint, 0, len(g.apis))
	for _, ep := range g.apis {
		out = append(out, Endpoint{APIID: ep.api.ID, Name: ep.api.Name, URL: ep.URL(), ConnectionsURL: ep.ConnectionsURL(), GatewayID: ep.apiID, ManagementURL: ep.ManagementURL()})
	}
	return out
}

// Connections counts the open connections of all APIs.
func (g *Gateway) Connections() int {
	n := 0
	for _, ep := range g.apis {
		ep.mu.Lock()
		n += len(ep.conns)
		ep.mu.Unlock()
	}
	return n
}

// Close stops listening, closes every connection with 1001 Going away (each
// gets its $disconnect, as when API Gateway drops connections) and waits for
// the handlers of those $disconnect events.
func (g *Gateway) Close() error {
	var errs []error
	g.closeOnce.Do(func() {
		for _, ep := range g.apis {
			if err := ep.close(); err != nil {
				errs = append(errs, err)
			}
		}
		g.subMu.Lock()
		for ch := range g.subs {
			close(ch)
			delete(g.subs, ch)
		}
		g.subMu.Unlock()
		g.workers.close()
	})
	return errors.Join(errs...)
}

// Subscribe returns a channel of everything that happens on the gateway,
// for the canvas to light up routes and wires, and a function that ends the
// subscription. A subscriber that falls more than buffer events behind
// misses events rather than slowing connections down.
func (g *Gateway) Subscribe(buffer int) (<-chan Event, func()) {
	if buffer <= 0 {
		buffer = 64
	}
	ch := make(chan Event, buffer)
	g.subMu.Lock()
	g.subs[ch] = struct{}{}
	g.subMu.Unlock()
	return ch, func() {
		g.subMu.Lock()
		defer g.subMu.Unlock()
		if _, ok := g.subs[ch]; ok {
			delete(g.subs, ch)
			close(ch)
		}
	}
}

func (g *Gateway) publish(e Event) {
	if e.Time.IsZero() {
		e.Time = g.opts.Now()
	}
	g.subMu.Lock()
	defer g.subMu.Unlock()
	for ch := range g.subs {
		select {
		case ch <- e:
		default:
		}
	}
}
