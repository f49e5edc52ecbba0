package lambdaemu

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestDetachedProcessesDie: processes a handler detaches from its process
// group (a setsid'd double fork, a detached and unref'd spawn) become our
// children through the child subreaper and die with the sandbox.
func TestDetachedProcessesDie(t *testing.T) {
	t.Parallel()
	fn := nodeFunction(t, "Detacher", map[string]string{"index.mjs": `
		import { spawn } from "node:child_process";
		import fs from "node:fs";
		export const handler = async (event) => {
		  // A double fork: sh starts a setsid'd shell in the background and
		  // exits at once; that shell records its pid and becomes sleep.
		  spawn("sh", ["-c", "setsid sh -c 'echo $$ > " + event.pidfile + "; exec sleep 300' </dev/null >/dev/null 2>&1 &"], { stdio: "ignore" });
		  const c = spawn("sleep", ["301"], { detached: true, stdio: "ignore" });
		  c.unref();
		  for (let i = 0; i < 500; i++) {
		    const text = fs.existsSync(event.pidfile) ? fs.readFileSync(event.pidfile, "utf8").trim() : "";
		    if (text) return { setsid: Number(text), detached: c.pid };
		    await new Promise((r) => setTimeout(r, 10));
		  }
		  throw new Error("the setsid'd child never wrote its pid");
		};`})
	p := MustPool(t, Options{}, fn)
	got := MustInvoke[struct{ Setsid, Detached int }](t, p, "Detacher", map[string]string{"pidfile": filepath.Join(t.TempDir(), "pid")})
	for _, pid := range []int{got.Setsid, got.Detached} {
		if pid == 0 || !alive(pid) {
			t.Fatalf("pids %+v: %d is not running before Close", got, pid)
		}
	}
	// Its parent exited: the orphan is ours, not init's.
	for deadline := time.Now().Add(10 * time.Second); parentOf(got.Setsid) != os.Getpid(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the orphan %d has parent %d, want this process %d (child subreaper)", got.Setsid, parentOf(got.Setsid), os.Getpid())
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{got.Setsid, got.Detached} {
		if alive(pid) {
			t.Errorf("process %d a handler detached survived Close", pid)
		}
	}
	// Reaped too: no zombie of ours is left.
	if _, err := os.Stat("/proc/" + strconv.Itoa(got.Setsid)); err == nil && parentOf(got.Setsid) == os.Getpid() {
		t.Errorf("the killed orphan %d is a zombie of ours", got.Setsid)
	}
}
