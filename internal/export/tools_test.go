package export

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// requireTool skips the test when the command is not on PATH, unless
// SWITCHBOARD_REQUIRE_TOOLS=1 (set in CI) makes a missing tool a failure
// (miniflux skipIntegrationTestsMessage, STYLE.md §7).
func requireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s not on PATH, and SWITCHBOARD_REQUIRE_TOOLS=1 requires it", name)
	}
	t.Skipf("%s not on PATH; install it or set SWITCHBOARD_REQUIRE_TOOLS=1 in CI to make this fail", name)
	return ""
}

// runTool runs a command in dir with extra environment variables and returns
// its combined output and error.
func runTool(t testing.TB, dir string, env []string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// mustStartMoto starts moto_server for the deploy tests.
func mustStartMoto(t testing.TB) string {
	t.Helper()
	return testtool.StartMoto(t, "the deploy tests deploy templates to it")
}
