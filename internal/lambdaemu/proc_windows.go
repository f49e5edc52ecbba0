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

// becomeSubreaper does nothing on Windows.
func becomeSubreaper() {}

// killMarked does nothing on Windows.
func killMarked(string) {}

// availableMemory is known on Linux only; elsewhere the CPU count alone
// bounds the default concurrency.
func availableMemory() (int64, bool) { return 0, false }
