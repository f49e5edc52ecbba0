//go:build unix

package lambdaemu

import (
	"os"
	"syscall"
)

// sysProcAttr puts each function process in its own process group, so
// killGroup also ends whatever the handler started.
func sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(attr)
	return attr
}

// killGroup sends SIGKILL to the process group p leads. It is safe to call
// more than once, and after the process exited.
func killGroup(p *os.Process) {
	if p == nil {
		return
	}
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
}
