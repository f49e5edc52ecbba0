package model

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Every layer wraps errors on the way up; only the edges (the
// HTTP server, the command line) turn a code into a status and a message.
const (
	ECONFLICT = "conflict"
	EINTERNAL = "internal"
	EINVALID  = "invalid"
	ENOTFOUND = "not_found"
)

// Error is an error a user can act on: its Message is shown as it is.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return e.Message
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error or *ValidationError in err's
// chain, and EINTERNAL for anything else.
func ErrorCode(err error) string {
	var e *Error
	var v *ValidationError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &v):
		return EINVALID
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message a user may see for err. Internal errors
// are not described, since their text can hold paths or SQL.
func ErrorMessage(err error) string {
	var e *Error
	var v *ValidationError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &v):
		return v.Error()
	case errors.As(err, &e):
		return e.Message
	}
	return "Internal error."
}

// Problem is one thing wrong with a stack, named precisely enough for the
// canvas to select the resource and highlight the field.
type Problem struct {
	Severity Severity `json:"severity"`
	// Incomplete marks an error a stack may have while it is being drawn,
	// such as a route not wired yet: the store keeps such a stack, the
	// export refuses it.
	Incomplete bool `json:"incomplete,omitempty"`
	// Resource is the ID of the node, route or wire at fault; empty for the
	// stack itself.
	Resource string `json:"resource,omitempty"`
	// Field is the JSON name of the field at fault, such as "memorySize" or
	// "routes[2].key".
	Field string `json:"field,omitempty"`
	// Message names the resource and the field in words, so it reads on its
	// own in a terminal or a problems list.
	Message string `json:"message"`
}

// String returns the message.
func (p Problem) String() string {
	return p.Message
}

// ValidationError carries every problem Validate found, not just the first.
type ValidationError struct {
	Problems []Problem
}

// Error lists all the problems, one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if len(lines) == 1 {
		return "invalid stack: " + lines[0]
	}
	return fmt.Sprintf("invalid stack: %d problems:\n  %s", len(lines), strings.Join(lines, "\n  "))
}
