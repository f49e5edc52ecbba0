package localrun

import (
	"fmt"
	"os"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestMain gives the package's runs the SDK cache the machine's tests
// share (testtool.SharedSDKCache): the first run whose code imports the
// AWS SDK on a fresh machine installs it there, from npm's cache only
// (`npm ci` at the repository root put the pinned versions there), never
// from the network, and later runs reuse it, as a user's do.
func TestMain(m *testing.M) {
	dir, err := testtool.SharedSDKCache()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(lambdaemu.SDKCacheEnv, dir)
	os.Setenv("npm_config_offline", "true")
	os.Exit(m.Run())
}
