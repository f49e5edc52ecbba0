package localrun

import (
	"context"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
)

// API Gateway's timeouts, the defaults of a run's gateway.
const (
	DefaultIdleTimeout        = apigw.DefaultIdleTimeout
	DefaultMaxLifetime        = apigw.DefaultMaxLifetime
	DefaultIntegrationTimeout = apigw.DefaultIntegrationTimeout
)

// SDKCacheEnv names the environment variable that moves the cache of the
// AWS SDK that runs provide to their functions.
const SDKCacheEnv = lambdaemu.SDKCacheEnv

// NodeSDK installs, unless cached, the AWS SDK for JavaScript v3 that
// Lambda's Node.js runtimes provide and returns its node_modules folder.
func NodeSDK(ctx context.Context, o SDKOptions) (string, error) { return lambdaemu.NodeSDK(ctx, o) }

// PythonSDK installs, unless cached, the boto3 that Lambda's Python
// runtimes provide and returns its folder ("" when the interpreter's own
// boto3 stands in).
func PythonSDK(ctx context.Context, o SDKOptions) (string, error) {
	return lambdaemu.PythonSDK(ctx, o)
}
