package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// offlineNPM makes npm use only its own cache, so a test never reaches a
// registry: `npm ci` at the repository root (CI does it) put the pinned
// SDK there.
var offlineNPM = []string{"npm_config_offline=true"}

// unreachableNPM is a fresh machine without network: an empty npm cache
// and a registry nothing answers on.
func unreachableNPM(tb testing.TB) []string {
	return []string{"npm_config_cache=" + tb.TempDir(), "npm_config_registry=http://127.0.0.1:1/", "npm_config_offline=false"}
}

func mustNPM(tb testing.TB) {
	tb.Helper()
	testtool.Command(tb, "npm", "the SDK is installed with npm, which comes with Node.js")
	MustNode(tb)
}

// TestSDKPinIsTheRepositoryLock checks that the pinned SDK set is the one
// package.json pins for the tests and that its lock resolves every package
// as the repository's lock does, so `npm ci` at the root fills npm's cache
// with exactly what an offline install of the set needs.
func TestSDKPinIsTheRepositoryLock(t *testing.T) {
	var repo struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	readJSON(t, "../../package.json", &repo)
	var want []string
	for name, v := range repo.DevDependencies {
		if strings.HasPrefix(name, "@aws-sdk/") {
			want = append(want, name+"@"+v)
		}
	}
	slices.Sort(want)
	if got := NodeSDKPackages(); !slices.Equal(got, want) {
		t.Fatalf("pinned SDK %v, package.json's devDependencies %v: keep them the same", got, want)
	}
	type lock struct {
		Packages map[string]struct {
			Version   string `json:"version"`
			Integrity string `json:"integrity"`
		} `json:"packages"`
	}
	var pin, root lock
	readJSON(t, "sdk/node/package-lock.json", &pin)
	readJSON(t, "../../package-lock.json", &root)
	if len(pin.Packages) < 10 {
		t.Fatalf("the pinned lock lists %d packages", len(pin.Packages))
	}
	for path, p := range pin.Packages {
		if path == "" {
			continue
		}
		r, ok := root.Packages[path]
		if !ok || r.Version != p.Version || r.Integrity != p.Integrity {
			t.Errorf("%s: pinned %s %s, the repository's lock has %s %s", path, p.Version, p.Integrity, r.Version, r.Integrity)
		}
	}
}

func readJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

// TestNodeSDKInstallsOnceAndHandlersImportIt installs the pinned SDK into an
// empty cache, as a run does on first need, with progress; the second call
// reuses the folder; a handler imports and uses the SDK from it with both
// import and require, and a function's own node_modules wins over it.
func TestNodeSDKInstallsOnceAndHandlersImportIt(t *testing.T) {
	t.Parallel() // waits on npm, pip and node processes much of the time
	mustNPM(t)
	cache := t.TempDir()
	var progress []string
	o := SDKOptions{CacheDir: cache, Env: offlineNPM, Progress: func(s string) { progress = append(progress, s) }}
	dir, err := NodeSDK(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dir, cache) || filepath.Base(dir) != "node_modules" {
		t.Fatalf("SDK in %s, want a node_modules folder under %s", dir, cache)
	}
	if len(progress) != 2 || !strings.Contains(progress[0], "@aws-sdk/client-dynamodb@") || !strings.Contains(progress[1], "installed") {
		t.Fatalf("progress = %q", progress)
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 {
		t.Fatalf("cache holds %d entries, want only the installed set (no temporary folder left)", len(entries))
	}
	progress = nil
	again, err := NodeSDK(context.Background(), o)
	if err != nil || again != dir || len(progress) != 0 {
		t.Fatalf("second call: %s, %v, progress %q; want the same folder, reused silently", again, err, progress)
	}

	uses := nodeFunction(t, "UsesSDK", map[string]string{
		"index.mjs": `import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { ApiGatewayManagementApiClient } = require("@aws-sdk/client-apigatewaymanagementapi");
export const handler = async () => ({
  client: typeof new DynamoDBClient({}).send,
  command: new ListTablesCommand({}).constructor.name,
  marshalled: marshall({ n: 1 }),
  mgmt: typeof ApiGatewayManagementApiClient,
});
`})
	own := nodeFunction(t, "OwnSDK", map[string]string{
		"index.mjs": `import { mark } from "@aws-sdk/client-dynamodb";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
export const handler = async () => ({ imported: mark, required: require("@aws-sdk/client-dynamodb").mark });
`,
		"node_modules/@aws-sdk/client-dynamodb/package.json": `{"name":"@aws-sdk/client-dynamodb","version":"3.0.0-own","main":"index.js"}`,
		"node_modules/@aws-sdk/client-dynamodb/index.js":     `exports.mark = "the function's own";`,
	})
	p := MustPool(t, Options{NodePath: dir}, uses, own)
	got := MustInvoke[map[string]any](t, p, "UsesSDK", map[string]any{})
	if got["client"] != "function" || got["command"] != "ListTablesCommand" || got["mgmt"] != "function" {
		t.Fatalf("handler using the SDK got %v", got)
	}
	if m, _ := got["marshalled"].(map[string]any); m == nil || m["n"] == nil {
		t.Fatalf("marshall from util-dynamodb gave %v", got["marshalled"])
	}
	if got := MustInvoke[map[string]any](t, p, "OwnSDK", map[string]any{}); got["imported"] != "the function's own" || got["required"] != "the function's own" {
		t.Fatalf("a function's own node_modules must win over the SDK cache: %v", got)
	}

	// A client Lambda provides but the pinned set lacks: the error says
	// how to get it.
	s3 := nodeFunction(t, "UsesS3", map[string]string{"index.mjs": `import { S3Client } from "@aws-sdk/client-s3";
export const handler = async () => typeof S3Client;
`})
	p2, err := New(context.Background(), nil, Options{NodePath: dir, InitTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if err := p2.Start(context.Background(), []FunctionConfig{s3}); err == nil || !strings.Contains(err.Error(), "npm install @aws-sdk/client-s3") {
		t.Fatalf("start = %v, want the hint to install @aws-sdk/client-s3 in the function's folder", err)
	}
}

// TestNodeSDKWithoutNetwork: on a machine that never installed the SDK and
// cannot reach a registry, the install fails with a message naming what is
// missing and the command that fixes it, leaves nothing in the cache, and a
// handler importing the SDK fails to start with that message.
func TestNodeSDKWithoutNetwork(t *testing.T) {
	t.Parallel() // waits on npm, pip and node processes much of the time
	mustNPM(t)
	cache := t.TempDir()
	_, err := NodeSDK(context.Background(), SDKOptions{CacheDir: cache, Env: unreachableNPM(t)})
	if !errors.Is(err, ErrSDKMissing) {
		t.Fatalf("err = %v, want ErrSDKMissing", err)
	}
	for _, want := range []string{"@aws-sdk/client-dynamodb@3.", "@aws-sdk/client-apigatewaymanagementapi@3.", "`switchboard sdk install`", "--node-modules", "npm ci failed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %q", err, want)
		}
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Fatalf("a failed install left %d entries in the cache", len(entries))
	}

	fn := nodeFunction(t, "NeedsSDK", map[string]string{
		"index.mjs": `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
export const handler = async () => typeof DynamoDBClient;
`})
	p, perr := New(context.Background(), nil, Options{NodeSDKMissing: err, InitTimeout: time.Minute})
	if perr != nil {
		t.Fatal(perr)
	}
	defer p.Close()
	serr := p.Start(context.Background(), []FunctionConfig{fn})
	var fe *FunctionError
	if !errors.As(serr, &fe) || !errors.Is(serr, ErrInit) {
		t.Fatalf("start = %v, want an init error", serr)
	}
	if !strings.Contains(fe.Message, "Cannot find package '@aws-sdk/client-dynamodb'") || !strings.Contains(fe.Message, "`switchboard sdk install`") {
		t.Fatalf("init error %q does not say what is missing and how to fix it", fe.Message)
	}
}

// TestInstallIntoRace: installs of one set racing (two runs starting at
// once, in two processes) both succeed and leave the one folder.
func TestInstallIntoRace(t *testing.T) {
	final := filepath.Join(t.TempDir(), "node-0123")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			errs[i] = installInto(final, func(tmp string) error {
				return os.WriteFile(filepath.Join(tmp, "marker"), []byte("x"), 0o644)
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(final))
	if len(entries) != 1 || entries[0].Name() != "node-0123" {
		t.Fatalf("cache holds %v, want only the final folder", entries)
	}
	if _, err := os.Stat(filepath.Join(final, "marker")); err != nil {
		t.Fatal(err)
	}
}

// pythonWithout returns a python3 that cannot import module, or skips.
func pythonWithout(tb testing.TB, module string) string {
	tb.Helper()
	for _, name := range []string{"/usr/bin/python3", "python3"} {
		p, err := exec.LookPath(name)
		if err == nil && exec.Command(p, "-c", "import "+module).Run() != nil {
			return p
		}
	}
	testtool.Require(tb, "no python3 without %s on this machine", module)
	return ""
}

// TestPythonSDKWithoutNetwork: pip cannot reach an index; an interpreter
// without boto3 gets the message naming the fix, one with boto3 uses its
// own, saying so.
func TestPythonSDKWithoutNetwork(t *testing.T) {
	t.Parallel() // waits on npm, pip and node processes much of the time
	offline := []string{"PIP_INDEX_URL=http://127.0.0.1:1/simple", "PIP_FIND_LINKS=", "PIP_NO_INDEX="}
	bare := pythonWithout(t, "boto3")
	_, err := PythonSDK(context.Background(), SDKOptions{CacheDir: t.TempDir(), Python: bare, Env: offline})
	if !errors.Is(err, ErrSDKMissing) || !strings.Contains(err.Error(), "boto3==") || !strings.Contains(err.Error(), "`switchboard sdk install`") {
		t.Fatalf("err = %v, want ErrSDKMissing naming boto3 and the command", err)
	}
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		return
	}
	var progress []string
	dir, err := PythonSDK(context.Background(), SDKOptions{CacheDir: t.TempDir(), Env: offline, Progress: func(s string) { progress = append(progress, s) }})
	if err != nil || dir != "" {
		t.Fatalf("with the interpreter's boto3: %q, %v", dir, err)
	}
	if last := progress[len(progress)-1]; !strings.Contains(last, "using the boto3") {
		t.Fatalf("progress %q does not say which boto3 stands in", progress)
	}
}

// TestPythonOwnPackagesWin: a package vendored in the function's folder
// (pip install -r requirements.txt -t .) wins over the SDK folder on
// PYTHONPATH, as /var/task comes before the runtime's boto3 on Lambda.
func TestPythonOwnPackagesWin(t *testing.T) {
	t.Parallel()
	sdk := t.TempDir()
	MustWrite(t, sdk, map[string]string{"boto3/__init__.py": `__version__ = "from the SDK cache"`})
	handler := `import boto3
def handler(event, context):
    return boto3.__version__
`
	own := pythonFunction(t, "Own", map[string]string{"app.py": handler, "boto3/__init__.py": `__version__ = "the function's own"`})
	cached := pythonFunction(t, "Cached", map[string]string{"app.py": handler})
	p := MustPool(t, Options{PythonPath: sdk}, own, cached)
	if got := MustInvoke[string](t, p, "Own", map[string]any{}); got != "the function's own" {
		t.Fatalf("own = %q", got)
	}
	if got := MustInvoke[string](t, p, "Cached", map[string]any{}); got != "from the SDK cache" {
		t.Fatalf("cached = %q", got)
	}
}

// wheelScript builds a wheel of each named distribution from the files
// the interpreter running it has installed: a local package index for a
// machine that cannot reach one (these are pure Python).
const wheelScript = `import sys, zipfile, os
from importlib.metadata import distribution
out = sys.argv[1]
for req in sys.argv[2:]:
    d = distribution(req.split("==")[0])
    if d.version != req.split("==")[1]:
        sys.exit("%s is installed at %s" % (req, d.version))
    base = str(d.locate_file(""))
    name = "%s-%s-py3-none-any.whl" % (d.metadata["Name"].replace("-", "_"), d.version)
    with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_STORED) as z:
        for f in d.files:
            s = str(f)
            if s.startswith("..") or "__pycache__" in s or s.endswith(".pyc"):
                continue
            if os.path.isfile(os.path.join(base, s)):
                z.write(os.path.join(base, s), s)
`

// TestPythonSDKInstallsBoto3: the pinned boto3 set installs with pip
// --target into the cache (from a local wheel folder, as this machine
// reaches no Python package index), and a handler on an interpreter that
// has no boto3 of its own imports it from there and makes a client.
func TestPythonSDKInstallsBoto3(t *testing.T) {
	t.Parallel() // waits on npm, pip and node processes much of the time
	bare := pythonWithout(t, "boto3")
	if exec.Command(bare, "-m", "pip", "--version").Run() != nil {
		testtool.Require(t, "%s has no pip", bare)
	}
	wheels := t.TempDir()
	if out, err := exec.Command("python3", append([]string{"-c", wheelScript, wheels}, PythonSDKPackages()...)...).CombinedOutput(); err != nil {
		t.Skipf("no python3 with the pinned boto3 set to build wheels from: %v %s", err, out)
	}
	cache := t.TempDir()
	var progress []string
	dir, err := PythonSDK(context.Background(), SDKOptions{CacheDir: cache, Python: bare,
		Env:      []string{"PIP_NO_INDEX=1", "PIP_FIND_LINKS=" + wheels},
		Progress: func(s string) { progress = append(progress, s) }})
	if err != nil || !strings.HasPrefix(dir, cache) {
		t.Fatalf("PythonSDK = %q, %v", dir, err)
	}
	if len(progress) != 2 || !strings.Contains(progress[0], "boto3==") {
		t.Fatalf("progress = %q", progress)
	}
	fn := pythonFunction(t, "Boto", map[string]string{"app.py": `import boto3
def handler(event, context):
    c = boto3.client("dynamodb", region_name="us-east-1")
    return [boto3.__version__, c.meta.service_model.service_name, boto3.__file__]
`})
	fn.Interpreter = bare
	p := MustPool(t, Options{PythonPath: dir}, fn)
	got := MustInvoke[[]string](t, p, "Boto", map[string]any{})
	if want := strings.TrimPrefix(PythonSDKPackages()[0], "boto3=="); got[0] != want || got[1] != "dynamodb" || !strings.HasPrefix(got[2], dir) {
		t.Fatalf("handler got %q, want boto3 %s from %s", got, want, dir)
	}
}
