package localrun

import (
	"context"
	"net"
	"os"
	"strconv"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestTempFoldersRemovedOnEveryExit: a run's temporary folders (the
// scaffolds, the runtime bootstraps) are gone after a stop and after every
// way a start can fail.
func TestTempFoldersRemovedOnEveryExit(t *testing.T) {
	testtool.Command(t, "node", "the runs start Node.js handlers")
	sdk := MustSDK(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	empty := func(when string) {
		t.Helper()
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			names := make([]string, len(left))
			for i, e := range left {
				names[i] = e.Name()
			}
			t.Errorf("%s: the temporary folder holds %v", when, names)
		}
	}
	echo, _ := model.Example("echo", "echo")

	r, err := Start(context.Background(), nil, Config{Stack: echo, NodePath: sdk})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	empty("after a run of the scaffolds stopped")

	code := t.TempDir()
	MustWrite(t, code, map[string]string{"functions/probe/index.mjs": `throw new Error("init fails");`})
	if _, err := Start(context.Background(), nil, Config{Stack: probeStack(t, t.TempDir(), nil), CodeDir: code}); err == nil {
		t.Fatal("a handler failing at init started")
	}
	empty("after a handler failed to initialize")

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	if _, err := Start(context.Background(), nil, Config{Stack: echo, NodePath: sdk, Port: port}); err == nil {
		t.Fatalf("a run started on the busy port %s", strconv.Itoa(port))
	}
	empty("after the API's port was taken")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r, err := Start(ctx, nil, Config{Stack: echo, NodePath: sdk}); err == nil {
		_ = r.Close()
	}
	empty("after a start whose context was cancelled")
}
