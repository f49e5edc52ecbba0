package localrun

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestStopKillsDetachedProcesses: a handler that starts a setsid'd process
// through a double fork (out of its process group and session) leaves
// nothing running once the run stops.
func TestStopKillsDetachedProcesses(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the handler is a Node.js module")
	testtool.Command(t, "setsid", "the handler detaches a process with it")
	root := t.TempDir()
	pidfile := filepath.Join(t.TempDir(), "pid")
	MustWrite(t, root, map[string]string{"functions/detach/index.mjs": `import { spawn } from "node:child_process";
import fs from "node:fs";
export const handler = async () => {
  spawn("sh", ["-c", "setsid sh -c 'echo $$ > ` + pidfile + `; exec sleep 300' </dev/null >/dev/null 2>&1 &"], { stdio: "ignore" });
  for (let i = 0; i < 500; i++) {
    const pid = fs.existsSync("` + pidfile + `") ? fs.readFileSync("` + pidfile + `", "utf8").trim() : "";
    if (pid) return { statusCode: 200, body: pid };
    await new Promise((r) => setTimeout(r, 10));
  }
  return { statusCode: 500 };
};`})
	api := model.NewAPI("api1", "Api")
	api.Routes = []*model.Route{{ID: "r1", Key: "$default", TwoWay: true}}
	fn := model.NewFunction("f1", "Detach")
	fn.CodePath = "functions/detach"
	s := &model.Stack{Name: "detach", APIs: []*model.API{api}, Functions: []*model.Function{fn},
		Wires: []*model.Wire{{ID: "w1", Kind: model.WireIntegration, From: "r1", To: "f1"}}}
	r := MustRun(t, Config{Stack: s, CodeDir: root})
	c := MustDial(t, r, "")
	MustSend(t, c, "go")
	pid, err := strconv.Atoi(strings.TrimSpace(MustRead(t, c)))
	if err != nil {
		t.Fatalf("the handler did not report its detached process: %v", err)
	}
	if !running(pid) {
		t.Fatalf("the detached process %d is not running before the stop", pid)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); running(pid); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the detached process %d survived the stop", pid)
		}
	}
}

// running reports whether pid is a live process (not a zombie).
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || !strings.HasPrefix(string(b[i+1:]), " Z")
}
