package lambdaemu

import (
	"bytes"
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

// ownStat is this process's /proc/self/stat, kept open for ownDemand.
var ownStat struct {
	sync.Mutex
	f   *os.File
	buf [1024]byte
}

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// ownDemand is the CPU time this process's threads used, from
// /proc/self/stat's utime and stime: one pread, where summing each
// thread's schedstat would read a file per thread. Unlike demand it
// leaves out run-queue time.
func ownDemand() (time.Duration, bool) {
	ownStat.Lock()
	defer ownStat.Unlock()
	if ownStat.f == nil {
		f, err := os.Open("/proc/self/stat")
		if err != nil {
			return 0, false
		}
		ownStat.f = f
	}
	n, err := ownStat.f.ReadAt(ownStat.buf[:], 0)
	if n == 0 && err != nil {
		return 0, false
	}
	// pid (comm) state ppid …: comm may hold spaces; utime and stime are
	// the 14th and 15th fields, the 12th and 13th after comm.
	b := ownStat.buf[:n]
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	stime, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	return time.Duration(utime+stime) * clockTick, err1 == nil && err2 == nil
}
