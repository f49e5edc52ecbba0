package lambdaemu

import (
	"bytes"
	"os"
	"strconv"
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

// ownDemand is demand for this process: the sum over its threads, since
// Go runs goroutines on several. A thread that exits takes its share out
// of the sum, which the caller treats as no demand for that interval.
func ownDemand() (time.Duration, bool) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0, false
	}
	var total time.Duration
	var p procProbe
	for _, t := range tasks {
		f, err := os.Open("/proc/self/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		p.schedstat = f
		d, ok := p.demand()
		f.Close()
		if ok {
			total += d
		}
	}
	return total, true
}
