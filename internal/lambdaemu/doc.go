// Package lambdaemu runs a stack's Lambda functions on the local machine, for
// real: it serves the Lambda Runtime API on 127.0.0.1 and starts each
// function as a warm process that polls it, the way a Lambda execution
// environment does.
//
//   - nodejs* runtimes run an embedded bootstrap (node/bootstrap.mjs) with the
//     system's node. It loads the handler from the code folder (index.handler
//     → index.js, index.mjs or index.cjs, export handler; async or callback
//     style), reports errors in Lambda's shape, and formats console output as
//     Lambda does. Options.NodePath makes a node_modules folder (with the AWS
//     SDK for JavaScript v3, which Lambda's runtimes ship) resolvable for both
//     require and import, after the function's own node_modules. NodeSDK
//     installs a pinned SDK set into a per-user cache for that (sdk.go);
//     PythonSDK does the same for boto3. FindInterpreter picks a node or
//     python of the runtime's version (node22, python3.12) when PATH has one.
//     Differences from Lambda: callback-style handlers work on every nodejs
//     runtime (Lambda dropped them from nodejs24.x), and the callback's result
//     is sent at once (callbackWaitsForEmptyEventLoop is not honoured).
//     Once the handler is loaded it takes its invocations from an
//     invocation stream on its Runtime API (stream.go), one write each way
//     per invocation, rather than an HTTP poll and post each. Console
//     lines go to stdout as they are written, as on Lambda, so the last
//     line before a hang that times out is still seen.
//     A process whose call ends sends the function's next queued call
//     itself, so it does not idle while Switchboard's goroutines pass the
//     call along.
//   - python* runtimes run an embedded bootstrap (python/bootstrap.py) with
//     the system's python3 (Options.Python), whatever version the runtime
//     names: it imports the handler (app.handler, pkg/mod.handler), reports
//     errors and init errors (syntax errors with file:line:column) in
//     Lambda's shape, and formats the logging module's lines as Lambda does.
//     boto3 must be importable by that interpreter, or in Options.PythonPath.
//   - provided.* runtimes run CodeDir/bootstrap as is: any binary speaking the
//     Runtime API, such as a Go handler built with aws-lambda-go.
//   - Other runtimes (java*, ruby*) give an error wrapping
//     ErrUnsupportedRuntime.
//
// Each process gets its own Runtime API listener (a port on 127.0.0.1), as
// each Lambda sandbox has its own: AWS's runtime clients differ in whether
// AWS_LAMBDA_RUNTIME_API may carry a path (aws-lambda-go appends to it; the
// Node.js client splits host and port), so a plain host:port is the one form
// every client accepts.
//
// What is enforced, and how:
//
//   - Timeout: per invocation, from the moment it goes to a warm process;
//     past it the process group is killed and Invoke returns an error wrapping
//     ErrTimeout. Init (until the first poll of /next) is bounded separately
//     by Options.InitTimeout, 10 s like Lambda's; as many processes
//     initialize at once as there are CPUs, each timed from its own start.
//   - Memory: node gets --max-old-space-size of 90% of MemoryMB, and on Linux
//     a watchdog samples the process's resident set (/proc/PID/statm, kept
//     open, every
//     Options.MemoryCheckInterval) and kills the process group when it passes
//     MemoryMB; Invoke then returns an error wrapping ErrOutOfMemory. Only the
//     function's main process is measured, not children it starts. No rlimit
//     is set: RLIMIT_AS counts reserved address space, which V8 and the Go
//     runtime reserve far beyond what they use, so any useful limit would stop
//     them from starting; RLIMIT_RSS is ignored by Linux; cgroups need
//     privileges Switchboard does not assume.
//   - Concurrency: one invocation per process at a time; concurrent Invokes
//     start more processes on demand, up to FunctionConfig.MaxConcurrency or
//     Options.MaxConcurrency (default DefaultConcurrency: several per CPU,
//     bounded by half the available memory at the function's memory size);
//     beyond it they wait. A call that finds every process busy waits a few
//     milliseconds for one first, and then starts another only while the
//     function's processes, those starting and Switchboard itself want less
//     CPU than the machine has (run and run-queue time from /proc on Linux):
//     handlers that wait on I/O scale out to the cap, as on Lambda; handlers
//     that compute get about a process per CPU, since more would only take
//     turns with each other. A function's first process stays warm until
//     Start or Close; the others stop after Options.IdleTimeout idle (a
//     minute by default).
//   - Payload: 6 MB each way, as for Lambda's synchronous invocations.
//
// A crash (the process exits mid-invocation) fails that invocation at once
// with ErrCrash; after a crash, timeout or out-of-memory kill the process is
// replaced in the background so the next Invoke finds a warm one. Processes
// run in their own process group, which is killed when they end, so nothing
// a handler starts outlives it; on Linux they also die with Switchboard.
//
// The environment is Lambda's (AWS_LAMBDA_FUNCTION_NAME, _HANDLER,
// LAMBDA_TASK_ROOT, AWS_REGION, TZ=:UTC, dummy credentials unless
// FunctionConfig.Env gives some, ...), not Switchboard's: only PATH is
// passed through, so real credentials of the user never reach a handler.
package lambdaemu
