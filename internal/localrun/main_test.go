package localrun

import (
	"fmt"
	"os"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
)

// TestMain gives the package's runs an SDK cache of their own, empty at
// first: the first run whose code imports the AWS SDK installs it, as on a
// fresh machine, from npm's cache only (`npm ci` at the repository root
// put the pinned versions there), never from the network.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "switchboard-sdk-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(lambdaemu.SDKCacheEnv, dir)
	os.Setenv("npm_config_offline", "true")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
