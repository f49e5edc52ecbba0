package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// postValues posts a form as the page does for an edit of the revision.
func postValues(tb testing.TB, u string, rev int64, form url.Values) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-Base-Revision", strconv.FormatInt(rev, 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestRunAsksForParameters: Run locally with a parameter that has no
// default and no value in the chosen environment answers with a form
// asking for it; the environment's value, or the form's, starts the run.
func TestRunAsksForParameters(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
			t.Fatal("node is not on PATH, and SWITCHBOARD_REQUIRE_TOOLS=1 requires it")
		}
		t.Skip("node is not on PATH")
	}
	srv := mustServeReal(t)
	echo, _ := model.Example("echo", "secrets")
	echo.Parameters = []*model.Parameter{{Name: "ApiSecret", Description: "the secret"}}
	echo.Function("fn3").Environment = map[string]string{"SECRET": "${ApiSecret}"}
	echo.Environments = []*model.Environment{{Name: "dev", Values: map[string]string{"ApiSecret": "dev"}}, {Name: "prod"}}
	st, err := srv.store.CreateStack(context.Background(), echo)
	if err != nil {
		t.Fatal(err)
	}
	base := srv.url + "/stacks/" + strconv.FormatInt(st.ID, 10)
	t.Cleanup(func() { post(t, base+"/run/stop") })

	for _, env := range []string{"", "prod"} {
		status, body := postValues(t, base+"/run", st.Revision, url.Values{"env": {env}})
		if status != http.StatusOK || !strings.Contains(body, `data-testid="run-params"`) || !strings.Contains(body, `name="param.ApiSecret"`) || runURL.MatchString(body) {
			t.Fatalf("env %q: POST run = %d:\n%s", env, status, body)
		}
	}
	status, body := postValues(t, base+"/run", st.Revision, url.Values{"env": {"prod"}, "param.ApiSecret": {"typed"}})
	if status != http.StatusOK || !runURL.MatchString(body) {
		t.Fatalf("with the value typed: POST run = %d:\n%s", status, body)
	}
	post(t, base+"/run/stop")
	status, body = postValues(t, base+"/run", st.Revision, url.Values{"env": {"dev"}})
	if status != http.StatusOK || !runURL.MatchString(body) {
		t.Fatalf("with dev: POST run = %d:\n%s", status, body)
	}
	status, body = postValues(t, base+"/run", st.Revision, url.Values{"env": {"staging"}, "restart": {"yes"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "no environment staging") {
		t.Fatalf("an unknown environment: POST run = %d:\n%s", status, body)
	}
}

// TestNodeFieldsTakeParameters: the node's Parameters form makes its
// memory take a Number parameter, refuses a String one for it, and the
// Stack panel refuses to remove a parameter in use and a condition
// naming an unknown parameter.
func TestNodeFieldsTakeParameters(t *testing.T) {
	t.Parallel()
	srv := mustServeReal(t)
	bg := context.Background()
	echo, _ := model.Example("echo", "mem")
	mem, name := "512", "x"
	echo.Parameters = []*model.Parameter{{Name: "Memory", Type: "Number", Default: &mem}, {Name: "Label", Default: &name}}
	st, err := srv.store.CreateStack(bg, echo)
	if err != nil {
		t.Fatal(err)
	}
	base := srv.url + "/stacks/" + strconv.FormatInt(st.ID, 10)
	status, body := postValues(t, base+"/nodes/fn3/params", st.Revision, url.Values{"param.memorySize": {"Label"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "not of type Number") {
		t.Fatalf("a String parameter for the memory: %d\n%s", status, body)
	}
	status, body = postValues(t, base+"/nodes/fn3/params", st.Revision, url.Values{"param.memorySize": {"Memory"}})
	if status != http.StatusOK {
		t.Fatalf("the memory from Memory: %d\n%s", status, body)
	}
	got, _ := srv.store.Stack(bg, st.ID)
	if got.Function("fn3").ParamOf("memorySize") != "Memory" {
		t.Fatalf("params: %+v", got.Function("fn3").Params)
	}
	status, body = postValues(t, base+"/design/parameters", got.Revision, url.Values{"form": {"parameter:Memory"}, "original": {"Memory"}, "op": {"remove"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Parameter Memory is used by EchoFunction") {
		t.Fatalf("removing a parameter in use: %d\n%s", status, body)
	}
	status, body = postValues(t, base+"/design/sections", got.Revision, url.Values{"form": {"new-section:Conditions"}, "section": {"Conditions"},
		"key": {"IsProd"}, "body": {"!Equals [!Ref Stage, prod]"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "refers to parameter or resource Stage") {
		t.Fatalf("a condition on an unknown parameter: %d\n%s", status, body)
	}
	status, body = postValues(t, base+"/design/sections", got.Revision, url.Values{"form": {"new-section:Conditions"}, "section": {"Conditions"},
		"key": {"IsBig"}, "body": {"!Equals [!Ref Memory, \"1024\"]"}})
	if status != http.StatusOK {
		t.Fatalf("a good condition: %d\n%s", status, body)
	}
	got, _ = srv.store.Stack(bg, st.ID)
	if string(got.Section("Conditions")) != `{"IsBig":{"Fn::Equals":[{"Ref":"Memory"},"1024"]}}` {
		t.Fatalf("conditions: %s", got.Section("Conditions"))
	}
}
