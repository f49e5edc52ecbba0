package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	"github.com/switchboard-dev/switchboard/internal/localrun"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// runCmd is `switchboard run`: the stack's WebSocket APIs on 127.0.0.1,
// behaving as API Gateway, with its functions as local Lambda processes.
var runCmd = &command{
	name: "run", args: "NAME",
	summary: "Run a stack locally until interrupted: each WebSocket API on ws://127.0.0.1:PORT/<stage>\n" +
		"(one port per API), its functions as Lambda processes from --code (default: the\n" +
		"export's scaffolds in a temporary folder), its tables on a built-in DynamoDB endpoint\n" +
		"(kept in --data between runs) or on --dynamodb-endpoint.\n" +
		"Function logs stream to stderr.",
	bind: withOptions(runRun),
}

type runOptions struct {
	port, maxConnections                int
	dynamoDBEndpoint, code, nodeModules string
	dataDir                             string
	allowOrigins                        originList
}

func (o *runOptions) bind(fs *flag.FlagSet) {
	fs.IntVar(&o.port, "port", 0, "`port` of the first API; the next APIs take the following ports (0: free ports)")
	fs.StringVar(&o.dynamoDBEndpoint, "dynamodb-endpoint", "", "DynamoDB-compatible endpoint `URL` to use instead of the built-in one (default $AWS_ENDPOINT_URL_DYNAMODB),\ne.g. http://127.0.0.1:8000 for DynamoDB Local or moto")
	fs.StringVar(&o.dataDir, "data", "", "`folder` keeping the built-in DynamoDB's tables between runs (default: in memory, gone at exit)")
	fs.StringVar(&o.code, "code", "", "repository `folder` holding each function's code path (default: scaffolds in a temporary folder)")
	fs.StringVar(&o.nodeModules, "node-modules", "", "node_modules `folder` handlers may import from, such as one with the AWS SDK for JavaScript v3\n(default $SWITCHBOARD_NODE_MODULES)")
	fs.Var(&o.allowOrigins, "allow-origin", "browser `origin` (scheme://host[:port]) whose pages may open WebSockets besides loopback ones;\nrepeat or separate with commas")
	fs.IntVar(&o.maxConnections, "max-connections", localrun.DefaultMaxConnections, "`number` of WebSocket connections the run accepts at once; more are answered 429")
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
	origins := []string(o.allowOrigins)
	for _, o := range origins {
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
			return &usageError{msg: fmt.Sprintf("run: --allow-origin %q is not an origin such as https://app.example.com", o)}
		}
	}
	cfg := localrun.Config{
		Gateway:          localrun.GatewayOptions{AllowOrigins: origins, MaxConnections: maxConns},
		Port:             port,
		DynamoDBEndpoint: o.dynamoDBEndpoint,
		CodeDir:          o.code,
		NodePath:         o.nodeModules,
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
	if err := withStack(ctx, *db, args[0], func(_ *store.Store, s *model.Stack) error {
		stack = s
		return nil
	}); err != nil {
		return err
	}
	cfg.Stack = stack
	log := c.logger()
	// Function output goes to stderr as is, one line per log line, so a
	// terminal shows what console.log printed.
	var logMu sync.Mutex
	cfg.OnLog = func(l localrun.LogLine) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(c.Stderr, "%s %s\n", l.Function, strings.TrimRight(l.Text, "\n"))
	}
	// The run manager of the app's Run tab; an interrupt while the stack
	// starts stops the start.
	runs := localrun.NewManager(log)
	stopStart := context.AfterFunc(ctx, func() { _ = runs.Stop(stack.ID) })
	r, err := runs.Start(ctx, cfg)
	stopStart()
	if err != nil {
		return err
	}
	defer runs.StopAll()
	for _, ep := range r.Endpoints() {
		fmt.Fprintf(c.Stdout, "%s\t%s\n\t@connections %s\n", ep.Name, ep.URL, ep.ConnectionsURL)
	}
	if cfg.CodeDir == "" {
		fmt.Fprintf(c.Stdout, "Functions run from scaffolds in %s\n", r.CodeDir())
	}
	if ep := r.DynamoDBEndpoint(); ep != "" {
		fmt.Fprintf(c.Stdout, "DynamoDB\t%s\n", ep)
	}
	if c.Ready != nil && len(r.Endpoints()) > 0 {
		c.Ready(r.Endpoints()[0].URL)
	}
	<-ctx.Done()
	log.Info("stopping", slog.Int("connections", r.Connections()))
	return runs.Stop(stack.ID)
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
