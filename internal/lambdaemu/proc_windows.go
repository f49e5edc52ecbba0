package lambdaemu

import (
	"os"
	"syscall"
)

// sysProcAttr has nothing to add on Windows.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup kills the process; Windows has no process groups to signal.
func killGroup(p *os.Process) {
	if p != nil {
		_ = p.Kill()
	}
}

// residentBytes is unknown on Windows: memory is then limited only by
// Node.js's heap flag.
func residentBytes(int) (int64, bool) { return 0, false }

// becomeSubreaper does nothing on Windows.
func becomeSubreaper() {}

// killMarked does nothing on Windows.
func killMarked(string) {}

// availableMemory is known on Linux only; elsewhere the CPU count alone
// bounds the default concurrency.
func availableMemory() (int64, bool) { return 0, false }
