package localrun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Functions run as warm Lambda processes from their code folders (the
// export's scaffolds when the run has none), last: their environment holds
// the APIs' @connections URLs.
func init() {
	registerKind(&kindServer{
		kind:  model.KindFunction,
		order: 30,
		refuse: func(s *model.Stack) []string {
			return append(checkEnvironment(s), checkHandlerPaths(s)...)
		},
		prepare: prepareCode,
		serve:   serveFunctions,
	})
}

// prepareCode finds each function's code folder (code.go), and refuses
// handlers that are missing or lie outside their folders.
func prepareCode(st *starting) (err error) {
	r, s := st.r, st.s
	r.codeDir = st.cfg.CodeDir
	if r.folders, err = codeFolders(st); err != nil {
		return err
	}
	if r.codeDir == "" {
		r.codeDir = r.tmp
	}
	problems, err := checkHandlerFiles(s, r.folders)
	if err != nil {
		return err
	}
	if err := refuse(s, problems); err != nil {
		return err
	}
	prepareRuntimes(st)
	return nil
}

// prepareRuntimes picks each function's interpreter, warning when its
// version differs from the runtime's, and provides the AWS SDK that
// Lambda's runtimes ship: the --node-modules folder when given, else the
// pinned set from the user's SDK cache, installed on first need. An SDK
// that cannot be installed does not stop the run (a handler may not use
// it); a function that imports it then fails with the reason and the fix.
func prepareRuntimes(st *starting) {
	cfg := st.cfg
	st.pool = lambdaemu.Options{OnLog: cfg.OnLog, Node: cfg.Node, NodePath: cfg.NodePath, Region: cfg.Region,
		IdleTimeout: cfg.IdleProcessTimeout}
	st.interpreters = map[string]string{}
	var node, python bool
	python3 := ""
	// One warning per runtime and interpreter, naming its functions.
	warned := map[string][]string{}
	var order []string
	for _, f := range st.s.Functions {
		given := ""
		dir := st.r.folders[f.Name] // the user's folder, or its starter's
		switch {
		case strings.HasPrefix(f.Runtime, "nodejs"):
			given = cfg.Node
			node = node || usesSDK(dir, nodeSources, "@aws-sdk/")
			for _, layer := range st.r.layerDirs[f.Name] {
				node = node || usesSDK(layer, nodeSources, "@aws-sdk/")
			}
		case strings.HasPrefix(f.Runtime, "python"):
			python = python || usesSDK(dir, pythonSources, "boto3", "botocore")
			for _, layer := range st.r.layerDirs[f.Name] {
				python = python || usesSDK(layer, pythonSources, "boto3", "botocore")
			}
		default:
			continue
		}
		in := lambdaemu.FindInterpreter(st.ctx, f.Runtime, given)
		if in.Warning != "" {
			if _, ok := warned[in.Warning]; !ok {
				order = append(order, in.Warning)
			}
			warned[in.Warning] = append(warned[in.Warning], f.Name)
		}
		if in.Path != "" {
			st.interpreters[f.Name] = in.Path
			if python3 == "" && strings.HasPrefix(f.Runtime, "python") {
				python3 = in.Path
			}
		}
	}
	for _, w := range order {
		st.progress(fmt.Sprintf("warning: %s %s: %s", plural(len(warned[w]), "function", "functions"), strings.Join(warned[w], ", "), w))
	}
	sdk := cfg.SDK
	sdk.Progress = st.progress
	if node && cfg.NodePath == "" {
		dir, err := lambdaemu.NodeSDK(st.ctx, sdk)
		if err != nil {
			st.progress("warning: " + err.Error())
			st.pool.NodeSDKMissing = err
		}
		st.pool.NodePath = dir
	}
	shareNodeModules(st)
	if python {
		sdk.Python = python3
		dir, err := lambdaemu.PythonSDK(st.ctx, sdk)
		if err != nil {
			st.progress("warning: " + err.Error())
			st.pool.PythonSDKMissing = err
		}
		st.pool.PythonPath = dir
	}
}

// shareNodeModules puts a node_modules beside the starter handlers' folders
// that leads to the SDK, so Node.js finds it the way it finds a
// function's own packages, without the bootstrap's resolve hook, whose
// loader thread slows every start. Not when a starter has layers: their
// packages come before the SDK's, which only the hook keeps so.
func shareNodeModules(st *starting) {
	r := st.r
	if r.tmp == "" || st.pool.NodePath == "" || len(r.starters) == 0 {
		return
	}
	for _, sf := range r.starters {
		if len(r.layerDirs[sf.Function]) > 0 {
			return
		}
	}
	sdk, err := filepath.Abs(st.pool.NodePath)
	if err == nil {
		err = os.Symlink(sdk, filepath.Join(r.tmp, "node_modules"))
	}
	if err != nil {
		// The hook still finds the SDK: only the start is slower.
		st.logger.DebugContext(st.ctx, "starter handlers resolve the SDK through the hook", slog.Any("err", err))
	}
}

// serveFunctions registers the functions, with the gateway's endpoints in
// their environment; Start warms them (warmFunctions) once every kind is
// served, so the gateway's waiting invocations go to the pool, each
// waiting for its own function's first process only.
func serveFunctions(st *starting) (err error) {
	r, cfg := st.r, st.cfg
	r.pool, err = lambdaemu.New(st.ctx, st.logger, st.pool)
	if err != nil {
		st.gate.fail(err)
		return err
	}
	fns := FunctionConfigs(st.s, r.codeDir, r.gw.Endpoints(), cfg.DynamoDBEndpoint, cfg.Region)
	r.placeCode(st.s, cfg.Parameters, fns)
	first := firstNeeded(st.s)
	for i := range fns {
		fns[i].Interpreter = st.interpreters[fns[i].Name]
		fns[i].MaxConcurrency = concurrencyLimit(fns[i].MaxConcurrency, cfg.Concurrency, fns[i].MemoryMB)
		fns[i].WarmFirst = first[fns[i].Name]
	}
	addEndpointEnv(st.s, fns, r.gw.Endpoints(), r.trustEnv)
	r.svc.endpointEnv(fns)
	r.svc.resourceEnv(fns)
	grantEnv(st, fns)
	if err = r.pool.Replace(fns); err != nil {
		st.gate.fail(err)
		return fmt.Errorf("localrun: start functions: %w", err)
	}
	return nil
}

// warmFunctions starts a warm process per function: first those a client's
// connection waits for, then the others.
func warmFunctions(st *starting) error {
	if st.r.pool == nil {
		return nil
	}
	if err := st.r.pool.Warm(st.ctx); err != nil {
		return fmt.Errorf("localrun: start functions: %w", err)
	}
	return nil
}

// firstNeeded names the functions a connection waits for: its APIs'
// $connect handlers and authorizers.
func firstNeeded(s *model.Stack) map[string]bool {
	out := map[string]bool{}
	for _, a := range GatewayAPIs(s) {
		for _, rt := range a.Routes {
			if rt.Key == model.RouteConnect && rt.Target != nil {
				out[rt.Target.Function] = true
			}
		}
		if a.Authorizer != nil && a.Authorizer.Target != nil {
			out[a.Authorizer.Target.Function] = true
		}
	}
	return out
}

// Source files that may import the SDK, by language.
var (
	nodeSources   = []string{".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"}
	pythonSources = []string{".py"}
)

// Bounds of the look for SDK imports in a code folder.
const (
	sdkScanFiles    = 5000
	sdkScanFileSize = 1 << 20
)

// usesSDK reports whether a source file in dir (not in node_modules,
// hidden or cache folders) names one of the SDK's packages: the SDK is
// installed only for code that needs it, so a stack without SDK calls runs
// without network on a fresh machine. A folder too large to look through
// is taken to need it.
func usesSDK(dir string, exts []string, names ...string) bool {
	found, seen := false, 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != dir && (d.Name() == "node_modules" || d.Name() == "__pycache__" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !slices.Contains(exts, filepath.Ext(p)) {
			return nil
		}
		if seen++; seen > sdkScanFiles {
			found = true
			return filepath.SkipAll
		}
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		defer f.Close()
		b, _ := io.ReadAll(io.LimitReader(f, sdkScanFileSize))
		for _, n := range names {
			if bytes.Contains(b, []byte(n)) {
				found = true
				return filepath.SkipAll
			}
		}
		return nil
	})
	return found
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
			case g.API != nil:
				env[g.EnvName] = byAPI[g.API.ID].ConnectionsURL
			default:
				// A service's URL, ARN or name: set with the run's
				// services (resource_env.go).
			}
		}
		if dynamoEndpoint != "" {
			env["AWS_ENDPOINT_URL_DYNAMODB"] = dynamoEndpoint
		}
		env["AWS_ACCESS_KEY_ID"] = dummyAccessKey
		env["AWS_SECRET_ACCESS_KEY"] = dummySecretKey
		env["AWS_REGION"], env["AWS_DEFAULT_REGION"] = region, region
		out = append(out, lambdaemu.FunctionConfig{
			Name:           f.Name,
			Runtime:        f.Runtime,
			Handler:        f.Handler,
			CodeDir:        filepath.Join(codeDir, filepath.FromSlash(f.CodePath)),
			MemoryMB:       f.MemorySize,
			Timeout:        time.Duration(f.Timeout) * time.Second,
			Env:            env,
			MaxConcurrency: reservedConcurrency(f),
		})
	}
	return out
}

// concurrencyLimit is how many processes a function may run at once: the
// run's cap (--concurrency), or the machine's, and no more than the
// function's reserved concurrency (0 for none).
func concurrencyLimit(reserved, run, memoryMB int) int {
	limit := run
	if limit <= 0 {
		limit = lambdaemu.DefaultConcurrency(memoryMB)
	}
	if reserved > 0 && reserved < limit {
		return reserved
	}
	return limit
}

// reservedConcurrency is the function's ReservedConcurrentExecutions, which
// an imported template keeps among the properties Switchboard does not
// model, or 0. On AWS it caps the function's execution environments; here
// it caps its processes. A reservation of 0 (the function is switched off
// on AWS) is not honoured: a local run is for calling the function.
func reservedConcurrency(f *model.Function) int {
	for _, k := range f.Kept {
		if k.Part != model.PartMain {
			continue
		}
		for _, p := range k.Properties {
			if p.Key != "ReservedConcurrentExecutions" {
				continue
			}
			var n int
			if json.Unmarshal(p.Value, &n) == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
