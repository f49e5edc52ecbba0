// Package testtool gives tests the outside programs they run for real:
// moto_server, Node.js and the AWS SDK for JavaScript. A test that needs
// one skips with one clear message where it is missing, except when
// SWITCHBOARD_REQUIRE_TOOLS=1 (set by .ci/run), where it fails, so that CI
// cannot pass by skipping.
package testtool

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// Require skips the test, or fails it under SWITCHBOARD_REQUIRE_TOOLS=1,
// saying what is missing and why the test needs it.
func Require(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
		tb.Fatal(msg + " (SWITCHBOARD_REQUIRE_TOOLS=1 requires it)")
	}
	tb.Skip(msg + "; install it, or set SWITCHBOARD_REQUIRE_TOOLS=1 to make this fail")
}

// Command returns the path of a program on PATH, or skips (see Require);
// why says what the test uses it for.
func Command(tb testing.TB, name, why string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Require(tb, "%s is not on PATH: %s", name, why)
	}
	return p
}

// NodeModules returns root's node_modules folder holding the AWS SDK for
// JavaScript v3 packages, or skips (see Require). Lambda's Node.js runtimes
// ship the SDK; here `npm ci` at the repository root installs it.
func NodeModules(tb testing.TB, root string, packages ...string) string {
	tb.Helper()
	Command(tb, "node", "the test runs real Node.js handlers")
	dir, err := filepath.Abs(filepath.Join(root, "node_modules"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, pkg := range packages {
		if _, err := os.Stat(filepath.Join(dir, "@aws-sdk", pkg, "package.json")); err != nil {
			Require(tb, "@aws-sdk/%s is not installed in %s: run npm ci at the repository root", pkg, dir)
		}
	}
	return dir
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func FreePort(tb testing.TB) int {
	tb.Helper()
	port, err := LoopbackPort()
	if err != nil {
		tb.Fatal(err)
	}
	return port
}

// LoopbackPort returns a TCP port on 127.0.0.1 that nothing listens on
// now, for a program to be started on it.
func LoopbackPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// MotoURLEnv names the URL of a moto_server that every test package
// shares: `make test` starts one (see sharedtools).
const MotoURLEnv = "SWITCHBOARD_MOTO_URL"

// StartMoto returns the URL of a moto_server, a local AWS API, for this test
// alone. With SWITCHBOARD_MOTO_URL set it is the shared moto behind a proxy
// that puts the test in an AWS account of its own (moto's
// x-moto-account-id), so tests that name their tables or stacks alike do
// not meet; else a moto_server started for the test and stopped when it
// ends.
func StartMoto(tb testing.TB, why string) string {
	tb.Helper()
	if shared := os.Getenv(MotoURLEnv); shared != "" {
		return motoAccount(tb, shared)
	}
	Command(tb, "moto_server", why)
	url, stop, err := StartMotoServer(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return url
}

// StartMotoServer starts moto_server on a free loopback port, logging into
// dir, and returns its URL once it answers, and how to stop it.
func StartMotoServer(dir string) (url string, stop func(), err error) {
	port, err := LoopbackPort()
	if err != nil {
		return "", nil, err
	}
	// A file, not a buffer, so reading the log while moto runs is no race.
	logPath := filepath.Join(dir, "moto.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", nil, err
	}
	defer logFile.Close()
	cmd := exec.Command("moto_server", "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start moto_server: %w", err)
	}
	stop = func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	url = "http://127.0.0.1:" + strconv.Itoa(port)
	// moto has no readiness signal but answering; poll it.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			out, _ := os.ReadFile(logPath)
			return "", nil, fmt.Errorf("moto_server did not answer on %s within 30s: %v\n%s", url, err, out)
		}
	}
}

// motoAccounts numbers the accounts this test binary gives its tests; the
// process ID keeps two binaries apart.
var motoAccounts atomic.Int64

// motoAccount serves the test a proxy to the shared moto in an account of
// its own.
func motoAccount(tb testing.TB, shared string) string {
	tb.Helper()
	target, err := url.Parse(shared)
	if err != nil {
		tb.Fatalf("%s: %v", MotoURLEnv, err)
	}
	account := fmt.Sprintf("%06d%06d", os.Getpid()%1_000_000, motoAccounts.Add(1))
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host // as NewSingleHostReverseProxy did: SigV4 signed this Host
		r.Out.Header.Set("x-moto-account-id", account)
	}}
	srv := httptest.NewServer(proxy)
	tb.Cleanup(srv.Close)
	return srv.URL
}
