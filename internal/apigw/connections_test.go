package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// mustManage calls the management API with a dummy SigV4-style
// Authorization header, as the SDKs send.
func mustManage(tb testing.TB, method, url, body string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestConnectionsAPI(t *testing.T) {
	t.Parallel()
	inv := newFakeInvoker(nil)
	g := MustStart(t, testAPIs("$connect", "Conn", "$default", "Def"), inv, Options{})
	ep := g.Endpoints()[0]
	events, _ := g.Subscribe(64)
	c, err := dial(t, ep.URL, http.Header{"User-Agent": {"tester/1"}})
	if err != nil {
		t.Fatal(err)
	}
	id := waitEvent(t, events, EventConnect).ConnectionID
	url := ep.ConnectionsURL + "/" + id

	resp := mustManage(t, http.MethodPost, url, `{"hello":"there"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST status = %d", resp.StatusCode)
	}
	if m := c.MustRead(); m.Data != `{"hello":"there"}` {
		t.Errorf("pushed = %q", m.Data)
	}
	if e := waitEvent(t, events, EventPush); e.ConnectionID != id {
		t.Errorf("push event = %+v", e)
	}

	// A push larger than one frame arrives whole.
	big := strings.Repeat("x", 100_000)
	mustManage(t, http.MethodPost, url, big)
	if m := c.MustRead(); m.Data != big {
		t.Errorf("big push arrived with %d bytes", len(m.Data))
	}

	resp = mustManage(t, http.MethodGet, url, "")
	var info struct {
		ConnectedAt, LastActiveAt string
		Identity                  struct{ SourceIP, UserAgent string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.RFC3339, info.ConnectedAt); err != nil || info.Identity.SourceIP != "127.0.0.1" || info.Identity.UserAgent != "tester/1" {
		t.Errorf("GET = %+v (%v)", info, err)
	}

	resp = mustManage(t, http.MethodPost, url, strings.Repeat("y", MaxMessageSize+1))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.Header.Get("x-amzn-ErrorType") != "PayloadTooLargeException" {
		t.Errorf("oversized POST = %d %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}

	for _, method := range []string{http.MethodPost, http.MethodGet, http.MethodDelete} {
		resp := mustManage(t, method, ep.ConnectionsURL+"/AAAAAAAAAAAAAAA=", "x")
		if resp.StatusCode != http.StatusGone || resp.Header.Get("x-amzn-ErrorType") != "GoneException" {
			t.Errorf("%s unknown id = %d %q", method, resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
		}
	}

	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader("x"))
	unsigned, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	unsigned.Body.Close()
	if unsigned.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned POST = %d, want 403", unsigned.StatusCode)
	}

	if resp := mustManage(t, http.MethodDelete, url, ""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE = %d", resp.StatusCode)
	}
	if m := c.MustReadClose(); m.Code != 1000 {
		t.Errorf("DELETE closed with %d, want 1000", m.Code)
	}
	waitEvent(t, events, EventDisconnect)
	if resp := mustManage(t, http.MethodPost, url, "late"); resp.StatusCode != http.StatusGone {
		t.Errorf("POST after DELETE = %d, want 410", resp.StatusCode)
	}
}

// requireTool returns the command's path, or skips the test; with
// SWITCHBOARD_REQUIRE_TOOLS=1 (CI) a missing tool fails it instead.
func requireTool(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
		tb.Fatalf("%s not on PATH, and SWITCHBOARD_REQUIRE_TOOLS=1 requires it", name)
	}
	tb.Skipf("%s not on PATH; install it or set SWITCHBOARD_REQUIRE_TOOLS=1 in CI to make this fail", name)
	return ""
}

// TestAWSCLIManagesConnections drives the management API with the AWS
// CLI, unchanged but for --endpoint-url, as a user would.
func TestAWSCLIManagesConnections(t *testing.T) {
	t.Parallel()
	aws := requireTool(t, "aws")
	inv := newFakeInvoker(nil)
	g := MustStart(t, testAPIs("$connect", "Conn"), inv, Options{})
	ep := g.Endpoints()[0]
	events, _ := g.Subscribe(16)
	c := MustDial(t, ep.URL)
	id := waitEvent(t, events, EventConnect).ConnectionID
	stageURL := strings.TrimSuffix(ep.ConnectionsURL, "/@connections")

	cli := func(args ...string) (string, error) {
		// Generous: the CLI loads its service models in Python, which is
		// slow when the whole suite shares two cores.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, aws, append([]string{"apigatewaymanagementapi", "--endpoint-url", stageURL, "--region", "us-east-1"}, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test"}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	if out, err := cli("post-to-connection", "--connection-id", id, "--data", "from the cli"); err != nil {
		t.Fatalf("post-to-connection: %v\n%s", err, out)
	}
	if m := c.MustRead(); m.Data != "from the cli" {
		t.Errorf("client got %q", m.Data)
	}
	out, err := cli("get-connection", "--connection-id", id)
	if err != nil {
		t.Fatalf("get-connection: %v\n%s", err, out)
	}
	var info map[string]any
	if err := json.Unmarshal([]byte(out), &info); err != nil || info["ConnectedAt"] == nil || info["Identity"].(map[string]any)["SourceIp"] != "127.0.0.1" {
		t.Errorf("get-connection output = %s (%v)", out, err)
	}
	// Each CLI call costs a Python start; DELETE is tested over HTTP above.
	mustManage(t, http.MethodDelete, ep.ConnectionsURL+"/"+id, "")
	c.MustReadClose()
	out, err = cli("post-to-connection", "--connection-id", id, "--data", "late")
	if err == nil || !strings.Contains(out, "GoneException") {
		t.Errorf("post to a gone connection: err %v, output %s", err, out)
	}
}
