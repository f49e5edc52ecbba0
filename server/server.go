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
	"time"

	"github.com/switchboard-dev/switchboard/publish"
	"github.com/switchboard-dev/switchboard/store"
)

// DefaultAddr keeps the server on loopback: a stack designer holds Git
// credentials and writes templates, so it is not for the network.
const DefaultAddr = "127.0.0.1:8080"

// MaxBodyBytes bounds every request body. A large stack document is well
// under 1 MiB.
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
}

// Server serves the Switchboard UI.
type Server struct {
	log      *slog.Logger
	store    *store.Store
	publish  *publish.Service
	ln       net.Listener
	http     *http.Server
	shutdown time.Duration
	runs     *runs
	jobs     *gitJobs
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
	s := &Server{log: opts.Logger, store: opts.Store, publish: opts.Publish, shutdown: 10 * time.Second, runs: newRuns(opts.Logger, opts.Run), jobs: newGitJobs(opts.Logger)}
	s.http = &http.Server{
		Addr:              opts.Addr,
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelError),
	}
	return s
}

// Open listens on the address, so a bad address fails here and not in a
// goroutine, then serves in the background (wtf http/server.go).
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.http.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.http.Addr, err)
	}
	s.ln = ln
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("server stopped", slog.Any("error", err))
		}
	}()
	return nil
}

// URL is the address the server really listens on, for ":0" in tests.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Handler returns the server's router, for tests that use httptest.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Close stops the stacks running locally, which ends their event streams,
// then stops accepting requests and waits for those in flight.
func (s *Server) Close(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdown)
	defer cancel()
	s.runs.stopAll()
	s.jobs.stopAll()
	if err := s.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("server: shut down: %w", err)
	}
	return nil
}
