//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestParametersAndCodeFolderPersist: a stack's parameters keep the
// difference between no default and an empty one, the code path "." (the
// service folder) is stored, and the folder a stack was imported from
// survives an edit and its undo.
func TestParametersAndCodeFolderPersist(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t)
	st := MustExample(t, "echo", "params")
	port, empty := "3001", ""
	st.Parameters = []*model.Parameter{{Name: "WsPort", Default: &port, Description: "d"}, {Name: "LogEvents", Default: &empty}, {Name: "Secret"}}
	st.Functions[0].CodePath = "."
	st.Functions[0].Environment = map[string]string{"WS_PORT": "${WsPort}"}
	st.ImportedFrom = "/home/me/service"
	created := MustCreate(t, s, st)
	got, err := s.Stack(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, got, st)
	if got.Parameters[1].Default == nil || *got.Parameters[1].Default != "" || got.Parameters[2].Default != nil {
		t.Fatalf("defaults: %+v %+v", got.Parameters[1], got.Parameters[2])
	}
	edited, _, err := s.Edit(ctx, got.ID, got.Revision, func(x *model.Stack) error {
		x.Parameters = x.Parameters[:1]
		x.Functions[0].CodePath = "src"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(edited.Parameters) != 1 || edited.ImportedFrom != st.ImportedFrom {
		t.Fatalf("after the edit: %d parameters, folder %q", len(edited.Parameters), edited.ImportedFrom)
	}
	undone, err := s.Undo(ctx, edited.ID, edited.Revision)
	if err != nil {
		t.Fatal(err)
	}
	reread, err := s.Stack(ctx, undone.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, reread, st)
}
