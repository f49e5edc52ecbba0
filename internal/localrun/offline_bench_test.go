package localrun

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// serverlessOfflineVersion is the release the side-by-side benchmark is
// pinned to (testdata/serverless-offline/package.json).
const serverlessOfflineVersion = "13.10.1"

// BenchmarkVersusServerlessOffline runs the echo example's handler on
// Switchboard's local run and on serverless-offline (the Serverless
// Framework's emulator, in its default mode: worker threads) at once, on
// the same machine, and loads each in turn with the same client: round
// trips per second and p99 at 50 connections, p99 at one. Both APIs have
// the echo function on $connect too, since serverless-offline refuses
// connections to an API without a $connect route. serverless-offline's
// function gets API Gateway's longest integration timeout, 29 s: with the
// Framework's default 6 s its $connect calls failed (502) on a machine at
// load 28-30, and the benchmark measures throughput, not that. It also
// reports each one's start-up to its first accepted connection.
//
// serverless-offline is not a dependency of the repository; the benchmark
// skips without it. Install the pinned versions with
//
//	npm ci --prefix internal/localrun/testdata/serverless-offline
//
// or put them in the repository's node_modules (npm install --no-save
// serverless-offline@13.10.1 serverless@3.40.0).
func BenchmarkVersusServerlessOffline(b *testing.B) {
	MustSDK(b)
	modules := serverlessOffline(b)

	s, err := model.Example("echo", "echo")
	if err != nil {
		b.Fatal(err)
	}
	fn := s.Functions[0]
	name, code := export.Scaffold(s, fn) // the echo handler, before $connect is added
	s.APIs[0].Routes = append(s.APIs[0].Routes, &model.Route{ID: "rt9", Key: model.RouteConnect})
	s.Wires = append(s.Wires, &model.Wire{ID: "w9", Kind: model.WireIntegration, From: "rt9", To: fn.ID})

	root := b.TempDir()
	MustWrite(b, root, map[string]string{filepath.ToSlash(filepath.Join(fn.CodePath, name)): string(code)})
	t0 := time.Now()
	r := MustRun(b, Config{Stack: s, CodeDir: root})
	sbURL := r.Endpoints()[0].URL
	c, err := wsload.Dial(context.Background(), sbURL)
	if err != nil {
		b.Fatal(err)
	}
	sbStart := time.Since(t0)
	_ = c.Close()

	service := b.TempDir()
	MustWrite(b, service, map[string]string{
		name: string(code),
		"serverless.yml": fmt.Sprintf(`service: echo
frameworkVersion: '3'
provider:
  name: aws
  runtime: nodejs20.x
plugins:
  - serverless-offline
functions:
  %s:
    handler: %s
    timeout: 29
    events:
      - websocket:
          route: $connect
      - websocket:
          route: test
          routeResponseSelectionExpression: $default
`, fn.Name, fn.Handler),
	})
	if err := os.Symlink(modules, filepath.Join(service, "node_modules")); err != nil {
		b.Fatal(err)
	}
	soURL, soStart := startServerlessOffline(b, service, modules)

	msg := []byte(`{"action":"test","data":"hello"}`)
	run := func(url string, conns, messages int) wsload.Result {
		res, err := wsload.Run(context.Background(), url, conns, messages, msg)
		if err != nil {
			b.Fatalf("%s: %v", url, err)
		}
		return res
	}
	// Warm: each scales out to what 50 connections make it.
	for _, url := range []string{sbURL, soURL} {
		run(url, 50, 1000)
	}
	// Summed over the iterations: on a shared machine one short run of
	// each says more about the neighbours' load at that moment than
	// about the emulators.
	var sb50, so50, sb1, so1 wsload.Result
	for b.Loop() {
		sb50.Add(run(sbURL, 50, 2000))
		so50.Add(run(soURL, 50, 2000))
		sb1.Add(run(sbURL, 1, 500))
		so1.Add(run(soURL, 1, 500))
	}
	b.ReportMetric(sb50.PerSecond(), "sb-50conn-msgs/s")
	b.ReportMetric(so50.PerSecond(), "so-50conn-msgs/s")
	b.ReportMetric(sb50.PerSecond()/so50.PerSecond(), "sb/so-50conn-throughput")
	b.ReportMetric(float64(sb50.Percentile(99).Microseconds())/1000, "sb-50conn-p99-ms")
	b.ReportMetric(float64(so50.Percentile(99).Microseconds())/1000, "so-50conn-p99-ms")
	b.ReportMetric(float64(sb1.Percentile(99).Microseconds()), "sb-1conn-p99-µs")
	b.ReportMetric(float64(so1.Percentile(99).Microseconds()), "so-1conn-p99-µs")
	b.ReportMetric(float64(sbStart.Milliseconds()), "sb-start-ms")
	b.ReportMetric(float64(soStart.Milliseconds()), "so-start-ms")
}

// serverlessOffline returns the node_modules folder holding the pinned
// serverless-offline and the Serverless Framework it plugs into, or skips.
func serverlessOffline(tb testing.TB) string {
	tb.Helper()
	for _, dir := range []string{"testdata/serverless-offline/node_modules", "../../node_modules"} {
		var pkg struct{ Version string }
		data, err := os.ReadFile(filepath.Join(dir, "serverless-offline", "package.json"))
		if err != nil || json.Unmarshal(data, &pkg) != nil || pkg.Version != serverlessOfflineVersion {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "serverless", "bin", "serverless.js")); err != nil {
			continue
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			tb.Fatal(err)
		}
		return abs
	}
	tb.Skipf("serverless-offline %s is not installed: npm ci --prefix internal/localrun/testdata/serverless-offline", serverlessOfflineVersion)
	return ""
}

// startServerlessOffline runs `serverless offline start` in the service
// folder on free ports until the benchmark ends, and returns its WebSocket
// URL and how long it took to accept a first connection.
func startServerlessOffline(tb testing.TB, service, modules string) (string, time.Duration) {
	tb.Helper()
	ws, httpPort, lambdaPort := testtool.FreePort(tb), testtool.FreePort(tb), testtool.FreePort(tb)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "node", filepath.Join(modules, "serverless", "bin", "serverless.js"), "offline", "start",
		"--websocketPort", strconv.Itoa(ws), "--httpPort", strconv.Itoa(httpPort), "--lambdaPort", strconv.Itoa(lambdaPort))
	cmd.Dir = service
	// No telemetry or update checks: the benchmark measures the emulator.
	cmd.Env = append(os.Environ(), "SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off", "SLS_DEPRECATION_DISABLE=*")
	// A file, not a pipe: no goroutine of this process copies its output
	// while it is being measured.
	logPath := filepath.Join(tb.TempDir(), "offline.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	out := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("serverless offline: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	tb.Cleanup(func() {
		cancel()
		<-exited
	})
	url := "ws://127.0.0.1:" + strconv.Itoa(ws)
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := wsload.Dial(context.Background(), url)
		if err == nil {
			d := time.Since(t0)
			_ = c.Close()
			return url, d
		}
		select {
		case <-exited:
			tb.Fatalf("serverless offline exited:\n%s", out())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("serverless offline accepted no connection within 60s: %v\n%s", err, out())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
