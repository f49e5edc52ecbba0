package lambdaemu

import (
	"errors"
	"fmt"
)

// The kinds of failure an Invoke can end in. Every *FunctionError wraps
// exactly one of them, so callers can tell them apart with errors.Is and
// still read Lambda's error type and message with errors.As.
var (
	// ErrHandler: the function reported an error for the invocation (it
	// threw, or its runtime posted to /invocation/{id}/error).
	ErrHandler = errors.New("function returned an error")
	// ErrTimeout: the invocation ran past the function's timeout; the
	// process was killed.
	ErrTimeout = errors.New("function timed out")
	// ErrCrash: the process exited while handling the invocation.
	ErrCrash = errors.New("function process exited")
	// ErrOutOfMemory: the process used more memory than the function's
	// MemoryMB and was killed.
	ErrOutOfMemory = errors.New("function ran out of memory")
	// ErrInit: the function could not start (syntax error, missing module
	// or bootstrap, init code that threw or exited, init timeout).
	ErrInit = errors.New("function failed to initialize")
)

// Errors about the call itself rather than the function.
var (
	// ErrUnknownFunction: Invoke named a function Start was not given.
	ErrUnknownFunction = errors.New("unknown function")
	// ErrClosed: the pool was closed.
	ErrClosed = errors.New("lambdaemu: pool is closed")
	// ErrPayloadTooLarge: the payload is over Lambda's 6 MB limit for a
	// synchronous invocation.
	ErrPayloadTooLarge = errors.New("payload too large")
	// ErrUnsupportedRuntime: the runtime cannot run locally yet.
	ErrUnsupportedRuntime = errors.New("runtime cannot run locally yet")
)

// FunctionError is a failed invocation as Lambda reports it: the error type
// and message a caller of the Invoke API would get, for example
// {Type: "Error", Message: "boom"} for a handler that threw, or
// {Type: "Sandbox.Timedout", Message: "RequestId: … Error: Task timed out
// after 3.00 seconds"}. Kind is one of ErrHandler, ErrTimeout, ErrCrash,
// ErrOutOfMemory, ErrInit, and is what Unwrap returns.
type FunctionError struct {
	Function   string
	RequestID  string
	Type       string
	Message    string
	StackTrace []string
	Kind       error
}

// Error implements error.
func (e *FunctionError) Error() string {
	return fmt.Sprintf("lambdaemu: %s: %s: %s: %s", e.Function, e.Kind, e.Type, e.Message)
}

// Unwrap returns the kind of failure, so errors.Is(err, ErrTimeout) works.
func (e *FunctionError) Unwrap() error { return e.Kind }
