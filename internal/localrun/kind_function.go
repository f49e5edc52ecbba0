package localrun

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/tempdir"
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

// prepareCode finds each function's code folder, writing the scaffolds to
// a temporary folder when the run names none, and refuses handlers that are
// missing or lie outside their folders.
func prepareCode(st *starting) (err error) {
	r, s, cfg := st.r, st.s, st.cfg
	r.codeDir = cfg.CodeDir
	if r.codeDir == "" {
		if r.tmp, err = tempdir.Make("switchboard-run"); err != nil {
			return fmt.Errorf("localrun: %w", err)
		}
		r.codeDir = r.tmp
		written, err := export.WriteScaffolds(r.tmp, s)
		if err != nil {
			return fmt.Errorf("localrun: scaffolds: %w", err)
		}
		if cfg.NodePath == "" && importsSDK(r.tmp, written) {
			// Lambda's Node.js runtimes provide the SDK; here it must be
			// installed somewhere and named, or those handlers fail to load.
			st.logger.WarnContext(st.ctx, "the starter handlers import the AWS SDK for JavaScript v3 but no node_modules folder holding it was given; they will fail to load",
				slog.String("fix", "npm install @aws-sdk/client-dynamodb @aws-sdk/client-apigatewaymanagementapi, then pass its node_modules folder"))
		}
	} else if err := checkCodeFolders(r.codeDir, s); err != nil {
		return err
	}
	folders := make(map[string]string, len(s.Functions))
	for _, f := range s.Functions {
		folders[f.Name] = filepath.Join(r.codeDir, filepath.FromSlash(f.CodePath))
	}
	problems, err := checkHandlerFiles(s, folders)
	if err != nil {
		return err
	}
	return refuse(s, problems)
}

// serveFunctions starts a warm process per function, with the gateway's
// endpoints in their environment; the gateway's waiting invocations fail
// if they cannot start.
func serveFunctions(st *starting) (err error) {
	r, cfg := st.r, st.cfg
	r.pool, err = lambdaemu.New(st.ctx, st.logger, lambdaemu.Options{OnLog: cfg.OnLog, Node: cfg.Node, NodePath: cfg.NodePath, Region: cfg.Region})
	if err != nil {
		st.gate.fail(err)
		return err
	}
	fns := FunctionConfigs(st.s, r.codeDir, r.gw.Endpoints(), cfg.DynamoDBEndpoint, cfg.Region)
	addEndpointEnv(st.s, fns, r.gw.Endpoints(), r.trustEnv)
	if err = r.pool.Start(st.ctx, fns); err != nil {
		st.gate.fail(err)
		return fmt.Errorf("localrun: start functions: %w", err)
	}
	return nil
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
