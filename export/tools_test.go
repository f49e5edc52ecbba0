package export

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
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

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// mustStartMoto starts moto_server on a free port, waits until it answers,
// stops it when the test ends, and returns its endpoint URL.
func mustStartMoto(t testing.TB) string {
	t.Helper()
	requireTool(t, "moto_server")
	port := freePort(t)
	cmd := exec.Command("moto_server", "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// A file, not a buffer, so reading the log while moto runs is no race.
	logPath := filepath.Join(t.TempDir(), "moto.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logPath)
			t.Fatalf("moto_server did not answer on %s within 30s: %v\n%s", url, err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
