package publish

import (
	"context"
	"io"

	"github.com/switchboard-dev/switchboard/internal/gitlink"
)

// The Git names the edges (server, command line) need to talk about a
// commit, so that they reach Git only through this package.
type (
	// Change is what a commit does, or would do, to one file.
	Change = gitlink.Change
	// Result is a commit made.
	Result = gitlink.Result
	// ConflictError names the files that block a commit.
	ConflictError = gitlink.ConflictError
)

// StatusKept marks a Change to a starter file left alone because it exists.
const StatusKept = gitlink.StatusKept

// Errors that callers test with errors.Is; they are gitlink's own, so a
// chain from either package matches.
var (
	ErrBranchMissing    = gitlink.ErrBranchMissing
	ErrNothingToCommit  = gitlink.ErrNothingToCommit
	ErrCredentialsInURL = gitlink.ErrCredentialsInURL
)

// DisplayURL is a repository address as it may be shown or logged, with
// any credentials in it replaced.
func DisplayURL(repo string) string { return gitlink.DisplayURL(repo) }

// WithProgress returns a context under which Git operations report their
// steps and the remote's progress to w.
func WithProgress(ctx context.Context, w io.Writer) context.Context {
	return gitlink.WithProgress(ctx, w)
}
