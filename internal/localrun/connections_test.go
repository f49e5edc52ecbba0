package localrun

import (
	"crypto/tls"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/switchboard-dev/switchboard/internal/localca"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Handlers that reach @connections as users write them: the endpoint built
// from the event exactly as AWS's samples do, and a client with no endpoint
// at all that relies on the environment, as on Lambda with a custom domain
// variable.
var managementHandlers = map[string]string{
	"functions/awsway/index.mjs": `import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
export const handler = async (event) => {
  const { domainName, stage, connectionId } = event.requestContext;
  const client = new ApiGatewayManagementApiClient({ endpoint: ` + "`https://${domainName}/${stage}`" + ` });
  await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: "posted the AWS way" }));
  return { statusCode: 200 };
};
`,
	"functions/envonly/index.mjs": `import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
const client = new ApiGatewayManagementApiClient({});
export const handler = async (event) => {
  await client.send(new PostToConnectionCommand({ ConnectionId: event.requestContext.connectionId, Data: "posted with the environment's endpoint" }));
  return { statusCode: 200 };
};
`,
}

// The same in Python with boto3, whose trust comes from AWS_CA_BUNDLE.
var pythonManagementHandlers = map[string]string{
	"functions/pyawsway/app.py": `import boto3

def handler(event, context):
    rc = event["requestContext"]
    client = boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{rc['domainName']}/{rc['stage']}")
    client.post_to_connection(ConnectionId=rc["connectionId"], Data=b"python posted the AWS way")
    return {"statusCode": 200}
`,
	"functions/pyenvonly/app.py": `import boto3

client = boto3.client("apigatewaymanagementapi")

def handler(event, context):
    client.post_to_connection(ConnectionId=event["requestContext"]["connectionId"], Data=b"python posted with the environment's endpoint")
    return {"statusCode": 200}
`,
}

// addPython adds the Python handlers' routes and functions to the stack.
func addPython(s *model.Stack) {
	api := s.APIs[0]
	api.Routes = append(api.Routes, &model.Route{ID: "r3", Key: "pyawsway"}, &model.Route{ID: "r4", Key: "pyenvonly"})
	for i, name := range []string{"pyawsway", "pyenvonly"} {
		f := model.NewFunction("pf"+name, "Py"+name)
		f.Runtime, f.Handler, f.CodePath = "python3.13", "app.handler", "functions/"+name
		s.Functions = append(s.Functions, f)
		s.Wires = append(s.Wires, &model.Wire{ID: "pw" + name, Kind: model.WireIntegration, From: []string{"r3", "r4"}[i], To: f.ID})
	}
}

func managementStack() *model.Stack {
	api := model.NewAPI("api1", "Api")
	api.RouteSelectionExpression = "$request.body.action"
	api.Routes = []*model.Route{{ID: "r1", Key: "awsway"}, {ID: "r2", Key: "envonly"}}
	awsWay := model.NewFunction("f1", "AwsWay")
	awsWay.CodePath = "functions/awsway"
	envOnly := model.NewFunction("f2", "EnvOnly")
	envOnly.CodePath = "functions/envonly"
	return &model.Stack{
		Name: "mgmt", APIs: []*model.API{api}, Functions: []*model.Function{awsWay, envOnly},
		Wires: []*model.Wire{
			{ID: "w1", Kind: model.WireIntegration, From: "r1", To: "f1"},
			{ID: "w2", Kind: model.WireIntegration, From: "r2", To: "f2"},
		},
	}
}

// TestManagementAPITheAWSWay: a Node.js handler that posts to
// https://${domainName}/${stage} reaches the local @connections over TLS
// with the run's local CA, and one with no endpoint finds it in
// AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI.
func TestManagementAPITheAWSWay(t *testing.T) {
	t.Parallel()
	sdk := MustSDK(t)
	root := t.TempDir()
	MustWrite(t, root, managementHandlers)
	stack := managementStack()
	python := exec.Command("python3", "-c", "import boto3").Run() == nil
	if python {
		MustWrite(t, root, pythonManagementHandlers)
		addPython(stack)
	} else {
		t.Log("python3 with boto3 is not installed: only the Node.js handlers are checked")
	}
	caDir := filepath.Join(t.TempDir(), "ca")
	r := MustRun(t, Config{Stack: stack, CodeDir: root, NodePath: sdk, CADir: caDir})
	c := MustDial(t, r, "")
	want := map[string]string{"awsway": "posted the AWS way", "envonly": "posted with the environment's endpoint"}
	if python {
		want["pyawsway"], want["pyenvonly"] = "python posted the AWS way", "python posted with the environment's endpoint"
	}
	for action, text := range want {
		MustSend(t, c, `{"action":"`+action+`"}`)
		if got := MustRead(t, c); got != text {
			t.Errorf("%s: got %q, want %q", action, got, text)
		}
	}

	// The same port answers wss:// and https:// with a certificate of the
	// CA, which is kept private to the user.
	ca, err := localca.Load(caDir)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(caDir, "ca-key.pem")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("CA key: %v, %v; want mode 0600", st, err)
	}
	tlsCfg := &tls.Config{RootCAs: ca.Pool()}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		u := strings.Replace(r.Endpoints()[0].URL, "ws://127.0.0.1", "wss://"+host, 1)
		conn, _, _, err := ws.Dialer{TLSConfig: tlsCfg}.Dial(t.Context(), u)
		if err != nil {
			t.Fatalf("wss to %s: %v", u, err)
		}
		if err := wsutil.WriteClientText(conn, []byte(`{"action":"envonly"}`)); err != nil {
			t.Fatal(err)
		}
		if got, err := wsutil.ReadServerText(conn); err != nil || string(got) != "posted with the environment's endpoint" {
			t.Errorf("wss client got %q, %v", got, err)
		}
		conn.Close()
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	resp, err := hc.Get(r.Endpoints()[0].ManagementURL + "/@connections/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden { // unsigned: Missing Authentication Token, as on AWS
		t.Errorf("https GET of @connections: %d", resp.StatusCode)
	}
}
