package localrun

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
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
	r.placeCode(st.s, cfg.Parameters, fns)
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
