//go:build unix && !linux

package lambdaemu

import "syscall"

// setParentDeathSignal does nothing: only Linux has a parent death signal.
func setParentDeathSignal(*syscall.SysProcAttr) {}

// residentBytes is unknown off Linux: memory is then limited only by
// Node.js's heap flag.
func residentBytes(int) (int64, bool) { return 0, false }
