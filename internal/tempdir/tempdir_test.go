package tempdir

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestMakeRemovesFoldersOfDeadProcesses: a process killed before it could
// clean up leaves its folder; the next Make removes it, and only it.
func TestMakeRemovesFoldersOfDeadProcesses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no stale-folder sweep on Windows")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("true: %v", err)
	}
	mk := func(name string) string {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Join(p, "node"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := mk("switchboard-run-" + strconv.Itoa(dead.Process.Pid) + "-123")
	kept := []string{
		mk("switchboard-run-" + strconv.Itoa(os.Getpid()) + "-456"),       // this process's other run
		mk("switchboard-run-" + strconv.Itoa(os.Getppid()) + "-789"),      // a live process
		mk("switchboard-lambda-" + strconv.Itoa(dead.Process.Pid) + "-1"), // another kind
		mk("switchboard-run-abc"),                                         // not ours to judge
	}
	got, err := Make("switchboard-run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(got), "switchboard-run-"+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("made %s, want it named after this process", got)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the folder of dead process %d is still there: %v", dead.Process.Pid, err)
	}
	for _, p := range kept {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}
