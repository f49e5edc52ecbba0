package lambdaemu

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/switchboard-dev/switchboard/internal/hostguard"
)

// The Runtime API's path prefix, and the bounds the emulator applies.
const (
	runtimePrefix = "/2018-06-01/runtime"
	// maxErrorBytes bounds an /error or /init/error body.
	maxErrorBytes = 1 << 20
	// maxLineBytes splits longer output lines, so one endless line cannot
	// hold memory.
	maxLineBytes = 64 << 10
	// accountID is the account in the ARN the emulator makes up.
	accountID = "000000000000"
	// sandboxMarker names the environment variable that marks every
	// process of one sandbox.
	sandboxMarker = "SWITCHBOARD_SANDBOX"
)

// sandbox is one function process and the Runtime API it polls; like a
// Lambda execution environment it handles one invocation at a time.
type sandbox struct {
	f       *function
	cmd     *exec.Cmd
	srv     *http.Server
	started time.Time

	next       chan *invocation // handed to the runtime's /next poll
	ready      chan struct{}    // closed at the first /next poll
	readyOnce  sync.Once
	readyAt    time.Time           // set before ready is closed
	initFailed chan *FunctionError // the runtime's /init/error, buffered
	exited     chan struct{}       // closed when the process has exited
	exitErr    error               // set before exited is closed
	done       chan struct{}       // closed when output and server are finished too
	spawned    chan struct{}       // closed once cmd.Start returned, so cmd.Process is set

	idleSince time.Time // guarded by f.mu

	oom    atomic.Bool // killed for using too much memory
	maxRSS atomic.Int64
	// cpuDemand is the share of a CPU the process wants (run and run
	// queue time over wall time), a float64's bits; see watchUsage.
	cpuDemand atomic.Uint64
	invoked   atomic.Bool  // an invocation was delivered before
	polls     atomic.Int64 // polls of /invocation/next, which the Node.js bootstrap does not need
	current   atomic.Pointer[invocation]
	// logID is the request id of the latest invocation, kept after it
	// ends: output written just before the response is read after it.
	logID    atomic.Pointer[string]
	complete sync.Mutex // serializes /response and /error of the current invocation
}

// invocation is one event on its way through a sandbox.
type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	timer    *time.Timer
	done     chan outcome // buffered: the runtime's answer
	handed   time.Time
}

// The states an invocation can end in, as seen by function.invoke.
type state int

const (
	unused      state = iota // the caller left before the runtime took it; sandbox is fine
	undelivered              // the process died before taking it
	delivered                // the runtime took it (intermediate state)
	finished                 // the runtime answered; sandbox reusable
	died                     // crash, timeout or out of memory: the sandbox is gone
	abandoned                // the caller left while the function runs
)

type outcome struct {
	state state
	body  []byte
	err   error
	// handedOn: the sandbox's invocation stream gave it to a waiting
	// call already (function.handOnLocked); it must not be released.
	handedOn bool
}

// spawn starts a process and waits for its first poll of /next.
func (f *function) spawn(ctx context.Context) (*sandbox, error) {
	select {
	case f.pool.starting <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("lambdaemu: %s: waiting to start a process: %w", f.cfg.Name, ctx.Err())
	case <-f.ctx.Done():
		return nil, ErrClosed
	}
	defer func() { <-f.pool.starting }()
	s, err := f.startSandbox()
	if err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx); err != nil {
		s.kill()
		<-s.done
		return nil, f.explainMissingSDK(err)
	}
	return s, nil
}

// missingSDKPackage finds the SDK package Node.js could not resolve.
var missingSDKPackage = regexp.MustCompile(`Cannot find (?:package|module) '(@aws-sdk/[^/']+)`)

// explainMissingSDK adds to an init error on importing the AWS SDK why the
// SDK is missing and how to install it, when the pool knows.
func (f *function) explainMissingSDK(err error) error {
	var fe *FunctionError
	if !errors.As(err, &fe) || fe.Type != "Runtime.ImportModuleError" {
		return err
	}
	o := f.pool.opts
	switch {
	case o.NodeSDKMissing != nil && strings.HasPrefix(f.cfg.Runtime, "nodejs") && strings.Contains(fe.Message, "@aws-sdk/"):
		fe.Message += " (" + o.NodeSDKMissing.Error() + ")"
	case strings.HasPrefix(f.cfg.Runtime, "nodejs"):
		// Lambda provides every client of the SDK; the local set only the
		// ones stacks here use.
		if m := missingSDKPackage.FindStringSubmatch(fe.Message); m != nil && !slices.ContainsFunc(NodeSDKPackages(), func(p string) bool { return strings.HasPrefix(p, m[1]+"@") }) {
			fe.Message += fmt.Sprintf(" (Lambda's runtime provides %s, the local run only %s: install it in the function's folder with npm install %s)",
				m[1], strings.Join(NodeSDKPackages(), ", "), m[1])
		}
	case o.PythonSDKMissing != nil && strings.HasPrefix(f.cfg.Runtime, "python") &&
		(strings.Contains(fe.Message, "'boto3'") || strings.Contains(fe.Message, "'botocore'")):
		fe.Message += " (" + o.PythonSDKMissing.Error() + ")"
	}
	return err
}

func (f *function) startSandbox() (*sandbox, error) {
	p := f.pool
	ln, err := net.Listen("tcp", net.JoinHostPort(p.opts.Host, "0"))
	if err != nil {
		return nil, fmt.Errorf("lambdaemu: %s: runtime API: %w", f.cfg.Name, err)
	}
	s := &sandbox{
		f:          f,
		next:       make(chan *invocation),
		ready:      make(chan struct{}),
		initFailed: make(chan *FunctionError, 1),
		exited:     make(chan struct{}),
		done:       make(chan struct{}),
		spawned:    make(chan struct{}),
	}
	// The Runtime API lives under a secret path only this process learns,
	// from AWS_LAMBDA_RUNTIME_API (host:port/secret; the runtime clients
	// append /2018-06-01/...): any other local process could otherwise
	// take its invocations, answer them, or end it with an /init/error.
	secret := rand.Text()
	prefix := "/" + secret + runtimePrefix
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"/invocation/next", s.handleNext)
	mux.HandleFunc("POST "+prefix+"/invocation/{id}/response", s.handleResponse)
	mux.HandleFunc("POST "+prefix+"/invocation/{id}/error", s.handleError)
	mux.HandleFunc("POST "+prefix+"/init/error", s.handleInitError)
	mux.HandleFunc("POST "+prefix+streamPath, s.handleStream)
	addr := ln.Addr().String()
	s.srv = &http.Server{Handler: hostguard.New(addr).Handler(mux), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)

	cmd, err := f.launch(addr + "/" + secret)
	if err != nil {
		s.srv.Close()
		return nil, err
	}
	// Every process the handler starts inherits the marker, so those that
	// leave the process group (setsid, a double fork) are still found and
	// killed when the sandbox ends.
	marker := sandboxMarker + "=" + rand.Text()
	cmd.Env = append(cmd.Env, marker)
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		s.srv.Close()
		return nil, fmt.Errorf("lambdaemu: %s: %w", f.cfg.Name, err)
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		s.srv.Close()
		stdoutR.Close()
		stdoutW.Close()
		return nil, fmt.Errorf("lambdaemu: %s: %w", f.cfg.Name, err)
	}
	// Files, not writers: exec then needs no copying goroutine, and Wait
	// returns when the process exits even if a child it left behind still
	// holds the pipes.
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	cmd.SysProcAttr = sysProcAttr()
	s.cmd = cmd
	s.started = time.Now()
	err = cmd.Start()
	close(s.spawned)
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		s.srv.Close()
		stdoutR.Close()
		stderrR.Close()
		return nil, &FunctionError{Function: f.cfg.Name, Type: "Runtime.InvalidEntrypoint", Message: err.Error(), Kind: ErrInit}
	}
	if !f.add(s) {
		killGroup(cmd.Process)
	}

	var readers sync.WaitGroup
	readers.Go(func() { s.readOutput(stdoutR, "stdout") })
	readers.Go(func() { s.readOutput(stderrR, "stderr") })
	go s.watchUsage()
	go func() {
		s.exitErr = cmd.Wait()
		close(s.exited)
		// Whatever the process started dies with it, in its group or not.
		killGroup(cmd.Process)
		killMarked(marker)
		s.srv.Close()
		waitOrClose(&readers, stdoutR, stderrR)
		f.remove(s)
		close(s.done)
	}()
	return s, nil
}

// waitOrClose waits for the output readers to reach the end of the pipes,
// giving up after a second (a process that left its group may hold them).
func waitOrClose(readers *sync.WaitGroup, files ...*os.File) {
	finished := make(chan struct{})
	go func() {
		readers.Wait()
		close(finished)
	}()
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-finished:
	case <-t.C:
	}
	for _, f := range files {
		f.Close()
	}
	<-finished
}

// waitReady waits for the runtime's first poll of /next, or its failure.
func (s *sandbox) waitReady(ctx context.Context) error {
	t := time.NewTimer(s.f.pool.opts.InitTimeout)
	defer t.Stop()
	name := s.f.cfg.Name
	select {
	case <-s.ready:
		return nil
	case fe := <-s.initFailed:
		return fe
	case <-s.exited:
		select {
		case fe := <-s.initFailed:
			return fe
		default:
		}
		if s.f.ctx.Err() != nil {
			return ErrClosed
		}
		return &FunctionError{Function: name, Type: "Runtime.ExitError",
			Message: fmt.Sprintf("Error: Runtime exited during init: %s", exitText(s.exitErr)), Kind: ErrInit}
	case <-t.C:
		return &FunctionError{Function: name, Type: "Sandbox.Timedout",
			Message: fmt.Sprintf("Error: init did not finish within %s: the runtime never polled %s/invocation/next", s.f.pool.opts.InitTimeout, runtimePrefix), Kind: ErrInit}
	case <-ctx.Done():
		return fmt.Errorf("lambdaemu: %s: starting: %w", name, ctx.Err())
	case <-s.f.ctx.Done():
		return ErrClosed
	}
}

// isReady reports whether the runtime has polled for work.
func (s *sandbox) isReady() bool {
	select {
	case <-s.ready:
		return true
	default:
		return false
	}
}

func (s *sandbox) dead() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// kill ends the process group. It does not wait; s.done tells when all is
// gone.
func (s *sandbox) kill() {
	// The Runtime API can ask for a kill before cmd.Start has returned.
	<-s.spawned
	killGroup(s.cmd.Process)
}

func newInvocation(payload []byte) *invocation {
	return &invocation{id: uuid.NewString(), payload: payload, done: make(chan outcome, 1)}
}

// startClock starts inv's timeout as it goes to the runtime, as Lambda's
// clock starts when the invocation is sent.
func (inv *invocation) startClock(timeout time.Duration) {
	inv.handed = time.Now()
	inv.deadline = inv.handed.Add(timeout)
	inv.timer = time.NewTimer(timeout)
}

// deliver hands inv to the runtime's /next poll or invocation stream.
func (s *sandbox) deliver(ctx context.Context, inv *invocation) outcome {
	inv.startClock(s.f.cfg.Timeout)
	select {
	case s.next <- inv:
		return outcome{state: delivered}
	case <-s.exited:
		inv.timer.Stop()
		return outcome{state: undelivered, err: s.crashError(inv)}
	case <-inv.timer.C:
		// The runtime did not ask for work within the whole timeout.
		s.kill()
		return outcome{state: died, err: s.timeoutError(inv)}
	case <-ctx.Done():
		inv.timer.Stop()
		return outcome{state: unused, err: fmt.Errorf("lambdaemu: %s: %w", s.f.cfg.Name, ctx.Err())}
	case <-s.f.ctx.Done():
		inv.timer.Stop()
		return outcome{state: undelivered, err: ErrClosed}
	}
}

// await waits for the runtime's answer to inv, the process's end, or the
// timeout. ctx ending first gives abandoned; the caller may await again.
func (s *sandbox) await(ctx context.Context, inv *invocation) outcome {
	select {
	case o := <-inv.done:
		inv.timer.Stop()
		s.report(inv)
		return o
	case <-s.exited:
		inv.timer.Stop()
		// A runtime may answer, then exit (Node.js after an uncaught
		// exception): the answer counts.
		select {
		case o := <-inv.done:
			o.state = died
			return o
		default:
		}
		if s.f.ctx.Err() != nil {
			return outcome{state: died, err: ErrClosed}
		}
		s.report(inv)
		return outcome{state: died, err: s.crashError(inv)}
	case <-inv.timer.C:
		select {
		case o := <-inv.done:
			// The answer came as the clock ran out: it counts, and the
			// sandbox may be running the next call already.
			s.report(inv)
			return o
		default:
		}
		s.kill()
		s.f.pool.emit(LogLine{Time: time.Now(), Function: s.f.cfg.Name, RequestID: inv.id, Stream: "platform",
			Text: fmt.Sprintf("%s Task timed out after %.2f seconds", inv.id, s.f.cfg.Timeout.Seconds())})
		return outcome{state: died, err: s.timeoutError(inv)}
	case <-ctx.Done():
		return outcome{state: abandoned, err: fmt.Errorf("lambdaemu: %s: %w", s.f.cfg.Name, ctx.Err())}
	}
}

func (s *sandbox) timeoutError(inv *invocation) error {
	return &FunctionError{Function: s.f.cfg.Name, RequestID: inv.id, Type: "Sandbox.Timedout",
		Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, s.f.cfg.Timeout.Seconds()), Kind: ErrTimeout}
}

// crashError describes the exit of the process; call it after s.exited.
func (s *sandbox) crashError(inv *invocation) error {
	if s.oom.Load() {
		return &FunctionError{Function: s.f.cfg.Name, RequestID: inv.id, Type: "Runtime.OutOfMemory",
			Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s (memory above %d MB)", inv.id, exitText(s.exitErr), s.f.cfg.MemoryMB),
			Kind:    ErrOutOfMemory}
	}
	return &FunctionError{Function: s.f.cfg.Name, RequestID: inv.id, Type: "Runtime.ExitError",
		Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", inv.id, exitText(s.exitErr)), Kind: ErrCrash}
}

// exitText says how a process ended, as Lambda words it.
func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	return err.Error()
}

// report logs Lambda's END and REPORT lines for an invocation.
func (s *sandbox) report(inv *invocation) {
	d := time.Since(inv.handed)
	ms := float64(d) / float64(time.Millisecond)
	text := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		inv.id, ms, int64(math.Ceil(ms)), s.f.cfg.MemoryMB, s.maxRSS.Load()>>20)
	if !s.invoked.Swap(true) {
		text += fmt.Sprintf("\tInit Duration: %.2f ms", float64(s.readyAt.Sub(s.started))/float64(time.Millisecond))
	}
	now := time.Now()
	s.f.pool.emit(LogLine{Time: now, Function: s.f.cfg.Name, RequestID: inv.id, Stream: "platform", Text: "END RequestId: " + inv.id})
	s.f.pool.emit(LogLine{Time: now, Function: s.f.cfg.Name, RequestID: inv.id, Stream: "platform", Text: text})
}

func (s *sandbox) handleNext(w http.ResponseWriter, r *http.Request) {
	s.polls.Add(1)
	s.markReady()
	var inv *invocation
	select {
	case inv = <-s.next:
	case <-r.Context().Done():
		return
	case <-s.exited:
		return
	}
	s.begin(inv)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// A length, not chunks, whatever the event's size: one form for
	// runtime clients to read.
	h.Set("Content-Length", strconv.Itoa(len(inv.payload)))
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", s.functionARN())
	h.Set("Lambda-Runtime-Trace-Id", traceID(time.Now()))
	w.WriteHeader(http.StatusOK)
	w.Write(inv.payload)
}

// markReady notes the runtime's first ask for work: its init is over.
func (s *sandbox) markReady() {
	s.readyOnce.Do(func() {
		s.readyAt = time.Now()
		close(s.ready)
	})
}

// begin makes inv the invocation in progress as it goes to the runtime.
func (s *sandbox) begin(inv *invocation) {
	s.current.Store(inv)
	s.logID.Store(&inv.id)
	s.f.pool.emit(LogLine{Time: time.Now(), Function: s.f.cfg.Name, RequestID: inv.id, Stream: "platform",
		Text: "START RequestId: " + inv.id + " Version: $LATEST"})
}

// functionARN is the ARN the runtime is told it runs as.
func (s *sandbox) functionARN() string {
	return "arn:aws:lambda:" + s.region() + ":" + accountID + ":function:" + s.f.cfg.Name
}

// region is the function's AWS_REGION.
func (s *sandbox) region() string {
	if r := s.f.cfg.Env["AWS_REGION"]; r != "" {
		return r
	}
	return s.f.pool.opts.Region
}

// traceID makes an X-Ray trace header of the form Lambda sends.
func traceID(t time.Time) string {
	id := strings.ReplaceAll(uuid.NewString(), "-", "")
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0;Lineage=1", t.Unix(), id[:24], id[16:32])
}

// finish completes the current invocation if id names it, and answers
// the runtime's post.
func (s *sandbox) finish(w http.ResponseWriter, id string, o outcome) {
	if !s.settle(id, o) {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", fmt.Sprintf("%s is not the invocation in progress", id))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`)
}

// settle completes the current invocation with o if id names it.
func (s *sandbox) settle(id string, o outcome) bool {
	_, ok := s.settleAndHandOn(id, o, false)
	return ok
}

// settleAndHandOn completes the current invocation with o if id names it,
// and with handOn takes the function's longest waiting call for the
// sandbox to run next (nil when none waits): the sandbox is then not
// released by the finished call.
func (s *sandbox) settleAndHandOn(id string, o outcome, handOn bool) (*waiter, bool) {
	s.complete.Lock()
	inv := s.current.Load()
	if inv == nil || inv.id != id {
		s.complete.Unlock()
		return nil, false
	}
	s.current.Store(nil)
	s.complete.Unlock()
	var next *waiter
	if handOn {
		f := s.f
		f.mu.Lock()
		next = f.handOnLocked(s)
		f.mu.Unlock()
		o.handedOn = next != nil
	}
	inv.done <- o // buffered, and reached once: current is cleared
	return next, true
}

func (s *sandbox) handleResponse(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadBytes+1))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	if len(body) > MaxPayloadBytes {
		s.finish(w, id, s.tooLarge(id))
		return
	}
	s.finish(w, id, outcome{state: finished, body: body})
}

// tooLarge is the outcome of a response beyond Lambda's payload limit.
func (s *sandbox) tooLarge(id string) outcome {
	return outcome{state: finished, err: &FunctionError{Function: s.f.cfg.Name, RequestID: id,
		Type:    "Function.ResponseSizeTooLarge",
		Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxPayloadBytes), Kind: ErrHandler}}
}

func (s *sandbox) handleError(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	fe := s.readError(r, id, ErrHandler)
	s.finish(w, id, outcome{state: finished, err: fe})
}

func (s *sandbox) handleInitError(w http.ResponseWriter, r *http.Request) {
	fe := s.readError(r, "", ErrInit)
	select {
	case s.initFailed <- fe:
	default: // reported once already
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`)
	// Lambda does not keep a sandbox whose init failed.
	go s.kill()
}

// readError reads Lambda's error shape {errorType, errorMessage, stackTrace}.
func (s *sandbox) readError(r *http.Request, id string, kind error) *FunctionError {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxErrorBytes))
	return s.parseError(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"), id, kind)
}

// parseError turns an error body, and the type its header names, into the
// function's error.
func (s *sandbox) parseError(body []byte, headerType, id string, kind error) *FunctionError {
	var e struct {
		ErrorType    string   `json:"errorType"`
		ErrorMessage string   `json:"errorMessage"`
		StackTrace   []string `json:"stackTrace"`
	}
	fe := &FunctionError{Function: s.f.cfg.Name, RequestID: id, Kind: kind}
	if json.Unmarshal(body, &e) == nil && (e.ErrorType != "" || e.ErrorMessage != "") {
		fe.Type, fe.Message, fe.StackTrace = e.ErrorType, e.ErrorMessage, e.StackTrace
	} else {
		fe.Message = string(bytes.TrimSpace(body))
	}
	if fe.Type == "" {
		fe.Type = headerType
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe
}

func writeRuntimeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}

// nodeLine matches a line of the Node.js bootstrap's console: time,
// request id, level, message.
var nodeLine = regexp.MustCompile(`^\d{4}-\d\d-\d\dT[\d:.]+Z\t([^\t]*)\t(INFO|DEBUG|WARN|ERROR|TRACE|FATAL)\t(.*)$`)

// pythonLine matches a line of the Python bootstrap's logging: level,
// time, request id, message.
var pythonLine = regexp.MustCompile(`^\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\]\t\d{4}-\d\d-\d\dT[\d:.]+Z\t([^\t]*)\t(.*)$`)

// parseRuntimeLine splits a line the bootstraps format into request id,
// level and message (whose newlines they sent as carriage returns).
func parseRuntimeLine(line string) (id, level, text string, ok bool) {
	if m := nodeLine.FindStringSubmatch(line); m != nil {
		id, level, text = m[1], m[2], m[3]
	} else if m := pythonLine.FindStringSubmatch(line); m != nil {
		level, id, text = m[1], m[2], m[3]
	} else {
		return "", "", "", false
	}
	if id == "undefined" {
		id = ""
	}
	return id, level, strings.ReplaceAll(text, "\r", "\n"), true
}

// readOutput sends each line the process writes to the pool's log.
func (s *sandbox) readOutput(r io.Reader, stream string) {
	br := bufio.NewReaderSize(r, maxLineBytes)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			l := LogLine{Time: time.Now(), Function: s.f.cfg.Name, Stream: stream, Text: strings.TrimRight(string(line), "\r\n")}
			if id, level, text, ok := parseRuntimeLine(l.Text); ok {
				// The bootstrap says which invocation wrote it.
				l.RequestID, l.Level, l.Text = id, level, text
			} else if id := s.logID.Load(); id != nil {
				l.RequestID = *id
			}
			s.f.pool.emit(l)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// watchUsage samples the process every Options.MemoryCheckInterval: it
// kills the process when its resident memory passes MemoryMB, keeps the
// peak for REPORT lines, and keeps how much of a CPU the process has
// lately wanted (cpuDemand), which tells the function whether another
// process would run beside this one or only take turns with it.
func (s *sandbox) watchUsage() {
	probe := openProbe(s.cmd.Process.Pid)
	defer probe.close()
	limit := int64(s.f.cfg.MemoryMB) << 20
	t := time.NewTicker(s.f.pool.opts.MemoryCheckInterval)
	defer t.Stop()
	var lastDemand time.Duration
	var lastAt time.Time
	for {
		if rss, ok := probe.resident(); ok {
			if rss > s.maxRSS.Load() {
				s.maxRSS.Store(rss)
			}
			if rss > limit {
				s.oom.Store(true)
				s.kill()
				return
			}
		}
		if d, ok := probe.demand(); ok {
			now := time.Now()
			if !lastAt.IsZero() {
				share := min(float64(d-lastDemand)/float64(now.Sub(lastAt)), 1)
				// Half the last interval, half what came before: a
				// process that starts or stops computing shows within
				// a few intervals.
				s.cpuDemand.Store(math.Float64bits((math.Float64frombits(s.cpuDemand.Load()) + share) / 2))
			}
			lastDemand, lastAt = d, now
		}
		select {
		case <-t.C:
		case <-s.exited:
			return
		}
	}
}

// demand is the share of a CPU the process lately wanted, 0 to 1.
func (s *sandbox) demand() float64 { return math.Float64frombits(s.cpuDemand.Load()) }
