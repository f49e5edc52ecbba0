package localrun

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// sdkStack is echoStack with a handler that uses the AWS SDK for
// JavaScript v3, as the chat example's handlers do.
func sdkStack(tb testing.TB, id int64) Config {
	tb.Helper()
	cfg := echoStack(tb, id)
	MustWrite(tb, cfg.CodeDir, map[string]string{"functions/echo/index.js": `const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { ApiGatewayManagementApiClient } = require("@aws-sdk/client-apigatewaymanagementapi");
exports.handler = async (event) => {
  console.log("got " + event.body);
  return { statusCode: 200, body: "sdk:" + typeof DynamoDBClient + "," + typeof ApiGatewayManagementApiClient };
};
`})
	return cfg
}

// feedLogs returns the run's feed log items.
func feedLogs(tb testing.TB, run *Run) []feedLog {
	items, _, _ := run.Feed().Since(0)
	var out []feedLog
	for _, it := range items {
		var l feedLog
		if json.Unmarshal(it.JSON, &l) == nil && l.Type == "log" {
			out = append(out, l)
		}
	}
	return out
}

// TestRunInstallsSDKOnFirstNeed: a stack that imports no AWS SDK installs
// nothing. The first run of one whose handler imports it, with an empty
// SDK cache and no --node-modules, installs it, saying so on the feed
// (kind setup) and through OnProgress; here npm reaches only a registry
// that does not answer, so the run goes on and warns how to get the SDK
// (lambdaemu's TestNodeSDKInstallsOnceAndHandlersImportIt and the
// first-contact browser test install it for real into an empty cache). A
// run whose cache holds the SDK (the machine's test cache, TestMain's)
// reuses it without a word, and its handler imports it. START/END/REPORT
// lines reach the feed with kind platform, the handler's own lines with
// kind function.
func TestRunInstallsSDKOnFirstNeed(t *testing.T) {
	t.Parallel() // waits on npm, pip and node processes much of the time
	MustSDK(t)
	empty := t.TempDir()
	m := NewManager(nil)
	t.Cleanup(m.StopAll)

	plain := echoStack(t, 1)
	plain.SDK.CacheDir = empty
	if _, err := m.Start(context.Background(), plain); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Fatalf("a stack that imports no SDK installed it: %v", entries)
	}

	var progress []string
	onProgress := func(s string) {
		if !strings.HasPrefix(s, "warning: function Echo: runtime nodejs") { // the local node's version
			progress = append(progress, s)
		}
	}
	// Its handler requires the SDK when called, so the run starts without it.
	first := echoStack(t, 2)
	MustWrite(t, first.CodeDir, map[string]string{"functions/echo/index.js": `exports.handler = async () => {
  const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
  return { statusCode: 200, body: typeof DynamoDBClient };
};
`})
	first.SDK.CacheDir = empty
	first.SDK.Env = []string{"npm_config_cache=" + t.TempDir(), "npm_config_registry=http://127.0.0.1:1/", "npm_config_offline=false"}
	first.OnProgress = onProgress
	run, err := m.Start(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) != 2 || !strings.Contains(progress[0], "installing the AWS SDK for JavaScript v3") ||
		!strings.HasPrefix(progress[1], "warning: ") || !strings.Contains(progress[1], "`switchboard sdk install`") {
		t.Fatalf("progress = %q, want the install and, as it failed, how to get the SDK", progress)
	}
	setup := 0
	for _, l := range feedLogs(t, run) {
		if (strings.HasPrefix(l.Text, "installing") || strings.Contains(l.Text, "`switchboard sdk install`")) && l.Kind == "setup" {
			setup++
		}
	}
	if setup != 2 {
		t.Errorf("the feed has %d of the install's 2 lines with kind setup: %v", setup, feedLogs(t, run))
	}
	if err := m.Stop(2); err != nil {
		t.Fatal(err)
	}

	progress = nil
	cfg := sdkStack(t, 3) // in TestMain's cache, which holds the SDK after the first install
	cfg.OnProgress = onProgress
	if _, err := lambdaemu.NodeSDK(context.Background(), cfg.SDK); err != nil {
		t.Fatal(err)
	}
	run, err = m.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) != 0 {
		t.Fatalf("a run with the SDK cached: progress %q, want the cached SDK reused silently", progress)
	}
	c, err := wsload.Dial(context.Background(), run.Endpoints()[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := c.RoundTrip([]byte("hi")); err != nil || string(got) != "sdk:function,function" {
		t.Fatalf("reply %q, %v", got, err)
	}
	kinds := map[string]string{}
	deadline := time.Now().Add(10 * time.Second)
	// The handler's line comes through its stdout, REPORT from the
	// Runtime API: either may reach the feed first.
	for (kinds["REPORT"] == "" || kinds["got"] == "") && time.Now().Before(deadline) {
		for _, l := range feedLogs(t, run) {
			switch {
			case strings.HasPrefix(l.Text, "got hi"):
				kinds["got"] = l.Kind
			case strings.HasPrefix(l.Text, "START"), strings.HasPrefix(l.Text, "REPORT"):
				kinds[l.Text[:strings.IndexByte(l.Text, ' ')]] = l.Kind
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	want := map[string]string{"got": "function", "START": "platform", "REPORT": "platform"}
	for k, v := range want {
		if kinds[k] != v {
			t.Errorf("feed kind of %s line = %q, want %q", k, kinds[k], v)
		}
	}
}

// TestReservedConcurrency: an imported function's
// ReservedConcurrentExecutions caps its processes.
func TestReservedConcurrency(t *testing.T) {
	t.Parallel()
	s, err := model.Example("echo", "echo")
	if err != nil {
		t.Fatal(err)
	}
	f := s.Functions[0]
	if got := FunctionConfigs(s, "/code", nil, "", "us-east-1")[0].MaxConcurrency; got != 0 {
		t.Fatalf("without a reservation: %d", got)
	}
	f.Kept = []model.Kept{{Properties: []model.Field{{Key: "ReservedConcurrentExecutions", Value: json.RawMessage("3")}}}}
	if got := FunctionConfigs(s, "/code", nil, "", "us-east-1")[0].MaxConcurrency; got != 3 {
		t.Fatalf("reserved 3: %d", got)
	}
}

// TestConcurrencyLimit: --concurrency sets the cap, a reservation lowers
// it, and without either the machine decides.
func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	machine := lambdaemu.DefaultConcurrency(128)
	for _, c := range []struct{ reserved, run, want int }{{0, 0, machine}, {0, 40, 40}, {3, 40, 3}, {50, 40, 40}, {1, 0, 1}} {
		if got := concurrencyLimit(c.reserved, c.run, 128); got != c.want {
			t.Errorf("reserved %d, --concurrency %d: %d, want %d", c.reserved, c.run, got, c.want)
		}
	}
}

// TestRunPicksTheRuntimesNode: with node24 on PATH, a nodejs24.x function
// runs on it without a warning; with only a node of another version, the
// run warns once, naming the functions and the fix.
func TestRunPicksTheRuntimesNode(t *testing.T) {
	real := testtool.Command(t, "node", "the handler runs on Node.js")
	bin := t.TempDir()
	fake := func(name, version string) {
		script := "#!/bin/sh\nif [ \"$1\" = --version ]; then echo " + version + "; exit 0; fi\nexport FAKE_NODE=" + name + "\nexec " + real + " \"$@\"\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fake("node", "v18.20.0")
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	run := func() ([]string, string) {
		cfg := echoStack(t, 1)
		MustWrite(t, cfg.CodeDir, map[string]string{"functions/echo/index.js": `exports.handler = async () => ({ statusCode: 200, body: process.env.FAKE_NODE });`})
		var progress []string
		cfg.OnProgress = func(s string) { progress = append(progress, s) }
		r := MustRun(t, cfg)
		c := MustDial(t, r, "")
		MustSend(t, c, "which")
		return progress, MustRead(t, c)
	}
	progress, ran := run()
	if ran != "node" || len(progress) != 1 || !strings.Contains(progress[0], "function Echo: runtime nodejs24.x runs on the local node v18.20.0") || !strings.Contains(progress[0], "node24") {
		t.Fatalf("ran on %q, progress %q; want node with one warning naming the fix", ran, progress)
	}
	fake("node24", "v24.1.0")
	if progress, ran := run(); ran != "node24" || len(progress) != 0 {
		t.Fatalf("ran on %q, progress %q; want node24 without a warning", ran, progress)
	}
}
