package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// TestFailureOf: one function decides the status and message of every
// failed request, whatever wrapped the error on the way up.
func TestFailureOf(t *testing.T) {
	t.Parallel()
	storage := fmt.Errorf("store: save: %w", errors.Join(model.Errorf(model.EINTERNAL, "The database x.db is read-only."), store.ErrStorage))
	validation := &model.ValidationError{Problems: []model.Problem{{Severity: model.SeverityError, Message: "Memory must be at least 128 MB."}, {Severity: model.SeverityError, Message: "b"}}}
	tests := []struct {
		name     string
		err      error
		status   int
		message  string
		internal bool
	}{
		{"not found", fmt.Errorf("x: %w", model.Errorf(model.ENOTFOUND, "No such stack.")), http.StatusNotFound, "No such stack.", false},
		{"conflict", &editError{model.Errorf(model.ECONFLICT, "taken")}, http.StatusConflict, "taken", false},
		{"validation", fmt.Errorf("store: edit: %w", validation), http.StatusUnprocessableEntity, "Memory must be at least 128 MB. (and 1 more problems)", false},
		{"bad request", badRequest("%q is not a valid node ID", "../x"), http.StatusBadRequest, `"../x" is not a valid node ID`, false},
		{"too large", fmt.Errorf("parse: %w", &http.MaxBytesError{Limit: 1 << 20}), http.StatusRequestEntityTooLarge, "the limit is 1 MB", false},
		{"template too large", errTemplateTooLarge, http.StatusRequestEntityTooLarge, "at most 2 MB", false},
		{"cancelled", fmt.Errorf("import: %w", context.Canceled), http.StatusServiceUnavailable, "cancelled", false},
		{"storage", storage, http.StatusServiceUnavailable, "read-only", true},
		{"internal", errors.New("sql: secret detail"), http.StatusInternalServerError, "Internal error.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := failureOf(tt.err)
			if f.status != tt.status || !strings.Contains(f.message, tt.message) || f.internal != tt.internal {
				t.Errorf("failureOf = %d %q internal=%v, want %d %q internal=%v", f.status, f.message, f.internal, tt.status, tt.message, tt.internal)
			}
			if strings.Contains(f.message, "secret") {
				t.Errorf("an internal error's text reached the user: %q", f.message)
			}
		})
	}
}
