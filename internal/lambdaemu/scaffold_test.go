package lambdaemu

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestScaffoldsRun runs the handlers export.WriteScaffolds writes for the
// chat and echo examples, with the AWS SDK v3 resolved through
// Options.NodePath, against moto_server's DynamoDB and a loopback
// @connections endpoint.
func TestScaffoldsRun(t *testing.T) {
	t.Parallel() // waits on processes, not the CPU, much of the time
	sdk := MustSDK(t)
	dynamo := mustStartMoto(t)
	posts := newConnectionsRecorder()
	defer posts.Close()

	root := t.TempDir()
	var fns []FunctionConfig
	for _, example := range []string{"chat", "echo"} {
		s, err := model.Example(example, example)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := export.WriteScaffolds(root, s); err != nil {
			t.Fatal(err)
		}
		for _, tbl := range s.Tables {
			mustCreateTable(t, dynamo, tbl)
		}
		for _, f := range s.Functions {
			env := map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": dynamo}
			for _, w := range s.Wires {
				switch {
				case w.From != f.ID:
				case w.Kind == model.WireRead || w.Kind == model.WireReadWrite:
					env[s.Table(w.To).TableEnvVar()] = s.Table(w.To).Name
				case w.Kind == model.WireSend:
					a := s.API(w.To)
					env[a.ConnectionsEnvVar()] = posts.URL + "/" + a.StageName + "/@connections"
				}
			}
			fns = append(fns, FunctionConfig{
				Name: f.Name, Runtime: f.Runtime, Handler: f.Handler, CodeDir: filepath.Join(root, filepath.FromSlash(f.CodePath)),
				MemoryMB: f.MemorySize, Timeout: time.Duration(f.Timeout) * time.Second, Env: env,
			})
		}
	}
	// Hand-written handlers: CommonJS require (NODE_PATH) and the document
	// client of lib-dynamodb (an import the resolve hook finds).
	cjs := nodeFunction(t, "RequireSDK", map[string]string{"index.js": `
		const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
		exports.handler = async () => typeof DynamoDBClient;`})
	doc := nodeFunction(t, "DocClient", map[string]string{"index.mjs": `
		import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
		import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
		const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
		export const handler = async (event) => {
			await db.send(new PutCommand({ TableName: process.env.TABLE, Item: { connectionId: "doc", n: event.n } }));
			return (await db.send(new GetCommand({ TableName: process.env.TABLE, Key: { connectionId: "doc" } }))).Item;
		};`})
	doc.Env = map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": dynamo, "TABLE": "Connections"}
	fns = append(fns, cjs, doc)

	logs := newLogSink()
	p := MustPool(t, Options{NodePath: sdk, OnLog: logs.add}, fns...)
	if got := MustInvoke[string](t, p, "RequireSDK", nil); got != "function" {
		t.Errorf("require of the SDK gave %q", got)
	}

	event := func(route, conn, body string) map[string]any {
		return map[string]any{
			"requestContext": map[string]any{"routeKey": route, "connectionId": conn, "eventType": "MESSAGE", "stage": "production"},
			"body":           body, "isBase64Encoded": false,
		}
	}
	type response struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	for _, conn := range []string{"c1", "c2", "c3"} {
		if r := MustInvoke[response](t, p, "ConnectionHandler", event("$connect", conn, "")); r.StatusCode != 200 {
			t.Fatalf("$connect %s: %+v", conn, r)
		}
	}
	MustInvoke[response](t, p, "ConnectionHandler", event("$disconnect", "c3", ""))
	posts.setGone("c2") // c2 vanished without $disconnect

	if r := MustInvoke[response](t, p, "SendHandler", event("sendMessage", "c1", `{"action":"sendMessage","data":"hello all"}`)); r.StatusCode != 200 {
		t.Fatalf("sendMessage: %+v", r)
	}
	if r := MustInvoke[response](t, p, "DefaultHandler", event("$default", "c1", `nonsense`)); r.StatusCode != 200 {
		t.Fatalf("$default: %+v", r)
	}
	if r := MustInvoke[response](t, p, "EchoFunction", event("test", "c1", `{"action":"test"}`)); r.StatusCode != 200 || r.Body != `{"action":"test"}` {
		t.Errorf("echo: %+v", r)
	}
	want := []string{
		"200 POST /dev/@connections/c1 hello all",
		"200 POST /dev/@connections/c1 {\"routeKey\":\"$default\",\"received\":\"nonsense\"}",
		"410 POST /dev/@connections/c2 hello all",
	}
	got := posts.requests()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("@connections got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// SendHandler may only read the table: it logs the gone connection.
	logs.wait(t, func(l LogLine) bool { return l.Function == "SendHandler" && l.Text == `{"gone":"c2"}` })

	// Last, as it adds an item the broadcasts would see.
	if got := MustInvoke[map[string]any](t, p, "DocClient", map[string]int{"n": 7}); got["n"] != 7.0 || got["connectionId"] != "doc" {
		t.Errorf("lib-dynamodb round trip gave %v", got)
	}
}

// connectionsRecorder stands in for API Gateway's @connections API: it
// records posts and answers 410 for connections that are gone.
type connectionsRecorder struct {
	*httptest.Server
	mu   sync.Mutex
	got  []string
	gone map[string]bool
}

func newConnectionsRecorder() *connectionsRecorder {
	c := &connectionsRecorder{gone: map[string]bool{}}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		c.mu.Lock()
		gone := c.gone[id]
		status := http.StatusOK
		if gone {
			status = http.StatusGone
		}
		c.got = append(c.got, strconv.Itoa(status)+" "+r.Method+" "+r.URL.Path+" "+string(body))
		c.mu.Unlock()
		if gone {
			w.Header().Set("x-amzn-ErrorType", "GoneException")
			w.WriteHeader(http.StatusGone)
			io.WriteString(w, `{"message":null}`)
		}
	}))
	return c
}

func (c *connectionsRecorder) requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.got)
}

func (c *connectionsRecorder) setGone(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gone[id] = true
}

// mustCreateTable creates t in the DynamoDB at endpoint, keyed as the model
// says, through DynamoDB's JSON protocol.
func mustCreateTable(tb testing.TB, endpoint string, t *model.Table) {
	tb.Helper()
	keys := []map[string]string{{"AttributeName": t.PartitionKey.Name, "KeyType": "HASH"}}
	attrs := []map[string]string{{"AttributeName": t.PartitionKey.Name, "AttributeType": string(t.PartitionKey.Type)}}
	if t.SortKey != nil {
		keys = append(keys, map[string]string{"AttributeName": t.SortKey.Name, "KeyType": "RANGE"})
		attrs = append(attrs, map[string]string{"AttributeName": t.SortKey.Name, "AttributeType": string(t.SortKey.Type)})
	}
	body, _ := json.Marshal(map[string]any{"TableName": t.Name, "KeySchema": keys, "AttributeDefinitions": attrs, "BillingMode": "PAY_PER_REQUEST"})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.CreateTable")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=ASIASWITCHBOARDLOCAL/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		out, _ := io.ReadAll(resp.Body)
		tb.Fatalf("create table %s: %s: %s", t.Name, resp.Status, out)
	}
}

// mustStartMoto starts moto_server for the scaffold tests.
func mustStartMoto(tb testing.TB) string {
	tb.Helper()
	return testtool.StartMoto(tb, "the scaffold test stores connections in its DynamoDB")
}
