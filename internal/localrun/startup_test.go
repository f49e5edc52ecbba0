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
	t.Parallel()
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

// TestStartersFindTheSDKBesideThem: the starter handlers' folder has a
// node_modules leading to the SDK (here the --node-modules folder), so
// Node.js resolves it as a function's own packages, and the bootstrap
// needs no resolve hook (whose loader thread slowed every start); not when
// a starter has a layer, whose packages must come before the SDK's.
func TestStartersFindTheSDKBesideThem(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run starts Node.js handlers")
	sdk := t.TempDir()
	s, err := model.Example("echo", "echo")
	if err != nil {
		t.Fatal(err)
	}
	r := MustRun(t, Config{Stack: s, NodePath: sdk})
	if got, err := filepath.EvalSymlinks(filepath.Join(r.tmp, "node_modules")); err != nil || got != mustReal(t, sdk) {
		t.Fatalf("node_modules beside the starters leads to %q (%v); want %s", got, err, sdk)
	}
	c := MustDial(t, r, "")
	if got, err := c.RoundTrip([]byte(`{"action":"test","data":"hi"}`)); err != nil || string(got) != `{"action":"test","data":"hi"}` {
		t.Fatalf("echo answered %q, %v", got, err)
	}

	layered, err := model.Example("echo", "layered")
	if err != nil {
		t.Fatal(err)
	}
	layer := model.NewLayer("ly1", "Shared")
	layered.Layers = []*model.Layer{layer}
	layered.Wires = append(layered.Wires, &model.Wire{ID: "w9", Kind: model.WireLayer, From: layered.Functions[0].ID, To: "ly1"})
	root := t.TempDir()
	MustWrite(t, root, map[string]string{layer.ContentPath + "/nodejs/node_modules/greeter/index.js": `exports.hi = 1;`})
	r = MustRun(t, Config{Stack: layered, NodePath: sdk, CodeDir: root})
	if _, err := os.Lstat(filepath.Join(r.tmp, "node_modules")); err == nil {
		t.Fatal("a starter with a layer got the SDK beside it, ahead of its layer's packages")
	}
}

func mustReal(t *testing.T, p string) string {
	t.Helper()
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return real
}
