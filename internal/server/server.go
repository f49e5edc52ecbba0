// Package server is Switchboard's HTTP face: routes, middleware, handlers
// and the translation of error codes into responses.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-dev/switchboard/internal/localrun"
	"github.com/switchboard-dev/switchboard/internal/publish"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// DefaultAddr keeps the server on loopback: a stack designer holds Git
// credentials and writes templates, so it is not for the network.
const DefaultAddr = "127.0.0.1:8080"

// MaxBodyBytes bounds every request body but an import's (MaxImportBody).
// A large stack document is well under 1 MiB.
const MaxBodyBytes = 1 << 20

// Options configures a Server. Zero values take the defaults.
type Options struct {
	Addr   string
	Store  *store.Store
	Logger *slog.Logger
	// Publish commits stacks to Git; publish.New(Store, nil) when nil,
	// which keeps tokens and clones next to the database.
	Publish *publish.Service
	// Run configures Run locally.
	Run RunOptions
	// AllowHosts are Host names, besides 127.0.0.1, [::1] and localhost,
	// that requests may name (with the listening port): a name the user
	// gave this machine. Every other Host is refused with 421.
	AllowHosts []string
	// ListenAnywhere allows an Addr beyond loopback. Every request then
	// needs the token in OpenURLs (see requireToken).
	ListenAnywhere bool
}

// Server serves the Switchboard UI.
type Server struct {
	log      *slog.Logger
	store    *store.Store
	publish  *publish.Service
	ln       net.Listener
	http     *http.Server
	shutdown time.Duration
	runs     *localrun.Manager
	runOpts  RunOptions
	jobs     *gitJobs
	// folders is what each stack's working folder was last seen as.
	folders folders
	// router is every route, without the checks Open puts in front of it.
	router http.Handler
	// allowHosts and listenAnywhere are Options' fields of the same names.
	allowHosts     []string
	listenAnywhere bool
	// token is the secret every request needs when listening beyond
	// loopback; empty on loopback.
	token string
	// live tells open canvases of their stack's changes (live.go).
	live *liveHub
}

// New returns a server for the options; Open starts it.
func New(opts Options) *Server {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Publish == nil && opts.Store != nil {
		opts.Publish = publish.New(opts.Store, nil)
	}
	s := &Server{log: opts.Logger, store: opts.Store, publish: opts.Publish, shutdown: 10 * time.Second, runs: localrun.NewManager(opts.Logger), runOpts: opts.Run,
		jobs: newGitJobs(opts.Logger), allowHosts: opts.AllowHosts, listenAnywhere: opts.ListenAnywhere,
		live: newLiveHub(opts.Store, opts.Logger)}
	s.router = s.routes()
	s.http = &http.Server{
		Addr:              opts.Addr,
		Handler:           s.router,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelError),
	}
	return s
}

// Open listens on the address, so a bad address fails here and not in a
// goroutine, then serves in the background (wtf http/server.go). An
// address beyond loopback is refused with ErrNotLoopback unless
// ListenAnywhere is set. Only then is the listening port known, so the Host
// check (and the token check, beyond loopback) goes in front of the
// routes here: every request, even for a static asset or a missing page,
// passes them first.
func (s *Server) Open() error {
	// Open predates contexts here and has many callers; resolving a name
	// is the one step that may wait, so it gets its own bound.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	anywhere, err := beyondLoopback(ctx, s.http.Addr)
	if err != nil {
		return err
	}
	if anywhere && !s.listenAnywhere {
		return fmt.Errorf("server: %s: %w", s.http.Addr, ErrNotLoopback)
	}
	ln, err := net.Listen("tcp", s.http.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.http.Addr, err)
	}
	s.ln = ln
	handler := s.router
	if anywhere {
		if s.token, err = newToken(); err != nil {
			ln.Close()
			return err
		}
		handler = s.requireToken(handler)
		s.log.Warn("listening beyond loopback: anyone who reaches this address with the token can design and delete stacks, run code on this machine (Run locally) and commit and push with the stored Git credentials",
			slog.String("addr", ln.Addr().String()), slog.Any("allowed_hosts", s.hostNames()))
	}
	s.http.Handler = s.checkHost(handler)
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("server stopped", slog.Any("error", err))
		}
	}()
	return nil
}

// URL is the address the server really listens on, for ":0" in tests; on
// every interface (0.0.0.0, ::) it is 127.0.0.1's, a Host the server
// answers to.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	if tcp, ok := s.ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	return "http://" + s.ln.Addr().String()
}

// Handler returns the server's router, for tests that use httptest. It
// lacks the Host and token checks, which need the listening address: Open
// puts them in front.
func (s *Server) Handler() http.Handler { return s.router }

// Close stops the stacks running locally, which ends their event streams,
// then stops accepting requests and waits for those in flight.
func (s *Server) Close(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdown)
	defer cancel()
	s.runs.StopAll()
	s.jobs.stopAll()
	s.live.close()
	if err := s.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("server: shut down: %w", err)
	}
	return nil
}
