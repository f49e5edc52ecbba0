package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/localrun"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/publish"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// runCmd is `switchboard run`: the stack's WebSocket APIs on 127.0.0.1,
// behaving as API Gateway, with its functions as local Lambda processes.
var runCmd = &command{
	name: "run", args: "NAME",
	summary: "Run a stack locally until interrupted: each WebSocket API on ws://127.0.0.1:PORT/<stage>\n" +
		"(one port per API), its functions as Lambda processes from their code folders, its\n" +
		"tables on a built-in DynamoDB endpoint (kept in --data between runs) or on\n" +
		"--dynamodb-endpoint. Code paths are relative to --code, else the linked\n" +
		"repository's working copy, else the folder the stack was imported from; a function\n" +
		"whose folder does not exist runs a starter handler, and the run says so.\n" +
		"Function logs stream to stderr.",
	bind: withOptions(runRun),
}

type runOptions struct {
	port, maxConnections, concurrency         int
	dynamoDBEndpoint, code, nodeModules, node string
	dataDir                                   string
	allowOrigins                              originList
	params                                    paramList
	env                                       string
	verbose                                   bool
	idleTimeout, maxConnectionDuration        time.Duration
	integrationTimeout                        time.Duration
}

func (o *runOptions) bind(fs *flag.FlagSet) {
	fs.IntVar(&o.port, "port", 0, "`port` of the first API; the next APIs take the following ports (0: free ports)")
	fs.StringVar(&o.dynamoDBEndpoint, "dynamodb-endpoint", "", "DynamoDB-compatible endpoint `URL` to use instead of the built-in one (default $AWS_ENDPOINT_URL_DYNAMODB),\ne.g. http://127.0.0.1:8000 for DynamoDB Local or moto")
	fs.StringVar(&o.dataDir, "data", "", "`folder` keeping the built-in DynamoDB's tables between runs (default: in memory, gone at exit)")
	fs.StringVar(&o.code, "code", "", "`folder` each function's code path is relative to, such as the folder of the imported\nserverless.yml or template (default: the linked repository's working copy, else the\nfolder the stack was imported from)")
	fs.StringVar(&o.env, "env", "", "take parameter values from the stack's `environment` (dev, prod…); --param overrides one")
	fs.Var(&o.params, "param", "a stack parameter's value, `Name=value`; repeat for each (those with a default may be left out)")
	fs.StringVar(&o.nodeModules, "node-modules", "", "node_modules `folder` handlers may import from, such as one with the AWS SDK for JavaScript v3\n(default $SWITCHBOARD_NODE_MODULES)")
	fs.Var(&o.allowOrigins, "allow-origin", "browser `origin` (scheme://host[:port]) whose pages may open WebSockets besides loopback ones;\nrepeat or separate with commas")
	fs.IntVar(&o.maxConnections, "max-connections", localrun.DefaultMaxConnections, "`number` of WebSocket connections the run accepts at once; more are answered 429")
	fs.StringVar(&o.node, "node", "", "node `executable` for nodejs functions (default: node<major> on PATH matching the runtime, else node)")
	fs.IntVar(&o.concurrency, "concurrency", 0, "`number` of processes each function may run at once (default: from the CPUs and memory;\na function's reserved concurrency caps it further)")
	fs.BoolVar(&o.verbose, "verbose", false, "also print Lambda's START, END and REPORT lines of every invocation")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", localrun.DefaultIdleTimeout, "`duration` without client messages after which a connection is closed, as on API Gateway")
	fs.DurationVar(&o.maxConnectionDuration, "max-connection-duration", localrun.DefaultMaxLifetime, "`duration` after which any connection is closed, as on API Gateway")
	fs.DurationVar(&o.integrationTimeout, "integration-timeout", localrun.DefaultIntegrationTimeout, "`duration` a route's function may take before the client gets a timeout, as on API Gateway")
}

func runRun(ctx context.Context, c *CLI, fs *flag.FlagSet, db *string, args []string, o *runOptions) error {
	if err := exactArgs(fs, args, "NAME"); err != nil {
		return err
	}
	port := o.port
	if port < 0 || port > 65535 {
		return &usageError{msg: fmt.Sprintf("run: --port %d is not a TCP port", port)}
	}
	maxConns := o.maxConnections
	if maxConns < 1 {
		return &usageError{msg: fmt.Sprintf("run: --max-connections %d must be at least 1", maxConns)}
	}
	if o.concurrency < 0 {
		return &usageError{msg: fmt.Sprintf("run: --concurrency %d must be at least 1 (or 0 for the default)", o.concurrency)}
	}
	for name, d := range map[string]time.Duration{"idle-timeout": o.idleTimeout, "max-connection-duration": o.maxConnectionDuration, "integration-timeout": o.integrationTimeout} {
		if d <= 0 {
			return &usageError{msg: fmt.Sprintf("run: --%s %s must be positive", name, d)}
		}
	}
	origins := []string(o.allowOrigins)
	for _, o := range origins {
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
			return &usageError{msg: fmt.Sprintf("run: --allow-origin %q is not an origin such as https://app.example.com", o)}
		}
	}
	cfg := localrun.Config{
		Gateway: localrun.GatewayOptions{AllowOrigins: origins, MaxConnections: maxConns,
			IdleTimeout: o.idleTimeout, MaxLifetime: o.maxConnectionDuration, IntegrationTimeout: o.integrationTimeout},
		Port:             port,
		DynamoDBEndpoint: o.dynamoDBEndpoint,
		CodeDir:          o.code,
		NodePath:         o.nodeModules,
		Node:             o.node,
		Concurrency:      o.concurrency,
		SDK:              localrun.SDKOptions{CacheDir: c.Getenv(localrun.SDKCacheEnv)},
	}
	if cfg.DynamoDBEndpoint == "" {
		cfg.DynamoDBEndpoint = c.Getenv("AWS_ENDPOINT_URL_DYNAMODB")
	}
	if cfg.NodePath == "" {
		cfg.NodePath = c.Getenv("SWITCHBOARD_NODE_MODULES")
	}
	if o.dataDir != "" {
		if cfg.DynamoDBEndpoint != "" {
			return &usageError{msg: "run: --data keeps the built-in DynamoDB's tables; it cannot be used with --dynamodb-endpoint"}
		}
		abs, err := filepath.Abs(o.dataDir)
		if err != nil {
			return fmt.Errorf("run: --data: %w", err)
		}
		cfg.DataDir = abs
	}
	if cfg.CodeDir != "" {
		abs, err := filepath.Abs(cfg.CodeDir)
		if err != nil {
			return fmt.Errorf("run: --code: %w", err)
		}
		cfg.CodeDir = abs
	}
	var stack *model.Stack
	if err := withPublish(ctx, *db, args[0], func(_ *store.Store, p *publish.Service, s *model.Stack) error {
		stack = s
		if cfg.CodeDir == "" {
			cfg.CodeDir = codeFolder(ctx, p, s)
		}
		return nil
	}); err != nil {
		return err
	}
	cfg.Stack = stack
	for name := range o.params.values {
		if stack.Parameter(name) == nil {
			return &usageError{msg: fmt.Sprintf("run: --param %s: stack %s has no parameter %s%s", name, stack.Name, name, parameterList(stack))}
		}
	}
	values, err := environmentValues(stack, o.env)
	if err != nil {
		return err
	}
	maps.Copy(values, o.params.values)
	cfg.Parameters = values
	if missing := localrun.MissingParameters(stack, cfg.Parameters); len(missing) > 0 {
		where := "without a default"
		if o.env != "" {
			where += " or a value in environment " + o.env
		}
		return &usageError{msg: fmt.Sprintf("run: stack %s needs a value for parameters %s: %s; pass --param %s=VALUE for each%s",
			stack.Name, where, strings.Join(missing, ", "), missing[0], parameterList(stack))}
	}
	log := c.logger()
	// Function output goes to stderr as is, one line per log line, so a
	// terminal shows what console.log printed; Lambda's START, END and
	// REPORT lines only when asked for.
	var logMu sync.Mutex
	cfg.OnLog = func(l localrun.LogLine) {
		if l.Stream == "platform" && !o.verbose {
			return
		}
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(c.Stderr, "%s %s\n", l.Function, strings.TrimRight(l.Text, "\n"))
	}
	cfg.OnProgress = func(msg string) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(c.Stderr, "switchboard: %s\n", msg)
	}
	// The run manager of the app's Run tab; an interrupt while the stack
	// starts stops the start.
	runs := localrun.NewManager(log)
	stopStart := context.AfterFunc(ctx, func() { _ = runs.Stop(stack.ID) })
	r, err := runs.Start(ctx, cfg)
	stopStart()
	if err != nil {
		// Start returns at the interrupt; the stop cleans up meanwhile.
		_ = runs.Stop(stack.ID)
		return err
	}
	defer runs.StopAll()
	for _, ep := range r.Endpoints() {
		fmt.Fprintf(c.Stdout, "%s\t%s\n\t@connections %s\n", ep.Name, ep.URL, ep.ConnectionsURL)
	}
	if cfg.CodeDir != "" {
		fmt.Fprintf(c.Stdout, "Functions run from %s\n", cfg.CodeDir)
	}
	// Loudly: a starter answering in place of the user's code is the first
	// thing to know when a handler "does nothing".
	for _, sf := range r.Starters() {
		fmt.Fprintf(c.Stderr, "WARNING: function %s %s\n", sf.Function, sf.Message())
	}
	if ep := r.DynamoDBEndpoint(); ep != "" {
		fmt.Fprintf(c.Stdout, "DynamoDB\t%s\n", ep)
	}
	if ep := r.SQSEndpoint(); ep != "" {
		fmt.Fprintf(c.Stdout, "SQS\t%s\n", ep)
	}
	if ep := r.EventBridgeEndpoint(); ep != "" && len(stack.Buses)+len(stack.Rules) > 0 {
		fmt.Fprintf(c.Stdout, "EventBridge\t%s\n", ep)
	}
	if c.Ready != nil && len(r.Endpoints()) > 0 {
		c.Ready(r.Endpoints()[0].URL)
	}
	<-ctx.Done()
	log.Info("stopping", slog.Int("connections", r.Connections()))
	return runs.Stop(stack.ID)
}

// codeFolder is where a stack's code paths lead when no --code is given:
// the linked repository's working copy, else the folder the stack was
// imported from, else none (starter handlers).
func codeFolder(ctx context.Context, p *publish.Service, s *model.Stack) string {
	if dir, ok := p.LocalCodeDir(ctx, s); ok {
		return dir
	}
	return s.ImportedFrom
}

// parameterList names the stack's parameters and their defaults, for a
// message about a missing or unknown one.
func parameterList(s *model.Stack) string {
	if len(s.Parameters) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nThe stack's parameters:")
	for _, p := range s.Parameters {
		def := "no default"
		if p.Default != nil {
			def = fmt.Sprintf("default %q", *p.Default)
		}
		fmt.Fprintf(&b, "\n  %s (%s)", p.Name, def)
		if p.Description != "" {
			fmt.Fprintf(&b, ": %s", p.Description)
		}
	}
	return b.String()
}

// paramList is --param Name=value, once per parameter.
type paramList struct{ values map[string]string }

func (l *paramList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(slices.Sorted(maps.Keys(l.values)), ",")
}

func (l *paramList) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || !model.ValidLogicalID(name) {
		return fmt.Errorf("%q is not Name=value with a parameter name of letters and digits", v)
	}
	if _, dup := l.values[name]; dup {
		return fmt.Errorf("parameter %s is given twice", name)
	}
	if l.values == nil {
		l.values = map[string]string{}
	}
	l.values[name] = value
	return nil
}

// originList is a flag given once per origin or as a comma-separated list.
type originList []string

func (l *originList) String() string { return strings.Join(*l, ",") }

func (l *originList) Set(v string) error {
	for o := range strings.SplitSeq(v, ",") {
		if o = strings.TrimSpace(o); o != "" {
			*l = append(*l, o)
		}
	}
	return nil
}

// sdkCmd is `switchboard sdk install`: the AWS SDK that Lambda's runtimes
// provide, installed into the cache every run uses, ahead of a run or on a
// machine that will be offline later.
var sdkCmd = &command{
	name: "sdk", args: "install",
	summary: "Install the AWS SDK that Lambda's runtimes provide (the AWS SDK for JavaScript v3\n" +
		"and boto3, pinned) into the per-user cache local runs use ($" + localrun.SDKCacheEnv + "\n" +
		"moves it). A run installs it on first need; this does it ahead.",
	bind: withOptions(runSDK),
}

type sdkOptions struct {
	node, python bool
}

func (o *sdkOptions) bind(fs *flag.FlagSet) {
	fs.BoolVar(&o.node, "node", true, "install the AWS SDK for JavaScript v3 (with npm)")
	fs.BoolVar(&o.python, "python", true, "install boto3 (with python3 -m pip)")
}

func runSDK(ctx context.Context, c *CLI, fs *flag.FlagSet, _ *string, args []string, o *sdkOptions) error {
	if err := exactArgs(fs, args, "install"); err != nil {
		return err
	}
	if args[0] != "install" {
		fs.Usage()
		return &usageError{msg: fmt.Sprintf("sdk: unknown action %q (want install)", args[0])}
	}
	opts := localrun.SDKOptions{
		CacheDir: c.Getenv(localrun.SDKCacheEnv),
		Progress: func(msg string) { fmt.Fprintf(c.Stderr, "switchboard: %s\n", msg) },
	}
	var errs []error
	if o.node {
		dir, err := localrun.NodeSDK(ctx, opts)
		if err != nil {
			errs = append(errs, err)
		} else {
			fmt.Fprintf(c.Stdout, "AWS SDK for JavaScript v3\t%s\n", dir)
		}
	}
	if o.python {
		dir, err := localrun.PythonSDK(ctx, opts)
		switch {
		case err != nil:
			errs = append(errs, err)
		case dir == "":
			fmt.Fprintf(c.Stdout, "boto3\tthe interpreter's own (see above)\n")
		default:
			fmt.Fprintf(c.Stdout, "boto3\t%s\n", dir)
		}
	}
	return errors.Join(errs...)
}

// environmentValues returns the values the stack's environment named env
// gives its parameters ("" for none), less those of parameters an import
// kept as written, which a run does not use.
func environmentValues(s *model.Stack, env string) (map[string]string, error) {
	values := map[string]string{}
	if env == "" {
		return values, nil
	}
	e := s.Environment(env)
	if e == nil {
		names := make([]string, len(s.Environments))
		for i, e := range s.Environments {
			names[i] = e.Name
		}
		have := "it has none"
		if len(names) > 0 {
			have = "it has " + strings.Join(names, ", ")
		}
		return nil, &usageError{msg: fmt.Sprintf("run: --env %s: stack %s has no environment %s; %s", env, s.Name, env, have)}
	}
	for name, v := range e.Values {
		if s.Parameter(name) != nil {
			values[name] = v
		}
	}
	return values, nil
}
