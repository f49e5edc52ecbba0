package localrun

import (
	"crypto/tls"
	"net/http"
	"os"
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
	sdk := MustSDK(t)
	root := t.TempDir()
	MustWrite(t, root, managementHandlers)
	caDir := filepath.Join(t.TempDir(), "ca")
	r := MustRun(t, Config{Stack: managementStack(), CodeDir: root, NodePath: sdk, CADir: caDir})
	c := MustDial(t, r, "")
	MustSend(t, c, `{"action":"awsway"}`)
	if got := MustRead(t, c); got != "posted the AWS way" {
		t.Errorf("awsway: got %q", got)
	}
	MustSend(t, c, `{"action":"envonly"}`)
	if got := MustRead(t, c); got != "posted with the environment's endpoint" {
		t.Errorf("envonly: got %q", got)
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
