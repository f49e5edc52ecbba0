// Package localrun runs a designed stack on the user's machine: the
// functions as warm Lambda processes (lambdaemu) from their code folders,
// the WebSocket APIs through the API Gateway emulation (apigw), and the
// tables on a local DynamoDB-compatible endpoint. Handlers get the same
// environment variables as in the exported template, pointed at the local
// endpoints.
package localrun

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/dynamo"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// tableWait bounds how long a new table may take to become active.
const tableWait = 30 * time.Second

// Config says what to run and where.
type Config struct {
	Stack *model.Stack
	// CodeDir is the folder each function's CodePath is relative to: a
	// linked repository's folder, or the one the stack was imported from.
	// A function whose folder does not exist there (every function, when
	// CodeDir is empty) runs the export's starter handler from a temporary
	// folder removed on Close, and the run reports it (Runner.Starters).
	CodeDir string
	// Port is the first API's port (one port per API); 0 picks free ports.
	Port int
	// DynamoDBEndpoint is a local DynamoDB-compatible endpoint, such as
	// http://127.0.0.1:8000. The stack's tables are created there and
	// handlers reach it through AWS_ENDPOINT_URL_DYNAMODB. Empty runs a
	// built-in one (internal/dynamo) for the run's lifetime.
	DynamoDBEndpoint string
	// DataDir keeps the built-in endpoint's tables between runs; empty
	// keeps them in memory only.
	DataDir string
	// OnTableWrite is told the table of each write to the built-in
	// endpoint, so a page showing the items can refresh.
	OnTableWrite func(table string)
	// CADir is the local CA's folder (localca.DefaultDir when empty), made
	// on first use, whose certificate the APIs serve HTTPS with.
	CADir string
	// Region is the AWS region handlers see; us-east-1 when empty.
	Region string
	// Node is the node executable; NodePath a node_modules folder handlers
	// may import from (the AWS SDK for JavaScript v3, which Lambda's
	// Node.js runtimes provide).
	Node, NodePath string
	// Gateway tunes the API Gateway emulation (timeouts for tests); its
	// Host and Port are set from Port.
	Gateway apigw.Options
	// OnLog receives every function log line, for streaming.
	OnLog func(lambdaemu.LogLine)
	// Parameters are values for the stack's parameters; those not given
	// take their defaults, and one with no default must be given.
	Parameters map[string]string
	// OnEvent is told what the run's services do that the gateway's
	// events do not show: a queue, topic or table stream invoking a
	// function, an execution's states, with the wires and nodes it went
	// through, for the canvas to light up and the Run tab's log.
	OnEvent func(apigw.Event)
	// OnProgress receives a line for each step of the start that takes a
	// while or needs the user's attention: installing the runtime's SDK,
	// an interpreter of another version than the function's runtime.
	OnProgress func(string)
	// SDK says where the AWS SDK Lambda's runtimes provide is cached and
	// how it is installed; used when NodePath is empty.
	SDK lambdaemu.SDKOptions
	// Concurrency caps each function's processes, unless the function's
	// reserved concurrency says less; 0 derives it from the machine
	// (lambdaemu.DefaultConcurrency).
	Concurrency int
	// Clock drives the rules' schedules; nil is the wall clock.
	Clock Clock
	// IdleProcessTimeout stops a function's processes beyond its first
	// after that long idle; 0 means lambdaemu.DefaultIdleTimeout.
	IdleProcessTimeout time.Duration
}

// Runner is a running stack.
type Runner struct {
	logger  *slog.Logger
	gw      *apigw.Gateway
	pool    *lambdaemu.Pool
	tmp     string
	tables  []string
	codeDir string
	// folders maps each function to its code folder; starters are the
	// functions given a starter handler instead (code.go).
	folders  map[string]string
	starters []Starter
	// layerFolder maps each layer's ID to its folder, layerDirs each
	// function's name to its layers' folders (kind_layer.go).
	layerFolder map[string]string
	layerDirs   map[string][]string
	// dynamo is the built-in DynamoDB endpoint, nil with an external one;
	// dynamoEndpoint is the endpoint in use either way.
	dynamo         *dynamo.Server
	dynamoEndpoint string
	region         string
	stack          *model.Stack // as the run started
	// trustEnv makes the function processes trust the local CA.
	trustEnv map[string]string
	// svc serves the queues, topics, state machines and table streams
	// (services.go); nil for a stack with none.
	svc       *services
	closeOnce sync.Once
	closeErr  error
}

// Start runs the stack and returns once every API accepts connections and
// every function has a warm process. A connection that comes earlier is
// served as soon as the functions it needs are warm.
func Start(ctx context.Context, logger *slog.Logger, cfg Config) (r *Runner, err error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := cfg.Stack
	if s == nil {
		return nil, errors.New("localrun: no stack")
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("localrun: stack %q cannot run: %w", s.Name, err)
	}
	// Nothing starts, not even a temporary folder, for a stack that would
	// run code other than its own.
	var problems []string
	for _, k := range kindServers {
		if k.refuse != nil {
			problems = append(problems, k.refuse(s)...)
		}
	}
	if err := refuse(s, problems); err != nil {
		return nil, err
	}
	if err := checkParameters(s, cfg.Parameters); err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	r = &Runner{logger: logger, region: cfg.Region, stack: s}
	defer func() {
		if err != nil {
			_ = r.Close()
			r = nil
		}
	}()

	st := &starting{ctx: ctx, logger: logger, cfg: cfg, s: s, r: r, gate: newGate()}
	for _, k := range kindServers {
		if k.prepare != nil {
			if err := k.prepare(st); err != nil {
				return r, err
			}
		}
	}
	for _, k := range kindServers {
		if err := k.serve(st); err != nil {
			return r, err
		}
	}
	warnGeneric(st)
	st.gate.open(dispatcher{pool: r.pool, svc: r.svc})
	if err := warmFunctions(st); err != nil {
		return r, err
	}
	return r, nil
}

// Gateway returns the API Gateway emulation, for its endpoints and events.
func (r *Runner) Gateway() *apigw.Gateway { return r.gw }

// Endpoints lists where each API is served.
func (r *Runner) Endpoints() []apigw.Endpoint { return r.gw.Endpoints() }

// Tables lists the table names created on the DynamoDB endpoint.
func (r *Runner) Tables() []string { return r.tables }

// DynamoDBEndpoint is the endpoint the tables are on, built in or not; ""
// when the stack has no tables.
func (r *Runner) DynamoDBEndpoint() string { return r.dynamoEndpoint }

// SQSEndpoint is the endpoint the stack's queues are served on; "" when
// it has none.
func (r *Runner) SQSEndpoint() string {
	if r.svc == nil || r.svc.sqsEP == nil {
		return ""
	}
	return r.svc.sqsEP.URL()
}

// CodeDir is the folder the functions run from.
func (r *Runner) CodeDir() string { return r.codeDir }

// Close disconnects every client (running the $disconnect handlers), stops
// the function processes and removes the temporary code folder.
func (r *Runner) Close() error {
	r.closeOnce.Do(func() {
		var errs []error
		if r.gw != nil {
			errs = append(errs, r.gw.Close())
		}
		// Before the functions stop: pollers and executions call them.
		if r.svc != nil {
			errs = append(errs, r.svc.close())
		}
		if r.pool != nil {
			errs = append(errs, r.pool.Close())
		}
		// Last: the $disconnect handlers above may still write, and
		// closing keeps the tables in the data folder.
		if r.dynamo != nil {
			errs = append(errs, r.dynamo.Close())
		}
		if r.tmp != "" {
			errs = append(errs, os.RemoveAll(r.tmp))
		}
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}

// gate holds invocations until the functions are registered, since the
// gateway listens (and may take a connection) a moment earlier.
type gate struct {
	ready chan struct{}
	inv   apigw.Invoker
	err   error
	once  sync.Once
}

func newGate() *gate { return &gate{ready: make(chan struct{})} }

func (g *gate) open(inv apigw.Invoker) {
	g.once.Do(func() { g.inv = inv; close(g.ready) })
}

func (g *gate) fail(err error) {
	g.once.Do(func() { g.err = err; close(g.ready) })
}

// Invoke implements apigw.Invoker.
func (g *gate) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	select {
	case <-g.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if g.err != nil {
		return nil, fmt.Errorf("functions did not start: %w", g.err)
	}
	return g.inv.Invoke(ctx, function, payload)
}
