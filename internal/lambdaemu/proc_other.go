//go:build unix && !linux

package lambdaemu

import "syscall"

// setParentDeathSignal does nothing: only Linux has a parent death signal.
func setParentDeathSignal(*syscall.SysProcAttr) {}

// becomeSubreaper does nothing: the child subreaper is Linux's.
func becomeSubreaper() {}

// killMarked does nothing off Linux, where no /proc tells a process's
// environment: the process group kill is all there is.
func killMarked(string) {}

// availableMemory is known on Linux only; elsewhere the CPU count alone
// bounds the default concurrency.
func availableMemory() (int64, bool) { return 0, false }
