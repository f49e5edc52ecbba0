package lambdaemu

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// procProbe reads a process's resident memory and CPU demand from /proc,
// several times a second for each process: it keeps the files open and
// rereads them with one pread each.
type procProbe struct {
	statm, schedstat *os.File
	buf              [128]byte
}

// openProbe returns a probe of process pid, or nil when /proc cannot tell.
func openProbe(pid int) *procProbe {
	dir := "/proc/" + strconv.Itoa(pid) + "/"
	statm, err := os.Open(dir + "statm")
	if err != nil {
		return nil
	}
	// schedstat exists on kernels with scheduler statistics (most); the
	// probe still measures memory without it.
	schedstat, _ := os.Open(dir + "schedstat")
	return &procProbe{statm: statm, schedstat: schedstat}
}

// fields rereads f and returns its first two fields.
func (p *procProbe) fields(f *os.File) (a, b []byte, ok bool) {
	if f == nil {
		return nil, nil, false
	}
	n, err := f.ReadAt(p.buf[:], 0)
	if n == 0 && err != nil {
		return nil, nil, false
	}
	fs := bytes.Fields(p.buf[:n])
	if len(fs) < 2 {
		return nil, nil, false
	}
	return fs[0], fs[1], true
}

// resident returns the resident set size: statm's second field, in pages.
func (p *procProbe) resident() (int64, bool) {
	if p == nil {
		return 0, false
	}
	_, pages, ok := p.fields(p.statm)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(pages), 10, 64)
	return n * pageSize, err == nil
}

// demand returns how long the process has run on a CPU or waited on a run
// queue for one, in all: schedstat's first two fields, in nanoseconds. Its
// growth over wall time says how much CPU the process wants, whether or
// not a busy machine gives it.
func (p *procProbe) demand() (time.Duration, bool) {
	if p == nil {
		return 0, false
	}
	run, wait, ok := p.fields(p.schedstat)
	if !ok {
		return 0, false
	}
	r, err1 := strconv.ParseInt(string(run), 10, 64)
	w, err2 := strconv.ParseInt(string(wait), 10, 64)
	return time.Duration(r + w), err1 == nil && err2 == nil
}

func (p *procProbe) close() {
	if p == nil {
		return
	}
	p.statm.Close()
	if p.schedstat != nil {
		p.schedstat.Close()
	}
}

// ownTasks holds this process's threads' schedstat files, kept open for
// ownDemand.
var ownTasks struct {
	sync.Mutex
	dir   *os.File            // /proc/self/task, kept open and reread
	files map[string]*os.File // thread id → its /proc/self/task/ID/schedstat
	buf   [128]byte
}

// ownDemand is how long this process's threads have run on a CPU or waited
// on a run queue for one, as demand is for a function's process: summed
// over the threads' schedstat files (a Go process has a handful). Its CPU
// time alone would hide how much it wants on a machine whose other work
// keeps it waiting, and functions would then scale out into CPUs that
// Switchboard itself is waiting for.
func ownDemand() (time.Duration, bool) {
	ownTasks.Lock()
	defer ownTasks.Unlock()
	if ownTasks.dir == nil {
		dir, err := os.Open("/proc/self/task")
		if err != nil {
			return 0, false
		}
		ownTasks.dir, ownTasks.files = dir, map[string]*os.File{}
	}
	// Names only, unsorted: os.ReadDir's sorting and entries were a tenth
	// of Switchboard's own CPU in a benchmark that waits on its functions.
	if _, err := ownTasks.dir.Seek(0, io.SeekStart); err != nil {
		return 0, false
	}
	tids, err := ownTasks.dir.Readdirnames(-1)
	if err != nil {
		return 0, false
	}
	seen := make(map[string]bool, len(tids))
	var total time.Duration
	found := false
	for _, tid := range tids {
		seen[tid] = true
		f := ownTasks.files[tid]
		if f == nil {
			if f, err = os.Open("/proc/self/task/" + tid + "/schedstat"); err != nil {
				continue
			}
			ownTasks.files[tid] = f
		}
		n, err := f.ReadAt(ownTasks.buf[:], 0)
		if n == 0 && err != nil {
			continue
		}
		fs := bytes.Fields(ownTasks.buf[:n])
		if len(fs) < 2 {
			continue
		}
		run, err1 := strconv.ParseInt(string(fs[0]), 10, 64)
		wait, err2 := strconv.ParseInt(string(fs[1]), 10, 64)
		if err1 == nil && err2 == nil {
			total += time.Duration(run + wait)
			found = true
		}
	}
	for tid, f := range ownTasks.files {
		if !seen[tid] {
			f.Close()
			delete(ownTasks.files, tid)
		}
	}
	return total, found
}
