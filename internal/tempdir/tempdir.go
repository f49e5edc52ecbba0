// Package tempdir makes temporary folders that outlive a crash only until
// the next start: each is named after the process that made it, and making
// one removes those of the same kind whose process is gone (killed with
// SIGKILL, or the machine lost power, before it could clean up).
package tempdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// Make creates a folder in os.TempDir named prefix-PID-random, after
// removing the folders prefix-PID-* of processes that no longer exist.
func Make(prefix string) (string, error) {
	removeStale(prefix)
	return os.MkdirTemp("", fmt.Sprintf("%s-%d-", prefix, os.Getpid()))
}

// removeStale removes prefix-PID-* folders whose process is gone. A process
// that exists, or might (a signal refused for another user's), keeps its
// folders; so does any name that does not parse.
func removeStale(prefix string) {
	if runtime.GOOS == "windows" {
		return // no signal 0 to ask whether a process exists
	}
	dir := os.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	self := os.Getpid()
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix+"-")
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == self {
			continue
		}
		if gone(pid) {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// gone reports whether no process pid exists.
func gone(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}
