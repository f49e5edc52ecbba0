package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestInvokeNodeHandlers(t *testing.T) {
	tests := []struct {
		name    string
		handler string
		files   map[string]string
		event   string
		want    string
	}{
		{
			name:  "async ES module",
			files: map[string]string{"index.mjs": `export const handler = async (event) => ({ got: event.msg });`},
			event: `{"msg":"hi"}`, want: `{"got":"hi"}`,
		},
		{
			name:  "callback style CommonJS",
			files: map[string]string{"index.js": `exports.handler = function (event, context, callback) { setImmediate(() => callback(null, { got: event.msg })); };`},
			event: `{"msg":"cb"}`, want: `{"got":"cb"}`,
		},
		{
			name:  "callback with a string",
			files: map[string]string{"index.js": `exports.handler = (event, context, callback) => callback(null, "plain string");`},
			event: `{}`, want: `"plain string"`,
		},
		{
			name:  "plain function",
			files: map[string]string{"index.js": `exports.handler = (event) => { console.log(event); };`},
			event: `{"a":1}`, want: `null`,
		},
		{
			name:  "cjs extension and undefined result",
			files: map[string]string{"index.cjs": `module.exports.handler = async () => {};`},
			event: `{}`, want: `null`,
		},
		{
			// Megabytes each way arrive in many reads and leave in
			// many writes; é counts two bytes, one character.
			name:  "large event and result",
			files: map[string]string{"index.mjs": `export const handler = async (event) => ({ got: event.msg });`},
			event: `{"msg":"` + strings.Repeat("é", 1<<20) + `"}`, want: `{"got":"` + strings.Repeat("é", 1<<20) + `"}`,
		},
		{
			name:    "handler in a subfolder",
			handler: "src/app.main",
			files:   map[string]string{"src/app.mjs": `export async function main(e) { return e.n * 2; }`},
			event:   `{"n":21}`, want: `42`,
		},
		{
			name: "context and environment",
			files: map[string]string{"index.mjs": `export const handler = async (event, context) => ({
				name: context.functionName, arn: context.invokedFunctionArn.startsWith("arn:aws:lambda:eu-west-1:"),
				id: context.awsRequestId.length, left: context.getRemainingTimeInMillis() > 0,
				mem: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, handler: process.env._HANDLER,
				root: process.env.LAMBDA_TASK_ROOT === process.cwd(), region: process.env.AWS_REGION,
				table: process.env.CHAT_TABLE_NAME, key: process.env.AWS_ACCESS_KEY_ID !== undefined,
				trace: process.env._X_AMZN_TRACE_ID.startsWith("Root=1-"), tz: process.env.TZ,
			});`},
			event: `{}`,
			want:  `{"name":"Fn","arn":true,"id":36,"left":true,"mem":"256","handler":"index.handler","root":true,"region":"eu-west-1","table":"chat-local","key":true,"trace":true,"tz":":UTC"}`,
		},
	}
	var fns []FunctionConfig
	for i, tt := range tests {
		fn := nodeFunction(t, fmt.Sprintf("fn%d", i), tt.files)
		if tt.handler != "" {
			fn.Handler = tt.handler
		}
		if strings.HasPrefix(tt.name, "context") {
			fn.Name = "Fn"
			fn.Env = map[string]string{"CHAT_TABLE_NAME": "chat-local", "AWS_REGION": "eu-west-1"}
		}
		fns = append(fns, fn)
	}
	p := MustPool(t, Options{}, fns...)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := p.Invoke(context.Background(), fns[i].Name, []byte(tt.event))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got %s, want %s", out, tt.want)
			}
		})
	}
}

// pidHandler answers with its process id, and fails as the event asks.
const pidHandler = `
export const handler = async (event) => {
	switch (event.do) {
	case "throw": throw new TypeError("bad input: " + event.why);
	case "reject": return Promise.reject("just a string");
	case "exit": process.exit(3);
	case "uncaught": setImmediate(() => { throw new RangeError("late"); }); return new Promise(() => setTimeout(() => {}, 1e9));
	case "hang": return new Promise((resolve) => setTimeout(resolve, 1e9));
	case "big": return "x".repeat(7 << 20);
	case "log": console.log("hello %s", event.who); console.error("multi\nline"); return process.pid;
	case "grow": {
		const keep = [];
		for (let i = 0; i < 64; i++) { keep.push(Buffer.alloc(16 << 20, 1)); await new Promise((r) => setImmediate(r)); }
		return keep.length;
	}
	}
	return process.pid;
};`

func TestFailuresAndRestart(t *testing.T) {
	t.Parallel() // waits on processes, not the CPU, much of the time
	fn := nodeFunction(t, "Pid", map[string]string{"index.mjs": pidHandler})
	fn.Timeout = 10 * time.Second
	fn.MemoryMB = 128
	// One process at most, so the one after a failure is its replacement.
	fn.MaxConcurrency = 1
	short := fn
	short.Name, short.Timeout = "Short", time.Second
	p := MustPool(t, Options{}, fn, short)
	pids := map[string]int{}
	for _, name := range []string{"Pid", "Short"} {
		pids[name] = MustInvoke[int](t, p, name, map[string]string{})
	}

	tests := []struct {
		fn, event   string
		kind        error
		typ, msg    string
		sameProcess bool
	}{
		{fn: "Pid", event: `{"do":"throw","why":"x"}`, kind: ErrHandler, typ: "TypeError", msg: "bad input: x", sameProcess: true},
		{fn: "Pid", event: `{"do":"reject"}`, kind: ErrHandler, typ: "string", msg: "just a string", sameProcess: true},
		{fn: "Pid", event: `{"do":"big"}`, kind: ErrHandler, typ: "Function.ResponseSizeTooLarge", msg: "exceeded maximum allowed payload size", sameProcess: true},
		// ErrCrash, not ErrTimeout: the crash is seen at once.
		{fn: "Pid", event: `{"do":"exit"}`, kind: ErrCrash, typ: "Runtime.ExitError", msg: "Runtime exited with error: exit status 3"},
		{fn: "Pid", event: `{"do":"uncaught"}`, kind: ErrHandler, typ: "RangeError", msg: "late"},
		{fn: "Pid", event: `{"do":"grow"}`, kind: ErrOutOfMemory, typ: "Runtime.OutOfMemory", msg: "memory above 128 MB"},
		{fn: "Short", event: `{"do":"hang"}`, kind: ErrTimeout, typ: "Sandbox.Timedout", msg: "Task timed out after 1.00 seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			_, err := p.Invoke(context.Background(), tt.fn, []byte(tt.event))
			var fe *FunctionError
			if !errors.As(err, &fe) || !errors.Is(err, tt.kind) {
				t.Fatalf("got %v, want a *FunctionError of kind %v", err, tt.kind)
			}
			if fe.Type != tt.typ || !strings.Contains(fe.Message, tt.msg) || fe.Function != tt.fn || fe.RequestID == "" {
				t.Errorf("got %+v, want type %s and message with %q", fe, tt.typ, tt.msg)
			}
			before := pids[tt.fn]
			after := MustInvoke[int](t, p, tt.fn, map[string]string{})
			if (after == before) != tt.sameProcess {
				t.Errorf("process %d before, %d after; want the same process: %v", before, after, tt.sameProcess)
			}
			if !tt.sameProcess && alive(before) {
				t.Errorf("process %d still runs", before)
			}
			pids[tt.fn] = after
		})
	}
}

func TestInitErrors(t *testing.T) {
	t.Parallel() // waits on processes, not the CPU, much of the time
	MustNode(t)
	tests := []struct {
		name     string
		runtime  string
		handler  string
		files    map[string]string
		kind     error
		typ, msg string
	}{
		{name: "syntax error", files: map[string]string{"index.mjs": "export const handler = async () => 1;\nconst = 2;\n"},
			kind: ErrInit, typ: "Runtime.UserCodeSyntaxError", msg: "index.mjs:2:7: SyntaxError: Unexpected token '='"},
		{name: "syntax error commonjs", files: map[string]string{"index.js": "exports.handler = 1;\nlet x = ;\n"},
			kind: ErrInit, typ: "Runtime.UserCodeSyntaxError", msg: "index.js:2:9: SyntaxError: Unexpected token ';'"},
		{name: "missing module", files: map[string]string{"other.mjs": ""},
			kind: ErrInit, typ: "Runtime.ImportModuleError", msg: "Cannot find module 'index'"},
		{name: "missing import", files: map[string]string{"index.mjs": `import "no-such-package"; export const handler = () => 1;`},
			kind: ErrInit, typ: "Runtime.ImportModuleError", msg: "no-such-package"},
		{name: "no such export", files: map[string]string{"index.mjs": `export const other = () => 1;`},
			kind: ErrInit, typ: "Runtime.HandlerNotFound", msg: "index.handler is undefined or not exported"},
		{name: "init throws", files: map[string]string{"index.mjs": `throw new Error("TABLE_NAME is not set");`},
			kind: ErrInit, typ: "Error", msg: "index.mjs: Error: TABLE_NAME is not set"},
		{name: "init exits", files: map[string]string{"index.mjs": `process.exit(2);`},
			kind: ErrInit, typ: "Runtime.ExitError", msg: "exit status 2"},
		{name: "malformed handler", handler: "index", files: map[string]string{"index.mjs": ``},
			kind: ErrInit, typ: "Runtime.MalformedHandlerName", msg: "Bad handler index"},
		{name: "no bootstrap", runtime: "provided.al2023", files: map[string]string{"main.go": ""},
			kind: ErrInit, typ: "Runtime.InvalidEntrypoint", msg: "bootstrap, which is missing or not executable"},
		{name: "java", runtime: "java21", files: map[string]string{"App.java": ""}, kind: ErrUnsupportedRuntime, msg: "java21"},
	}
	var fns []FunctionConfig
	for i, tt := range tests {
		fn := nodeFunction(t, fmt.Sprintf("fn%d", i), tt.files)
		if tt.runtime != "" {
			fn.Runtime = tt.runtime
		}
		if tt.handler != "" {
			fn.Handler = tt.handler
		}
		fns = append(fns, fn)
	}
	p := MustPool(t, Options{})
	startErr := p.Start(context.Background(), fns)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(startErr.Error(), tt.msg) {
				t.Errorf("Start's error does not mention %q:\n%v", tt.msg, startErr)
			}
			_, err := p.Invoke(context.Background(), fns[i].Name, []byte(`{}`))
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want %v with %q", err, tt.kind, tt.msg)
			}
			var fe *FunctionError
			if tt.typ != "" && (!errors.As(err, &fe) || fe.Type != tt.typ) {
				t.Errorf("got %#v, want type %s", err, tt.typ)
			}
		})
	}
	t.Run("fixed without restart", func(t *testing.T) {
		MustWrite(t, fns[0].CodeDir, map[string]string{"index.mjs": "export const handler = async () => 'fixed';\n"})
		if got := MustInvoke[string](t, p, fns[0].Name, nil); got != "fixed" {
			t.Errorf("got %q", got)
		}
	})
}

// barrier is an HTTP server that answers requests in groups of size, so a
// group passes only if size handlers call it at once.
type barrier struct {
	*httptest.Server
	mu                      sync.Mutex
	waiting, inFlight, most int
	release                 chan struct{}
}

// maxInFlight returns how many requests were in at once, at most.
func (b *barrier) maxInFlight() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.most
}

func newBarrier(tb testing.TB, size int) *barrier {
	b := &barrier{release: make(chan struct{})}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.inFlight++
		b.most = max(b.most, b.inFlight)
		b.waiting++
		gate := b.release
		if b.waiting == size {
			b.waiting = 0
			close(b.release)
			b.release = make(chan struct{})
		}
		b.mu.Unlock()
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		b.mu.Lock()
		b.inFlight--
		b.mu.Unlock()
	}))
	tb.Cleanup(b.Close)
	return b
}

// invokeAll invokes fn n times at once and returns the process ids the
// handler answered.
func invokeAll(t *testing.T, p *Pool, fn string, n int) []int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // processes start slowly on a loaded machine
	defer cancel()
	pids := make([]int, n)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range n {
		wg.Go(func() {
			out, err := p.Invoke(ctx, fn, []byte(`{}`))
			if err != nil || json.Unmarshal(out, &pids[i]) != nil {
				t.Errorf("invoke %d: %s, %v", i, out, err)
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.FailNow()
	}
	return pids
}

const gateHandler = `export const handler = async () => { await fetch(process.env.BARRIER_URL); return process.pid; };`

func TestConcurrentInvokesScaleOut(t *testing.T) {
	t.Parallel() // waits on processes, not the CPU, much of the time
	const limit, calls = 3, 9
	b := newBarrier(t, limit)
	fn := nodeFunction(t, "Gate", map[string]string{"index.mjs": gateHandler})
	fn.Env = map[string]string{"BARRIER_URL": b.URL}
	fn.MaxConcurrency = limit
	p := MustPool(t, Options{}, fn)

	distinct := map[int]bool{}
	for _, pid := range invokeAll(t, p, "Gate", calls) {
		distinct[pid] = true
	}
	if most := b.maxInFlight(); len(distinct) != limit || most != limit {
		t.Errorf("%d processes, at most %d at once; want %d of each", len(distinct), most, limit)
	}
}

func TestIdleProcessesStop(t *testing.T) {
	t.Parallel() // waits on processes, not the CPU, much of the time
	const burst = 3
	b := newBarrier(t, burst)
	fn := nodeFunction(t, "Gate", map[string]string{"index.mjs": gateHandler})
	fn.Env = map[string]string{"BARRIER_URL": b.URL}
	p := MustPool(t, Options{IdleTimeout: 50 * time.Millisecond}, fn)
	distinct := map[int]bool{}
	for _, pid := range invokeAll(t, p, "Gate", burst) {
		distinct[pid] = true
	}
	if len(distinct) != burst {
		t.Fatalf("%d processes served a burst of %d", len(distinct), burst)
	}

	// Some may be stopped already; wait for all but one of the others.
	p.mu.Lock()
	f := p.fns["Gate"]
	p.mu.Unlock()
	f.mu.Lock()
	var done []chan struct{}
	for s := range f.live {
		done = append(done, s.done)
	}
	f.mu.Unlock()
	stopped := make(chan struct{}, burst)
	for _, d := range done {
		go func() {
			<-d
			stopped <- struct{}{}
		}()
	}
	deadline := time.After(10 * time.Second)
	for range len(done) - 1 {
		select {
		case <-stopped:
		case <-deadline:
			t.Fatal("idle processes were not stopped")
		}
	}
	// The last one stays warm.
	select {
	case <-stopped:
		t.Error("the last process was stopped too")
	default:
	}
	if got := len(p.pids()); got != 1 {
		t.Errorf("%d processes left, want 1", got)
	}
}

func TestLogs(t *testing.T) {
	logs := newLogSink()
	fn := nodeFunction(t, "Logger", map[string]string{"index.mjs": pidHandler})
	p := MustPool(t, Options{OnLog: logs.add}, fn)
	payload := []byte(`{"do":"log","who":"world"}`)
	if _, err := p.Invoke(context.Background(), "Logger", payload); err != nil {
		t.Fatal(err)
	}
	start := logs.wait(t, func(l LogLine) bool { return strings.HasPrefix(l.Text, "START RequestId: ") })
	id := start.RequestID
	tests := []LogLine{
		{Function: "Logger", RequestID: id, Stream: "stdout", Level: "INFO", Text: "hello world"},
		{Function: "Logger", RequestID: id, Stream: "stderr", Level: "ERROR", Text: "multi\nline"},
		{Function: "Logger", RequestID: id, Stream: "platform", Text: "END RequestId: " + id},
	}
	for _, want := range tests {
		logs.wait(t, func(l LogLine) bool { l.Time = time.Time{}; return l == want })
	}
	report := logs.wait(t, func(l LogLine) bool { return strings.HasPrefix(l.Text, "REPORT RequestId: "+id) })
	for _, field := range []string{"Duration: ", "Billed Duration: ", "Memory Size: 256 MB", "Max Memory Used: ", "Init Duration: "} {
		if !strings.Contains(report.Text, field) {
			t.Errorf("REPORT line lacks %q: %s", field, report.Text)
		}
	}
}

func TestCloseKillsWholeProcessGroup(t *testing.T) {
	MustNode(t)
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc to tell a zombie from a live process")
	}
	fn := nodeFunction(t, "Spawner", map[string]string{"index.mjs": `
		import { spawn } from "node:child_process";
		export const handler = async () => spawn("sleep", ["1000"], { stdio: "inherit" }).pid;`})
	p, err := New(context.Background(), nil, Options{InitTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background(), []FunctionConfig{fn}); err != nil {
		t.Fatal(err)
	}
	child := MustInvoke[int](t, p, "Spawner", nil)
	pids := append(p.pids(), child)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d survived Close", pid)
		}
	}
	if _, err := p.Invoke(context.Background(), "Spawner", []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: %v, want ErrClosed", err)
	}
}

func TestInvokeBadCalls(t *testing.T) {
	fn := nodeFunction(t, "Echo", map[string]string{"index.mjs": `export const handler = async (e) => e;`})
	p := MustPool(t, Options{}, fn)
	tests := []struct {
		name, function string
		payload        []byte
		want           error
	}{
		{"unknown function", "Nope", []byte(`{}`), ErrUnknownFunction},
		{"oversized payload", "Echo", []byte(`"` + strings.Repeat("x", MaxPayloadBytes) + `"`), ErrPayloadTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := p.Invoke(context.Background(), tt.function, tt.payload); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := p.Invoke(context.Background(), "Echo", []byte(`{not json`)); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("non-JSON payload: %v", err)
	}
}

func TestStartReplacesFunctions(t *testing.T) {
	a := nodeFunction(t, "A", map[string]string{"index.mjs": `export const handler = async () => "a1";`})
	p := MustPool(t, Options{}, a)
	old := p.pids()
	b := nodeFunction(t, "B", map[string]string{"index.mjs": `export const handler = async () => "b";`})
	a.CodeDir = filepath.Join(t.TempDir())
	MustWrite(t, a.CodeDir, map[string]string{"index.mjs": `export const handler = async () => "a2";`})
	if err := p.Start(context.Background(), []FunctionConfig{a, b}); err != nil {
		t.Fatal(err)
	}
	for _, pid := range old {
		if alive(pid) {
			t.Errorf("old process %d still runs", pid)
		}
	}
	if got := MustInvoke[string](t, p, "A", nil); got != "a2" {
		t.Errorf("A answered %q after restart", got)
	}
	if got := MustInvoke[string](t, p, "B", nil); got != "b" {
		t.Errorf("B answered %q", got)
	}
}

func TestCallerLeavesWhileFunctionRuns(t *testing.T) {
	t.Parallel() // waits on processes, not the CPU, much of the time
	fn := nodeFunction(t, "Slow", map[string]string{"index.mjs": `
		export const handler = async () => { await new Promise((r) => setTimeout(r, 300)); return process.pid; };`})
	fn.MaxConcurrency = 1
	p := MustPool(t, Options{}, fn)
	pid := MustInvoke[int](t, p, "Slow", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.Invoke(ctx, "Slow", []byte(`{}`)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	// Lambda lets the function finish; its process then serves the next
	// invocation, which waits for it (one process at most).
	if got := MustInvoke[int](t, p, "Slow", nil); got != pid {
		t.Errorf("process %d answered, want %d again", got, pid)
	}
}

func TestInitTimeout(t *testing.T) {
	t.Parallel() // waits on processes, not the CPU, much of the time
	fn := nodeFunction(t, "Slow", map[string]string{"index.mjs": `
		await new Promise((resolve) => setTimeout(resolve, 1e9));
		export const handler = async () => 1;`})
	p := MustPool(t, Options{InitTimeout: 300 * time.Millisecond})
	err := p.Start(context.Background(), []FunctionConfig{fn})
	var fe *FunctionError
	if !errors.As(err, &fe) || !errors.Is(err, ErrInit) || fe.Type != "Sandbox.Timedout" || !strings.Contains(fe.Message, "init did not finish within 300ms") {
		t.Errorf("got %v, want an init timeout", err)
	}
}
