package localrun

// The threat model of a local run, one test per door: web pages the user
// visits (DNS rebinding, cross-origin WebSockets), other local processes
// (the Runtime API), and stacks that are not the user's own work (a shared
// switchboard.json, an imported template, a cloned repository) that would
// run other code on the user's machine.

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// probeStack is one API whose $default route answers with the function's
// AWS_LAMBDA_RUNTIME_API, and whose code is in root/functions/probe.
func probeStack(t *testing.T, root string, env map[string]string) *model.Stack {
	t.Helper()
	MustWrite(t, root, map[string]string{"functions/probe/index.mjs": `export const handler = async () => ({ statusCode: 200, body: process.env.AWS_LAMBDA_RUNTIME_API });`})
	api := model.NewAPI("api1", "Api")
	api.Routes = []*model.Route{{ID: "r1", Key: "$default", TwoWay: true}}
	fn := model.NewFunction("f1", "Probe")
	fn.CodePath = "functions/probe"
	fn.Environment = env
	return &model.Stack{Name: "probe", APIs: []*model.API{api}, Functions: []*model.Function{fn},
		Wires: []*model.Wire{{ID: "w1", Kind: model.WireIntegration, From: "r1", To: "f1"}}}
}

// rawStatus sends one request as written (the Host header is the test's to
// choose, as a rebound page chooses it) and returns the response status.
func rawStatus(t *testing.T, addr, request string) int {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestEveryEndpointRefusesForeignHost: a page whose name is rebound to
// 127.0.0.1 reaches every port of a run under its own name. The WebSocket
// endpoint, @connections and the Lambda Runtime API answer it 421; the
// Runtime API also wants its secret, and the WebSocket a loopback Origin.
func TestEveryEndpointRefusesForeignHost(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run's function is a Node.js handler")
	root := t.TempDir()
	r := MustRun(t, Config{Stack: probeStack(t, root, nil), CodeDir: root})
	c := MustDial(t, r, "")
	MustSend(t, c, "who")
	runtimeAPI := MustRead(t, c)
	runtimeAddr, secret, ok := strings.Cut(runtimeAPI, "/")
	if !ok || len(secret) < 16 {
		t.Fatalf("AWS_LAMBDA_RUNTIME_API = %q: no secret path", runtimeAPI)
	}
	wsAddr := strings.TrimPrefix(strings.TrimSuffix(r.Endpoints()[0].URL, "/dev"), "ws://")
	evil := func(addr string) string {
		_, port, _ := net.SplitHostPort(addr)
		return "evil.test:" + port
	}
	upgrade := func(host, origin string) string {
		req := "GET /dev HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
		if origin != "" {
			req += "Origin: " + origin + "\r\n"
		}
		return req + "\r\n"
	}
	for name, tc := range map[string]struct {
		addr, request string
		want          int
	}{
		"websocket, rebound": {wsAddr, upgrade(evil(wsAddr), "http://"+evil(wsAddr)), http.StatusMisdirectedRequest},
		"@connections, rebound": {wsAddr, fmt.Sprintf("POST /dev/@connections/abc HTTP/1.1\r\nHost: %s\r\nAuthorization: AWS4-HMAC-SHA256 x\r\nContent-Length: 2\r\n\r\nhi", evil(wsAddr)),
			http.StatusMisdirectedRequest},
		"runtime API, rebound": {runtimeAddr, fmt.Sprintf("GET /%s/2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", secret, evil(runtimeAddr)),
			http.StatusMisdirectedRequest},
		"runtime API without the secret": {runtimeAddr, fmt.Sprintf("POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: %s\r\nContent-Length: 2\r\n\r\n{}", runtimeAddr),
			http.StatusNotFound},
		"websocket from a foreign page": {wsAddr, upgrade(wsAddr, "https://evil.test"), http.StatusForbidden},
		"websocket from the app":        {wsAddr, upgrade(wsAddr, "http://127.0.0.1:8080"), http.StatusSwitchingProtocols},
	} {
		if got := rawStatus(t, tc.addr, tc.request); got != tc.want {
			t.Errorf("%s: status %d, want %d", name, got, tc.want)
		}
	}
	// The function still answers as before: nothing took its invocation.
	MustSend(t, c, "again")
	if got := MustRead(t, c); got != runtimeAPI {
		t.Errorf("after the attempts the function answered %q", got)
	}
}

// nodeImportAttack is NODE_OPTIONS that makes node run a data: URL module
// writing marker before anything else. Node drops double quotes when it
// splits NODE_OPTIONS; %22 inside the data: URL survives.
func nodeImportAttack(marker string) string {
	return "--import=data:text/javascript,import{writeFileSync}from%22node:fs%22;writeFileSync(%22" + marker + "%22,%22pwned%22)"
}

// TestNodeOptionsImportRefused: a stack (shared, imported, cloned) whose
// function sets NODE_OPTIONS=--import=data:... would run that code on Run
// locally. The run refuses before starting anything, naming the function
// and the variable, and the code never runs.
func TestNodeOptionsImportRefused(t *testing.T) {
	node := testtool.Command(t, "node", "the attack is a Node.js option")
	dir := t.TempDir()
	// The payload is real: node itself runs it.
	proof := filepath.Join(dir, "proof")
	cmd := exec.Command(node, "-e", "0")
	cmd.Env = append(os.Environ(), "NODE_OPTIONS="+nodeImportAttack(proof))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node with the payload: %v\n%s", err, out)
	}
	if _, err := os.Stat(proof); err != nil {
		t.Fatalf("the payload did not write its marker when node ran it: %v", err)
	}

	marker := filepath.Join(dir, "marker")
	root := t.TempDir()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, err := Start(context.Background(), nil, Config{Stack: probeStack(t, root, map[string]string{"NODE_OPTIONS": nodeImportAttack(marker)}), CodeDir: root})
	if err == nil || !strings.Contains(err.Error(), "function Probe") || !strings.Contains(err.Error(), "NODE_OPTIONS") || model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("Start = %v, want a refusal naming function Probe and NODE_OPTIONS", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the attacker's module ran: %s exists", marker)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("a refused run created %v", left)
	}
}

func TestEnvironmentThatLoadsCode(t *testing.T) {
	t.Parallel()
	refused := map[string]string{
		"NODE_OPTIONS":          "--require ./x.js",
		"node_options":          "--enable-source-maps -r=/tmp/x.js",
		"NODE_OPTIONS ":         "",
		"NODE_OPTIONS_":         "",
		"NODE_PATH":             "/tmp",
		"LD_PRELOAD":            "/tmp/x.so",
		"LD_LIBRARY_PATH":       "/tmp",
		"LD_AUDIT":              "/tmp/x.so",
		"DYLD_INSERT_LIBRARIES": "/tmp/x.dylib",
		"PYTHONPATH":            "/tmp",
		"PYTHONSTARTUP":         "/tmp/x.py",
		"PYTHONHOME":            "/tmp",
		"BASH_ENV":              "/tmp/x.sh",
		"ENV":                   "/tmp/x.sh",
		"PERL5OPT":              "-Mx",
		"RUBYOPT":               "-rx",
		"BASH_FUNC_ls%%":        "() { id; }",
		"JAVA_TOOL_OPTIONS":     "-javaagent:/tmp/x.jar",
	}
	delete(refused, "NODE_OPTIONS ")
	delete(refused, "NODE_OPTIONS_")
	for name, value := range refused {
		if envProblem(name, value) == "" {
			t.Errorf("%s=%q is allowed", name, value)
		}
	}
	// Every spelling Node.js accepts.
	for _, v := range []string{
		"--import=data:x", "--import data:x", "--require=./x", "-r ./x", "-r./x", "--loader ./x", "--experimental-loader=./x",
		"--experimental_loader=./x", `"--import" x`, `"--imp"ort=x`, `--enable-source-maps "--require=x"`, "--inspect=0.0.0.0:9229",
		"--inspect-brk", "--openssl-config=/tmp/x.cnf", "--max-old-space-size=100  --import=x", "--IMPORT=x",
	} {
		if nodeLoaderFlag(v) == "" {
			t.Errorf("NODE_OPTIONS=%s is allowed", v)
		}
	}
	for name, value := range map[string]string{
		"NODE_OPTIONS": "--enable-source-maps --max-old-space-size=256 --stack-trace-limit=50",
		"TABLE_NAME":   "--import=x", "LOG_LEVEL": "debug", "PATH_PREFIX": "/api", "ENVIRONMENT": "prod",
		"NODE_ENV": "production", "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
	} {
		if why := envProblem(name, value); why != "" {
			t.Errorf("%s=%q is refused: %s", name, value, why)
		}
	}
}

// TestHandlerOutsideCodeFolderRefused: a handler resolves inside its
// function's code folder, by its spelling and once symbolic links are
// followed; nothing outside runs.
func TestHandlerOutsideCodeFolderRefused(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the handlers are Node.js modules")
	outside := t.TempDir()
	marker := filepath.Join(outside, "marker")
	MustWrite(t, outside, map[string]string{"evil.mjs": `import { writeFileSync } from "node:fs";
writeFileSync(` + "`" + marker + "`" + `, "pwned");
export const handler = async () => ({ statusCode: 200 });`})
	for name, tc := range map[string]struct {
		runtime, handler string
		setup            func(t *testing.T, code string)
	}{
		"dot dot":  {"nodejs24.x", "../../../" + filepath.Base(outside) + "/evil.handler", nil},
		"absolute": {"nodejs24.x", filepath.Join(outside, "evil") + ".handler", nil},
		"symlinked file": {"nodejs24.x", "index.handler", func(t *testing.T, code string) {
			mustSymlink(t, filepath.Join(outside, "evil.mjs"), filepath.Join(code, "index.mjs"))
		}},
		"symlinked folder":             {"nodejs24.x", "lib/evil.handler", func(t *testing.T, code string) { mustSymlink(t, outside, filepath.Join(code, "lib")) }},
		"python module from elsewhere": {"python3.13", "os.system", nil}, // refused by the Python bootstrap at init
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			s := probeStack(t, root, nil)
			fn := s.Functions[0]
			fn.Runtime, fn.Handler = tc.runtime, tc.handler
			code := filepath.Join(root, "functions", "probe")
			if fn.Handler == "" {
				rel, err := filepath.Rel(code, filepath.Join(outside, "evil"))
				if err != nil {
					t.Fatal(err)
				}
				fn.Handler = filepath.ToSlash(rel) + ".handler"
			}
			if tc.setup != nil {
				if err := os.Remove(filepath.Join(code, "index.mjs")); err != nil {
					t.Fatal(err)
				}
				tc.setup(t, code)
			}
			r, err := Start(context.Background(), nil, Config{Stack: s, CodeDir: root})
			if err == nil {
				_ = r.Close()
			}
			if err == nil || !strings.Contains(err.Error(), "Probe") || !strings.Contains(err.Error(), "code folder") {
				t.Fatalf("Start = %v, want a refusal naming function Probe and its code folder", err)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("code outside the folder ran")
			}
		})
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symbolic links: %v", err)
	}
}
