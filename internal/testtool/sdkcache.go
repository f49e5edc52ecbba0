package testtool

import (
	"fmt"
	"os"
	"path/filepath"
)

// SharedSDKCache returns the AWS SDK cache (SWITCHBOARD_SDK_CACHE) that
// test runs on this machine share, under the user's cache folder. The first
// test that needs the SDK installs the pinned set there, as a run does on
// first need, and every later test and `make test` reuses it: an install
// costs seconds of npm, and its folder is named after a hash of the pinned
// lockfile, so a new pin installs beside the old. A test of the install
// itself (lambdaemu's, and the first-contact browser test) uses an empty
// folder of its own instead.
func SharedSDKCache() (string, error) {
	var bases []string
	if base, err := os.UserCacheDir(); err == nil {
		bases = append(bases, base)
	}
	// A machine whose home is read-only (some CI) still shares one.
	bases = append(bases, filepath.Join(os.TempDir(), fmt.Sprintf("switchboard-test-%d", os.Getuid())))
	var err error
	for _, base := range bases {
		dir := filepath.Join(base, "switchboard-test", "sdk")
		if err = os.MkdirAll(dir, 0o755); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("the tests' shared SDK cache: %w", err)
}
