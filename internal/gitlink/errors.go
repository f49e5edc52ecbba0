package gitlink

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Error codes. Errors returned by gitlink wrap at most one of them, with
// context around it; test with errors.Is.
var (
	// ErrInvalid: the Link or a file path is not usable; the message says why.
	ErrInvalid = errors.New("invalid link")
	// ErrAuth: the remote refused the credentials, or asked for some.
	ErrAuth = errors.New("authentication failed")
	// ErrNotFound: the repository does not exist (or is hidden from these
	// credentials), or a local folder is not empty and not a repository.
	ErrNotFound = errors.New("repository not found")
	// ErrBranchMissing: the remote has no such branch. The caller may offer
	// to create it by setting Link.CreateBranch.
	ErrBranchMissing = errors.New("branch missing")
	// ErrConflict: the commit would overwrite changes made by someone else,
	// upstream or uncommitted in the local working tree. errors.As with
	// *ConflictError gives the files.
	ErrConflict = errors.New("conflict")
	// ErrCredentialsInURL: the repository URL holds a user name, password
	// or token. It also matches ErrInvalid. Callers point the user at their
	// own way of giving a token.
	ErrCredentialsInURL = fmt.Errorf("credentials in the URL: %w", ErrInvalid)
	// ErrTooBig: a file in the repository is larger than MaxFileSize, so it
	// is not read. Commit and Preview report it as a *ConflictError naming
	// the file; ReadFile returns it.
	ErrTooBig = errors.New("file too big")
	// ErrNothingToCommit: every file is already up to date; no commit was made.
	ErrNothingToCommit = errors.New("nothing to commit")
)

// errEmptyRemote: the remote has no branches at all (git init --bare, a
// new GitHub repository). It matches ErrBranchMissing, but the first
// commit creates the branch without asking: there is nothing to branch
// from and nothing to overwrite.
var errEmptyRemote = fmt.Errorf("the repository is empty: %w", ErrBranchMissing)

// ConflictError names the files that block a commit. It matches ErrConflict.
type ConflictError struct {
	// Files are the conflicting paths, relative to Link.Folder.
	Files []string
	// Reason says who changed them, e.g. "changed upstream".
	Reason string
	// Foreign: the files were already in a folder the caller did not
	// write (see Link.IsOwner); Link.Overwrite replaces them.
	Foreign bool
}

// Error implements error.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("gitlink: conflict: %s: %s", strings.Join(e.Files, ", "), e.Reason)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("gitlink: %s: %w", fmt.Sprintf(format, args...), ErrInvalid)
}

// safeError carries a message with the secrets removed. Its chain holds the
// error code and, when its own message holds no secret, the original error
// (so errors.Is(err, context.Canceled) still works).
type safeError struct {
	msg  string
	errs []error
}

func (e *safeError) Error() string   { return e.msg }
func (e *safeError) Unwrap() []error { return e.errs }

// transportError wraps an error from go-git's transport layer: it picks an
// error code, removes secrets from the message and adds what was being done.
func transportError(op string, l Link, err error) error {
	if err == nil {
		return nil
	}
	var code error
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
	case errors.Is(err, ErrAuth), errors.Is(err, transport.ErrAuthenticationRequired),
		errors.Is(err, transport.ErrAuthorizationFailed),
		strings.Contains(msg, "unable to authenticate"), strings.Contains(msg, "Permission denied"):
		code = ErrAuth
	case errors.Is(err, transport.ErrRepositoryNotFound):
		code = ErrNotFound
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		code = ErrBranchMissing
	}
	return redactError(fmt.Sprintf("gitlink: %s %s", op, l.displayRepo()), code, err, l.Auth.secrets())
}

// redactError builds "prefix: code: err" with every secret replaced by "***".
func redactError(prefix string, code, err error, secrets []string) error {
	msg := err.Error()
	clean := redact(msg, secrets)
	full := prefix + ": " + clean
	if code != nil && !errors.Is(err, code) && !strings.Contains(clean, code.Error()) {
		full = prefix + ": " + code.Error() + ": " + clean
	}
	e := &safeError{msg: full}
	if code != nil {
		e.errs = append(e.errs, code)
	}
	if clean == msg {
		e.errs = append(e.errs, err)
	}
	return e
}

func redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, redacted)
	}
	return s
}

// tooBigError is a file over MaxFileSize; it matches ErrTooBig.
type tooBigError struct {
	path  string
	size  int64
	limit int64 // 0: MaxFileSize
}

func (e *tooBigError) Error() string {
	if e.limit > 0 {
		return fmt.Sprintf("%s is %s, over the %s limit for an object fetched from a repository", e.path, megabytes(e.size), megabytes(e.limit))
	}
	return fmt.Sprintf("%s is %s, over the %s limit for a file Switchboard reads", e.path, megabytes(e.size), megabytes(MaxFileSize))
}

func (e *tooBigError) Is(target error) bool { return target == ErrTooBig }

func megabytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// tooBigConflict turns the files over MaxFileSize into a conflict naming them.
func tooBigConflict(files []string) error {
	return &ConflictError{Files: files, Reason: fmt.Sprintf("larger than %s, the limit for a file Switchboard reads; it never loads such a file: move or shrink it, or choose another folder", megabytes(MaxFileSize))}
}
