package localrun

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestConnectionServedWhileOtherFunctionsStart: a client that connects
// while the run starts is served as soon as the $connect function is warm,
// however long the other functions take: here one whose init waits until
// the test has its connection. Before, every invocation waited until every
// function was warm, so the connection was accepted only after the
// slowest init (here, never).
func TestConnectionServedWhileOtherFunctionsStart(t *testing.T) {
	testtool.Command(t, "node", "the handlers run on Node.js")
	root := t.TempDir()
	release := filepath.Join(root, "release")
	MustWrite(t, root, map[string]string{
		"functions/connect/index.mjs": `export const handler = async () => ({ statusCode: 200 });`,
		// Waits (without a CPU) for the file the test writes once connected.
		"functions/slow/index.mjs": `import fs from "node:fs";
const cell = new Int32Array(new SharedArrayBuffer(4));
while (!fs.existsSync(process.env.RELEASE)) Atomics.wait(cell, 0, 0, 20);
export const handler = async (event) => ({ statusCode: 200, body: "slow:" + event.body });`,
	})
	api := model.NewAPI("api1", "Api")
	api.Routes = []*model.Route{{ID: "r1", Key: model.RouteConnect}, {ID: "r2", Key: "$default", TwoWay: true}}
	connect := model.NewFunction("f1", "Connect")
	connect.CodePath = "functions/connect"
	slow := model.NewFunction("f2", "Slow")
	slow.CodePath = "functions/slow"
	slow.Environment = map[string]string{"RELEASE": release}
	s := &model.Stack{ID: 1, Name: "startup", APIs: []*model.API{api}, Functions: []*model.Function{slow, connect},
		Wires: []*model.Wire{
			{ID: "w1", Kind: model.WireIntegration, From: "r1", To: "f1"},
			{ID: "w2", Kind: model.WireIntegration, From: "r2", To: "f2"},
		}}
	port := testtool.FreePort(t)
	cfg := Config{Stack: s, CodeDir: root, Port: port, CADir: filepath.Join(t.TempDir(), "ca")}

	type started struct {
		r   *Runner
		err error
	}
	done := make(chan started, 1)
	go func() {
		r, err := Start(context.Background(), nil, cfg)
		done <- started{r, err}
	}()
	t.Cleanup(func() {
		_ = os.WriteFile(release, nil, 0o644) // lets a Start that still waits end
		if st := <-done; st.r != nil {
			_ = st.r.Close()
		}
	})
	url := "ws://127.0.0.1:" + strconv.Itoa(port) + "/" + api.StageName
	var c *wsload.Conn
	for deadline := time.Now().Add(20 * time.Second); c == nil; {
		var err error
		if c, err = wsload.Dial(context.Background(), url); err != nil {
			if time.Now().After(deadline) {
				t.Fatalf("no connection accepted while function Slow started: %v", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	defer c.Abort()
	select {
	case st := <-done:
		done <- st
		t.Fatalf("Start returned (%v) before Slow's init could end", st.err)
	default:
	}
	// The connection's messages wait for Slow, then are answered.
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := c.RoundTrip([]byte("hi"))
	if err != nil || string(got) != "slow:hi" {
		t.Fatalf("reply %q, %v; want slow:hi", got, err)
	}
}
