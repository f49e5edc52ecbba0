package publish

import (
	"context"
	"errors"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/gitlink"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// errTokenLost: the database names a token file that is gone.
var errTokenLost = model.Errorf(model.EINVALID, "The saved token is missing from the secrets folder: enter the token again.")

// linkError is a *model.Error for the user that keeps gitlink's error in
// its chain, so callers can still test errors.Is(err, gitlink.ErrConflict)
// and errors.As(err, **gitlink.ConflictError).
type linkError struct {
	user  *model.Error
	cause error
}

func (e *linkError) Error() string   { return e.user.Message }
func (e *linkError) Unwrap() []error { return []error{e.user, e.cause} }

// gitError turns a gitlink error into one with a message a user can act
// on. gitlink has already replaced secrets by "***" in its messages.
// Errors without a gitlink code (a host that does not resolve, a refused
// connection) are about the repository the user chose too, so they are
// shown rather than hidden as internal errors.
func gitError(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	detail := clean(err)
	var ce *gitlink.ConflictError
	var u *model.Error
	switch {
	case errors.As(err, &ce):
		u = model.Errorf(model.ECONFLICT, "Not committed: %s %s.", strings.Join(ce.Files, ", "), strings.TrimSuffix(ce.Reason, "."))
	case errors.Is(err, gitlink.ErrNothingToCommit):
		u = model.Errorf(model.EINVALID, "Nothing to commit: the repository is up to date.")
	case errors.Is(err, gitlink.ErrBranchMissing):
		u = model.Errorf(model.EINVALID, "The repository has no such branch (%s). Create it?", detail)
	case errors.Is(err, gitlink.ErrAuth):
		u = model.Errorf(model.EINVALID, "Authentication failed: check the token or SSH key (%s).", detail)
	case errors.Is(err, gitlink.ErrNotFound):
		u = model.Errorf(model.EINVALID, "Repository not found, or not a Git repository (%s).", detail)
	case errors.Is(err, gitlink.ErrCredentialsInURL):
		u = model.Errorf(model.EINVALID, "The repository URL must not contain a user name, password or token: remove the part before \"@\" and enter the token in the HTTPS token field.")
	case errors.Is(err, gitlink.ErrInvalid):
		u = model.Errorf(model.EINVALID, "%s.", upperFirst(detail))
	default:
		u = model.Errorf(model.EINVALID, "Git failed: %s.", detail)
	}
	return &linkError{user: u, cause: err}
}

// clean strips gitlink's package prefix and trailing code from a message.
func clean(err error) string {
	msg := strings.TrimPrefix(err.Error(), "gitlink: ")
	msg = strings.TrimSuffix(msg, ": "+gitlink.ErrInvalid.Error())
	return strings.TrimSuffix(msg, ".")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
