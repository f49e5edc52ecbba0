package lambdaemu

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRuntimeAPINeedsSecret: another local process that finds a sandbox's
// Runtime API port can neither take its invocation, answer one, nor end it
// with an /init/error without the secret in AWS_LAMBDA_RUNTIME_API; a
// request naming another host is refused before routing.
func TestRuntimeAPINeedsSecret(t *testing.T) {
	t.Parallel()
	fn := nodeFunction(t, "Who", map[string]string{"index.mjs": `
		export const handler = async () => process.env.AWS_LAMBDA_RUNTIME_API;`})
	p := MustPool(t, Options{}, fn)
	api := MustInvoke[string](t, p, "Who", nil)
	hostport, secret, ok := strings.Cut(api, "/")
	if !ok || len(secret) < 16 || strings.Contains(secret, "/") {
		t.Fatalf("AWS_LAMBDA_RUNTIME_API = %q, want 127.0.0.1:PORT/<secret>", api)
	}
	pids := p.pids()

	client := &http.Client{Timeout: 3 * time.Second}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/2018-06-01/runtime/invocation/next"},
		{"POST", "/2018-06-01/runtime/init/error"},
		{"POST", "/2018-06-01/runtime/invocation/x/error"},
		{"GET", "/" + strings.ToLower(secret) + "/2018-06-01/runtime/invocation/next"},
		{"POST", "/" + secret[:len(secret)-1] + "/2018-06-01/runtime/init/error"},
	} {
		req, _ := http.NewRequest(tc.method, "http://"+hostport+tc.path, strings.NewReader(`{"errorType":"Killed"}`))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v (it waited for an invocation: the path needs no secret)", tc.method, tc.path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s without the secret = %d, want 404 or 403", tc.method, tc.path, resp.StatusCode)
		}
	}

	// With the secret but another Host, as a rebound web page sends it.
	nc, err := net.DialTimeout("tcp", hostport, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(3 * time.Second))
	_, _ = nc.Write([]byte("POST /" + secret + "/2018-06-01/runtime/init/error HTTP/1.1\r\nHost: evil.test:" + hostport[strings.LastIndex(hostport, ":")+1:] + "\r\nContent-Length: 2\r\n\r\n{}"))
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("init/error with Host evil.test = %d, want 421", resp.StatusCode)
	}

	// Nothing changed: the same process answers the next invocation.
	if got := MustInvoke[string](t, p, "Who", nil); got != api {
		t.Errorf("second invocation saw %q, want %q", got, api)
	}
	if after := p.pids(); !slices.Equal(after, pids) {
		t.Errorf("processes %v became %v: a request without the secret ended the sandbox", pids, after)
	}
}

// TestNodeHandlerStaysInCodeFolder: the Node.js bootstrap loads a handler
// only from its code folder: an absolute module path or a symbolic link
// leading out is an init error, and the code there never runs.
func TestNodeHandlerStaysInCodeFolder(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	marker := filepath.Join(outside, "marker")
	MustWrite(t, outside, map[string]string{"evil.mjs": "import { writeFileSync } from \"node:fs\";\nwriteFileSync(" + strconv.Quote(marker) + ", \"pwned\");\nexport const handler = async () => 1;\n"})
	absolute := nodeFunction(t, "Absolute", map[string]string{"index.mjs": "export const handler = async () => 2;"})
	absolute.Handler = filepath.Join(outside, "evil") + ".handler"
	linked := nodeFunction(t, "Linked", nil)
	if err := os.Symlink(filepath.Join(outside, "evil.mjs"), filepath.Join(linked.CodeDir, "index.mjs")); err != nil {
		t.Skipf("symbolic links: %v", err)
	}
	p := MustPool(t, Options{})
	_ = p.Start(context.Background(), []FunctionConfig{absolute, linked})
	for _, name := range []string{"Absolute", "Linked"} {
		_, err := p.Invoke(context.Background(), name, []byte(`{}`))
		var fe *FunctionError
		if !errors.As(err, &fe) || fe.Type != "Runtime.ImportModuleError" || !strings.Contains(fe.Message, "outside the code folder") {
			t.Errorf("%s: %v, want an init error: outside the code folder", name, err)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the module outside the code folder ran")
	}
}
