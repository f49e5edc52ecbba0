package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-dev/switchboard/internal/tempdir"
)

// Lambda's defaults and limits that the emulator applies.
const (
	// DefaultTimeout is Lambda's default function timeout.
	DefaultTimeout = 3 * time.Second
	// DefaultMemoryMB is Lambda's default memory size.
	DefaultMemoryMB = 128
	// DefaultInitTimeout is Lambda's limit on a function's init phase.
	DefaultInitTimeout = 10 * time.Second
	// DefaultIdleTimeout is how long a process beyond a function's first
	// stays idle before it stops: long enough to serve the next burst
	// warm, short enough that a burst does not leave a machine's memory
	// taken by processes nobody calls.
	DefaultIdleTimeout = time.Minute
	// MaxPayloadBytes is Lambda's limit on a synchronous invocation's
	// request and response (6 MB).
	MaxPayloadBytes = 6 * 1024 * 1024
)

// DefaultConcurrency is how many processes of one function may run at
// once when neither the function (its reserved concurrency) nor the run
// says: Lambda scales a function to hundreds of execution environments,
// this machine cannot. Handlers mostly wait on I/O (DynamoDB,
// @connections), so it allows several processes per CPU, and no more than
// half the available memory holds at the function's memory size.
func DefaultConcurrency(memoryMB int) int {
	if memoryMB <= 0 {
		memoryMB = DefaultMemoryMB
	}
	n := 8 * max(runtime.NumCPU(), 1)
	if avail, ok := availableMemory(); ok {
		n = min(n, int(avail/2/(int64(memoryMB)<<20)))
	}
	return max(n, 2)
}

// FunctionConfig describes one function to run.
type FunctionConfig struct {
	Name     string            // the function's logical name in the stack (model.Function.Name)
	Runtime  string            // model runtime, e.g. "nodejs24.x", "provided.al2023"
	Handler  string            // e.g. "index.handler"
	CodeDir  string            // absolute path of the code folder
	MemoryMB int               // enforced; 0 means DefaultMemoryMB
	Timeout  time.Duration     // enforced per invocation; 0 means DefaultTimeout
	Env      map[string]string // extra environment (table names, @connections URL, AWS_ENDPOINT_URL_DYNAMODB, credentials...)
	// MaxConcurrency caps this function's processes, like Lambda's reserved
	// concurrency; 0 means Options.MaxConcurrency.
	MaxConcurrency int
	// Interpreter is the node or python executable for this function,
	// such as one FindInterpreter picked for its runtime's version; ""
	// means Options.Node or Options.Python.
	Interpreter string
	// LayerDirs are the folders of the function's layers, in the order
	// Lambda applies them (a later one wins): what Lambda unpacks in /opt.
	// Their nodejs/node_modules, or python, folders go on the module path
	// before the SDK's, as /opt's do on Lambda.
	LayerDirs []string
	// WarmFirst starts the function's first process before those of the
	// functions without it (Pool.Warm): a first connection waits for it.
	WarmFirst bool
}

// LogLine is one line a function process wrote, or one of the START, END
// and REPORT lines Lambda itself logs around an invocation.
type LogLine struct {
	Time      time.Time
	Function  string
	RequestID string // the invocation being handled when the line was written; "" between invocations
	Stream    string // "stdout", "stderr" or "platform"
	Level     string // INFO, WARN, ERROR... for lines of Node.js's console; "" otherwise
	Text      string // without the trailing newline; may span lines for a console call
}

// Options configures a Pool. The zero value works.
type Options struct {
	// OnLog, when set, receives every log line of every function, for
	// streaming to the UI. Calls are serialized (never concurrent) and come
	// from the goroutines reading the processes' output and serving the
	// Runtime API, so OnLog must not block for long and must not call the
	// Pool. No call happens after Close returns.
	OnLog func(LogLine)
	// Node is the node executable for nodejs runtimes; "" looks up "node"
	// on PATH.
	Node string
	// NodePath is a node_modules directory that handlers can import from
	// although it is not beside their code, as Lambda's Node.js runtimes
	// provide the AWS SDK for JavaScript v3. It becomes NODE_PATH for
	// require, and a fallback for import of bare specifiers.
	NodePath string
	// Python is the interpreter for python runtimes, whatever their
	// version; "" looks up python3 on PATH.
	Python string
	// PythonPath becomes PYTHONPATH, for packages Lambda's Python runtimes
	// ship (boto3) when the interpreter does not have them.
	PythonPath string
	// NodeSDKMissing and PythonSDKMissing, when set, say why the SDK that
	// Lambda's runtime provides could not be installed (the error of
	// NodeSDK or PythonSDK). A function whose init fails on importing
	// it gets this in its error, naming the fix.
	NodeSDKMissing, PythonSDKMissing error
	// Host is the loopback address the Runtime API listens on; "" means
	// 127.0.0.1. Each process gets its own port, as each Lambda sandbox has
	// its own Runtime API.
	Host string
	// MaxConcurrency is the default cap on processes per function; 0 means
	// DefaultConcurrency for the function's memory size.
	MaxConcurrency int
	// InitTimeout bounds a process's start until its first poll of
	// /invocation/next; 0 means DefaultInitTimeout. As many processes start
	// at once as there are CPUs; the clock runs from a process's own start.
	InitTimeout time.Duration
	// Region sets AWS_REGION and AWS_DEFAULT_REGION unless FunctionConfig.Env
	// does; "" means us-east-1.
	Region string
	// IdleTimeout is how long a process beyond a function's last one may
	// stay idle before it is stopped, so a burst of concurrent invocations
	// does not leave its processes running; 0 means DefaultIdleTimeout, a
	// negative value keeps them until Close.
	IdleTimeout time.Duration
	// MemoryCheckInterval is how often a process's resident memory is
	// compared with its MemoryMB; 0 means 50ms.
	MemoryCheckInterval time.Duration
}

// Pool runs warm function processes and invokes them. Its methods are safe
// for concurrent use.
type Pool struct {
	logger  *slog.Logger
	opts    Options
	tempDir string // holds the Node.js bootstrap

	logMu sync.Mutex // serializes OnLog
	// starting holds one token per process initializing: inits are CPU
	// bound (node loading the AWS SDK takes a core for a while), and ten
	// at once on two cores would each miss Lambda's 10 s init limit.
	starting chan struct{}

	pythonMu sync.Mutex
	pythons  map[string]string // Options.Python or python3 → the interpreter's real path

	mu     sync.Mutex
	fns    map[string]*function
	order  []*function // fns in the order Replace was given them
	closed bool

	bg sync.WaitGroup // background restarts and abandoned invocations

	// ownCPU is the share of the CPUs this process (the gateway, the
	// Runtime API) lately wanted, a float64's bits, sampled until
	// stopSampling closes: functions scale out only into CPUs that
	// neither it nor their processes want.
	ownCPU       atomic.Uint64
	stopSampling chan struct{}
}

// New returns a Pool with no functions; Start gives it some. It writes the
// Node.js bootstrap to a temporary directory that Close removes.
func New(ctx context.Context, logger *slog.Logger, opts Options) (*Pool, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.InitTimeout <= 0 {
		opts.InitTimeout = DefaultInitTimeout
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MemoryCheckInterval <= 0 {
		opts.MemoryCheckInterval = 50 * time.Millisecond
	}
	if opts.NodePath != "" {
		abs, err := filepath.Abs(opts.NodePath)
		if err != nil {
			return nil, fmt.Errorf("lambdaemu: node path: %w", err)
		}
		opts.NodePath = abs
	}
	// Processes handlers detach become ours when their parent exits, to
	// be killed and reaped with their sandbox.
	becomeSubreaper()
	dir, err := tempdir.Make("switchboard-lambda")
	if err != nil {
		return nil, fmt.Errorf("lambdaemu: %w", err)
	}
	if err := writeBootstraps(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p := &Pool{logger: logger, opts: opts, tempDir: dir, fns: map[string]*function{},
		starting: make(chan struct{}, max(runtime.NumCPU(), 1)), stopSampling: make(chan struct{})}
	p.bg.Go(p.sampleOwnCPU)
	return p, nil
}

// sampleOwnCPU keeps ownCPU up to date until Close, as watchUsage does for
// each function process.
func (p *Pool) sampleOwnCPU() {
	t := time.NewTicker(p.opts.MemoryCheckInterval)
	defer t.Stop()
	var last time.Duration
	var lastAt time.Time
	for {
		if d, ok := ownDemand(); ok {
			now := time.Now()
			if !lastAt.IsZero() {
				share := max(float64(d-last)/float64(now.Sub(lastAt)), 0)
				p.ownCPU.Store(math.Float64bits((math.Float64frombits(p.ownCPU.Load()) + share) / 2))
			}
			last, lastAt = d, now
		}
		select {
		case <-t.C:
		case <-p.stopSampling:
			return
		}
	}
}

// Start stops the functions the pool runs and starts fns instead, each
// with one warm process: Replace, then Warm. It returns once every warm
// process polls the Runtime API, or with the errors (joined) of those that
// failed to initialize; such a function stays registered and each Invoke
// tries it again, as Lambda does, so fixing its code needs no new Start.
// ctx bounds the start-up only; the processes live until the next Start or
// Close. Invocations still running on the replaced functions fail with
// ErrClosed. A config error (no name, a name twice, a relative CodeDir)
// fails Start before anything is stopped.
func (p *Pool) Start(ctx context.Context, fns []FunctionConfig) error {
	if err := p.Replace(fns); err != nil {
		return err
	}
	return p.Warm(ctx)
}

// Replace stops the functions the pool runs and registers fns instead,
// with no process yet: until Warm starts one, an Invoke starts a
// function's first process itself, and one that comes while that process
// starts waits for it, as a call waits for a Lambda cold start. A config
// error fails Replace before anything is stopped.
func (p *Pool) Replace(fns []FunctionConfig) error {
	next := make(map[string]*function, len(fns))
	order := make([]*function, 0, len(fns))
	for _, cfg := range fns {
		if cfg.Name == "" {
			return errors.New("lambdaemu: a function has no name")
		}
		if next[cfg.Name] != nil {
			return fmt.Errorf("lambdaemu: function %s is given twice", cfg.Name)
		}
		f, err := p.newFunction(cfg)
		if err != nil {
			return err
		}
		next[cfg.Name] = f
		order = append(order, f)
	}

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	old := p.fns
	p.fns, p.order = next, order
	p.mu.Unlock()
	for _, f := range old {
		f.stop()
	}
	if p.opts.IdleTimeout > 0 {
		for _, f := range next {
			p.goBackground(func() { f.reapIdle(p.opts.IdleTimeout) })
		}
	}
	return nil
}

// Warm starts a process for each function that has none, and returns once
// they poll the Runtime API, or with the errors (joined) of those that
// failed to initialize. The functions marked WarmFirst start first and the
// others once those are ready: start-ups compete for the CPUs, and the
// first connection waits for the ones marked (its $connect handler).
func (p *Pool) Warm(ctx context.Context) error {
	p.mu.Lock()
	order := p.order
	p.mu.Unlock()
	var errs []error
	for _, first := range []bool{true, false} {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, f := range order {
			if f.cfg.WarmFirst != first {
				continue
			}
			wg.Go(func() {
				if err := f.warm(ctx); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
	}
	return errors.Join(errs...)
}

// Invoke runs the function with payload, a JSON event, and returns its JSON
// result. A failure of the function itself is a *FunctionError wrapping
// ErrHandler, ErrTimeout, ErrCrash, ErrOutOfMemory or ErrInit; after a
// crash or timeout the process is replaced, so the next Invoke works.
// Concurrent calls run in separate processes, started on demand up to the
// function's concurrency cap; beyond it, calls wait for a free process.
func (p *Pool) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	p.mu.Lock()
	f, closed := p.fns[function], p.closed
	p.mu.Unlock()
	switch {
	case closed:
		return nil, ErrClosed
	case f == nil:
		return nil, fmt.Errorf("lambdaemu: %w %q", ErrUnknownFunction, function)
	case len(payload) > MaxPayloadBytes:
		return nil, fmt.Errorf("lambdaemu: %s: %w: %d bytes, Lambda allows %d", function, ErrPayloadTooLarge, len(payload), MaxPayloadBytes)
	case !json.Valid(payload):
		return nil, fmt.Errorf("lambdaemu: %s: payload is not JSON (Lambda takes JSON events)", function)
	}
	return f.invoke(ctx, payload)
}

// Close stops every process (killing its process group and every process
// it started that left the group, so nothing survives), waits for them and
// frees their ports. Invocations in
// flight fail with ErrClosed.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.stopSampling)
	fns := p.fns
	p.fns, p.order = nil, nil
	p.mu.Unlock()
	for _, f := range fns {
		f.stop()
	}
	p.bg.Wait()
	if err := os.RemoveAll(p.tempDir); err != nil {
		return fmt.Errorf("lambdaemu: %w", err)
	}
	return nil
}

// emit sends a log line to slog and to Options.OnLog.
func (p *Pool) emit(l LogLine) {
	// Lambda's own START/END/REPORT lines would drown the function's
	// output in a terminal; the UI gets them all through OnLog. When OnLog
	// is set it shows the lines, so slog gets them only at debug level:
	// at info they would show twice on a terminal where both write.
	level := slog.LevelInfo
	if l.Stream == "platform" || p.opts.OnLog != nil {
		level = slog.LevelDebug
	}
	p.logger.LogAttrs(context.Background(), level, "function log",
		slog.String("function", l.Function), slog.String("request_id", l.RequestID),
		slog.String("stream", l.Stream), slog.String("level", l.Level), slog.String("line", l.Text))
	if p.opts.OnLog == nil {
		return
	}
	p.logMu.Lock()
	defer p.logMu.Unlock()
	p.opts.OnLog(l)
}
