package lambdaemu

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// setParentDeathSignal makes the kernel kill a function process if
// Switchboard dies without closing the pool.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}

var pageSize = int64(os.Getpagesize())

// prSetChildSubreaper is prctl's PR_SET_CHILD_SUBREAPER.
const prSetChildSubreaper = 36

var subreaperOnce sync.Once

// becomeSubreaper makes this process the child subreaper of everything it
// starts: a process a handler detaches (double fork, setsid) then becomes
// our child rather than init's when its parent exits, so it can be reaped
// once killed. It is set once for the whole process.
func becomeSubreaper() {
	subreaperOnce.Do(func() {
		_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	})
}

// killMarked kills every process whose environment holds the marker
// (NAME=value) a sandbox's process was started with and its descendants
// inherit, wherever they moved: their own session, their own group, or
// reparented to us. Those that end up our children are reaped. A process
// that cleared its environment escapes; the process group kill still
// reaches it unless it also left the group.
func killMarked(marker string) {
	want := []byte(marker + "\x00")
	self := os.Getpid()
	var killed []int
	// A marked process may fork while we look; a few rounds catch its
	// children, since each round kills the parents first found.
	for range 5 {
		entries, err := os.ReadDir("/proc")
		if err != nil {
			break
		}
		n := len(killed)
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == self {
				continue
			}
			env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
			if err != nil || !(bytes.HasPrefix(env, want) || bytes.Contains(env, append([]byte{0}, want...))) {
				continue
			}
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed = append(killed, pid)
			}
		}
		if len(killed) == n {
			break
		}
	}
	reap(killed, self)
}

// reap waits for the killed processes that are, or become, our children
// (a killed process's children come to us when it dies), so none stays a
// zombie; it gives up on the others after a moment.
func reap(pids []int, self int) {
	for try := 0; len(pids) > 0 && try < 100; try++ {
		left := pids[:0]
		for _, pid := range pids {
			switch parentOf(pid) {
			case 0: // gone, reaped by its parent
			case self:
				var ws syscall.WaitStatus
				_, _ = syscall.Wait4(pid, &ws, 0, nil)
			default:
				left = append(left, pid)
			}
		}
		pids = left
		if len(pids) > 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// parentOf returns pid's parent from /proc/pid/stat, or 0.
func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...: comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(string(f[1]))
	return ppid
}

// availableMemory returns MemAvailable from /proc/meminfo: what the kernel
// says can be taken without swapping.
func availableMemory() (int64, bool) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	for line := range bytes.Lines(b) {
		if rest, ok := bytes.CutPrefix(line, []byte("MemAvailable:")); ok {
			f := bytes.Fields(rest)
			if len(f) == 0 {
				return 0, false
			}
			kb, err := strconv.ParseInt(string(f[0]), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
