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
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/apigw"
	"github.com/switchboard-dev/switchboard/export"
	"github.com/switchboard-dev/switchboard/internal/tempdir"
	"github.com/switchboard-dev/switchboard/lambdaemu"
	"github.com/switchboard-dev/switchboard/model"
)

// tableWait bounds how long a new table may take to become active.
const tableWait = 30 * time.Second

// Config says what to run and where.
type Config struct {
	Stack *model.Stack
	// CodeDir is the repository root under which each function's CodePath
	// lies, such as a linked repository's folder. Empty runs the scaffolds
	// export writes, from a temporary directory removed on Close.
	CodeDir string
	// Port is the first API's port (one port per API); 0 picks free ports.
	Port int
	// DynamoDBEndpoint is a local DynamoDB-compatible endpoint, such as
	// http://127.0.0.1:8000. The stack's tables are created there and
	// handlers reach it through AWS_ENDPOINT_URL_DYNAMODB. Empty leaves
	// tables out; handlers that use them fail.
	DynamoDBEndpoint string
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
}

// Runner is a running stack.
type Runner struct {
	logger    *slog.Logger
	gw        *apigw.Gateway
	pool      *lambdaemu.Pool
	tmp       string
	tables    []string
	codeDir   string
	closeOnce sync.Once
	closeErr  error
}

// Start runs the stack and returns once every API accepts connections and
// every function has a warm process.
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
	if err := refuse(s, append(checkEnvironment(s), checkHandlerPaths(s)...)); err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	r = &Runner{logger: logger}
	defer func() {
		if err != nil {
			_ = r.Close()
			r = nil
		}
	}()

	r.codeDir = cfg.CodeDir
	if r.codeDir == "" {
		if r.tmp, err = tempdir.Make("switchboard-run"); err != nil {
			return r, fmt.Errorf("localrun: %w", err)
		}
		r.codeDir = r.tmp
		written, err := export.WriteScaffolds(r.tmp, s)
		if err != nil {
			return r, fmt.Errorf("localrun: scaffolds: %w", err)
		}
		if cfg.NodePath == "" && importsSDK(r.tmp, written) {
			// Lambda's Node.js runtimes provide the SDK; here it must be
			// installed somewhere and named, or those handlers fail to load.
			logger.WarnContext(ctx, "the starter handlers import the AWS SDK for JavaScript v3 but no node_modules folder holding it was given; they will fail to load",
				slog.String("fix", "npm install @aws-sdk/client-dynamodb @aws-sdk/client-apigatewaymanagementapi, then pass its node_modules folder"))
		}
	} else if err := checkCodeFolders(r.codeDir, s); err != nil {
		return r, err
	}
	folders := make(map[string]string, len(s.Functions))
	for _, f := range s.Functions {
		folders[f.Name] = filepath.Join(r.codeDir, filepath.FromSlash(f.CodePath))
	}
	problems, err := checkHandlerFiles(s, folders)
	if err != nil {
		return r, err
	}
	if err := refuse(s, problems); err != nil {
		return r, err
	}

	if len(s.Tables) > 0 {
		if cfg.DynamoDBEndpoint == "" {
			logger.WarnContext(ctx, "no DynamoDB endpoint: handlers that use the stack's tables will fail", slog.Int("tables", len(s.Tables)))
		} else {
			if r.tables, err = CreateTables(ctx, cfg.DynamoDBEndpoint, cfg.Region, s); err != nil {
				return r, err
			}
			logger.InfoContext(ctx, "tables ready", slog.String("endpoint", cfg.DynamoDBEndpoint), slog.Any("tables", r.tables))
		}
	}

	gate := newGate()
	opts := cfg.Gateway
	opts.Host, opts.Port, opts.Region = "127.0.0.1", cfg.Port, cfg.Region
	if r.gw, err = newGateway(logger, s, gate, opts); err != nil {
		return r, err
	}
	// The gateway listens first: its ports go into the functions'
	// @connections URLs.
	if err = r.gw.Start(ctx); err != nil {
		return r, err
	}
	r.pool, err = lambdaemu.New(ctx, logger, lambdaemu.Options{OnLog: cfg.OnLog, Node: cfg.Node, NodePath: cfg.NodePath, Region: cfg.Region})
	if err != nil {
		gate.fail(err)
		return r, err
	}
	fns := FunctionConfigs(s, r.codeDir, r.gw.Endpoints(), cfg.DynamoDBEndpoint, cfg.Region)
	if err = r.pool.Start(ctx, fns); err != nil {
		gate.fail(err)
		return r, fmt.Errorf("localrun: start functions: %w", err)
	}
	gate.open(r.pool)
	return r, nil
}

// importsSDK reports whether any of the files (slash-separated, under dir)
// imports a package of the AWS SDK for JavaScript v3.
func importsSDK(dir string, files []string) bool {
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err == nil && strings.Contains(string(data), `from "@aws-sdk/`) {
			return true
		}
	}
	return false
}

// checkCodeFolders refuses to start when a function's code folder is
// missing, naming each, rather than failing on the first invocation.
func checkCodeFolders(root string, s *model.Stack) error {
	var missing []string
	for _, f := range s.Functions {
		dir := filepath.Join(root, filepath.FromSlash(f.CodePath))
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("localrun: code folder of %s: %w", f.Name, err)
			}
			missing = append(missing, fmt.Sprintf("%s (%s)", f.Name, dir))
		}
	}
	if len(missing) > 0 {
		return model.Errorf(model.EINVALID, "code folders missing for %s; write the starter code with the export's scaffolds or run without a code folder", strings.Join(missing, ", "))
	}
	return nil
}

// FunctionConfigs turns the stack's functions into Lambda processes to run
// from codeDir, with the environment the exported template gives them:
// their own variables, <TABLE>_TABLE_NAME for each wired table and
// <API>_CONNECTIONS_URL for each API they send to, here pointed at the local
// endpoints, plus the SDK's endpoint variable for DynamoDB and dummy
// credentials.
func FunctionConfigs(s *model.Stack, codeDir string, eps []apigw.Endpoint, dynamoEndpoint, region string) []lambdaemu.FunctionConfig {
	x := model.NewIndex(s)
	byAPI := make(map[string]apigw.Endpoint, len(eps))
	for _, ep := range eps {
		byAPI[ep.APIID] = ep
	}
	out := make([]lambdaemu.FunctionConfig, 0, len(s.Functions))
	for _, f := range s.Functions {
		env := maps.Clone(f.Environment)
		if env == nil {
			env = map[string]string{}
		}
		for _, w := range x.WiresFrom(f.ID) {
			switch g, ok := x.Grant(w); {
			case !ok:
			case g.Table != nil:
				env[g.EnvName] = TableName(s, g.Table)
			default:
				env[g.EnvName] = byAPI[g.API.ID].ConnectionsURL
			}
		}
		if dynamoEndpoint != "" {
			env["AWS_ENDPOINT_URL_DYNAMODB"] = dynamoEndpoint
		}
		env["AWS_ACCESS_KEY_ID"] = dummyAccessKey
		env["AWS_SECRET_ACCESS_KEY"] = dummySecretKey
		env["AWS_REGION"], env["AWS_DEFAULT_REGION"] = region, region
		out = append(out, lambdaemu.FunctionConfig{
			Name:     f.Name,
			Runtime:  f.Runtime,
			Handler:  f.Handler,
			CodeDir:  filepath.Join(codeDir, filepath.FromSlash(f.CodePath)),
			MemoryMB: f.MemorySize,
			Timeout:  time.Duration(f.Timeout) * time.Second,
			Env:      env,
		})
	}
	return out
}

// Gateway returns the API Gateway emulation, for its endpoints and events.
func (r *Runner) Gateway() *apigw.Gateway { return r.gw }

// Endpoints lists where each API is served.
func (r *Runner) Endpoints() []apigw.Endpoint { return r.gw.Endpoints() }

// Tables lists the table names created on the DynamoDB endpoint.
func (r *Runner) Tables() []string { return r.tables }

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
		if r.pool != nil {
			errs = append(errs, r.pool.Close())
		}
		if r.tmp != "" {
			errs = append(errs, os.RemoveAll(r.tmp))
		}
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}

// gate holds invocations until the functions are started, since the
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
