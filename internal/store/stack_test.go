//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

func TestCreateStack_RoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := map[string]func(testing.TB) *model.Stack{
		"chat":  func(tb testing.TB) *model.Stack { return MustExample(tb, "chat", "chat") },
		"echo":  func(tb testing.TB) *model.Stack { return MustExample(tb, "echo", "echo") },
		"large": func(testing.TB) *model.Stack { return modeltest.Large("large", 200, 1000) },
		"everything": func(testing.TB) *model.Stack {
			// Fields the examples leave at their zero value.
			st := modeltest.Large("everything", 3, 4)
			st.APIs[0].APIKeySelectionExpression = "$request.header.x-api-key"
			st.APIs[0].Routes[0].Authorized = true
			st.APIs[0].Routes[1].APIKeyRequired = true
			st.APIs[0].Authorizer = &model.Authorizer{Name: "Auth", IdentitySources: []string{"route.request.querystring.token", "route.request.header.Auth"}}
			st.Wires = append(st.Wires, &model.Wire{ID: st.NewID("w"), Kind: model.WireAuthorizer, From: st.Functions[2].ID, To: st.APIs[0].ID})
			tb := st.Tables[0]
			tb.SortKey = &model.Key{Name: "at", Type: model.AttributeNumber}
			tb.BillingMode, tb.ReadCapacity, tb.WriteCapacity = model.BillingProvisioned, 5, 7
			tb.TTLAttribute, tb.DeletionPolicy = "expires", model.DeletionDelete
			st.Functions[1].Environment = map[string]string{"A": "1", "B": "two"}
			st.Functions[2].Environment = nil
			st.Functions[0].MemorySize, st.Functions[0].Timeout = 10240, 900
			st.Functions[0].Position = model.Position{X: -12.5, Y: 1e-9}
			return st
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			s := MustOpen(t)
			want := build(t)
			if err := want.ValidateDraft(); err != nil {
				t.Fatal(err)
			}
			created := MustCreate(t, s, want)
			if created.ID == 0 || created.Revision != 1 || created.UpdatedAt.IsZero() {
				t.Fatalf("created: ID %d, Revision %d, UpdatedAt %v", created.ID, created.Revision, created.UpdatedAt)
			}
			assertSameStack(t, created, want)

			got, err := s.Stack(ctx, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != created.ID || got.Revision != 1 || !got.UpdatedAt.Equal(created.UpdatedAt) {
				t.Fatalf("loaded: ID %d, Revision %d, UpdatedAt %v; want %d, 1, %v", got.ID, got.Revision, got.UpdatedAt, created.ID, created.UpdatedAt)
			}
			assertSameStack(t, got, want)

			byName, err := s.StackByName(ctx, want.Name)
			if err != nil {
				t.Fatal(err)
			}
			assertSameStack(t, byName, want)

			at, err := s.StackAtRevision(ctx, created.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			assertSameStack(t, at, want)
		})
	}
}

func TestCreateStack_ErrDuplicateName(t *testing.T) {
	t.Parallel()
	s := MustOpen(t)
	MustCreate(t, s, MustExample(t, "chat", "demo"))
	_, err := s.CreateStack(context.Background(), MustExample(t, "echo", "demo"))
	assertCode(t, err, model.ECONFLICT, `a stack named "demo" already exists`)
}

func TestCreateStack_ErrInvalid(t *testing.T) {
	t.Parallel()
	s := MustOpen(t)
	st := MustExample(t, "echo", "echo")
	st.Functions[0].MemorySize = 64
	_, err := s.CreateStack(context.Background(), st)
	assertCode(t, err, model.EINVALID, "memory must be")
	if list, err := s.Stacks(context.Background()); err != nil || len(list) != 0 {
		t.Fatalf("Stacks = %v, %v; want none", list, err)
	}
}

func TestStack_ErrNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t)
	_, err := s.Stack(ctx, 42)
	assertCode(t, err, model.ENOTFOUND, "no stack with ID 42")
	_, err = s.StackByName(ctx, "nope")
	assertCode(t, err, model.ENOTFOUND, `no stack named "nope"`)
	assertCode(t, s.DeleteStack(ctx, 42), model.ENOTFOUND, "no stack")
	_, err = s.SaveStack(ctx, &model.Stack{ID: 42, Name: "nope", Revision: 1})
	assertCode(t, err, model.ENOTFOUND, "no stack with ID 42")
	_, err = s.Revisions(ctx, 42)
	assertCode(t, err, model.ENOTFOUND, "no stack")
	_, err = s.StackAtRevision(ctx, 42, 1)
	assertCode(t, err, model.ENOTFOUND, "no revision")
}

func TestStacks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t)
	chat := MustCreate(t, s, MustExample(t, "chat", "zebra"))
	echo := MustCreate(t, s, MustExample(t, "echo", "alpha"))
	list, err := s.Stacks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "alpha" || list[1].Name != "zebra" {
		t.Fatalf("Stacks = %+v; want alpha, zebra", list)
	}
	MustCreate(t, s, MustExample(t, "echo", "Beta"))
	if list, err := s.Stacks(ctx); err != nil || len(list) != 3 || list[1].Name != "Beta" {
		t.Fatalf("Stacks = %+v, %v; want Beta second", list, err)
	}
	if l := list[1]; l.ID != chat.ID || l.Resources != 5 || l.Revision != 1 || l.Description != chat.Description || !l.UpdatedAt.Equal(chat.UpdatedAt) {
		t.Fatalf("zebra summary = %+v", l)
	}
	if l := list[0]; l.ID != echo.ID || l.Resources != 2 {
		t.Fatalf("alpha summary = %+v", l)
	}
}

func TestSaveStack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t)
	st := MustCreate(t, s, MustExample(t, "chat", "chat"))

	// A bit of every kind of edit: move, rename (a swap, which in-place
	// updates cannot do), delete, add, rewire.
	st.Functions[0].Position = model.Position{X: 1, Y: 2}
	st.Functions[1].Name, st.Functions[2].Name = st.Functions[2].Name, st.Functions[1].Name
	st.RemoveRoute("rt4")
	st.APIs[0].Routes = append(st.APIs[0].Routes, &model.Route{ID: st.NewID("rt"), Key: "ping", TwoWay: true})
	st.Wires[0].To = "fn8"
	st.Functions[1].Environment = map[string]string{"MODE": "fast"}
	st.Description = "edited"
	saved, err := s.SaveStack(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Revision != 2 {
		t.Fatalf("saved revision = %d, want 2", saved.Revision)
	}
	got, err := s.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, got, st)

	// Only a move: the diff path.
	got.Tables[0].Position.X += 10
	got.Name = "renamed"
	if _, err := s.SaveStack(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, err := s.StackByName(ctx, "renamed")
	if err != nil {
		t.Fatal(err)
	}
	if again.Revision != 3 {
		t.Fatalf("revision = %d, want 3", again.Revision)
	}
	assertSameStack(t, again, got)

	// Remove a node: its wires go too.
	again.RemoveNode("fn6")
	again.Tables = nil
	again.Wires = nil
	if _, err := s.SaveStack(ctx, again); err != nil {
		t.Fatal(err)
	}
	last, err := s.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, last, again)
}

func TestSaveStack_ErrStaleRevision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t)
	st := MustCreate(t, s, MustExample(t, "chat", "chat"))
	first := st.Clone()
	first.Description = "first"
	if _, err := s.SaveStack(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := st.Clone()
	second.Description = "second"
	_, err := s.SaveStack(ctx, second)
	assertCode(t, err, model.ECONFLICT, `stack "chat" changed since revision 1 (now 2); reload and try again`)

	got, err := s.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Description != "first" || got.Revision != 2 {
		t.Fatalf("stack = %q at %d; want first at 2", got.Description, got.Revision)
	}
	revs, err := s.Revisions(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 {
		t.Fatalf("revisions = %+v; want 2", revs)
	}
}

func TestSaveStack_ErrRenameConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t)
	MustCreate(t, s, MustExample(t, "echo", "taken"))
	st := MustCreate(t, s, MustExample(t, "chat", "chat"))
	st.Name = "taken"
	_, err := s.SaveStack(ctx, st)
	assertCode(t, err, model.ECONFLICT, `a stack named "taken" already exists`)
}

func TestSaveStack_ErrInvalidLeavesStack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t)
	st := MustCreate(t, s, MustExample(t, "chat", "chat"))
	st.Functions[0].Timeout = 901
	_, err := s.SaveStack(ctx, st)
	assertCode(t, err, model.EINVALID, "timeout must be")
	got, err := s.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision != 1 || got.Functions[0].Timeout != model.DefaultTimeout {
		t.Fatalf("stack changed: revision %d, timeout %d", got.Revision, got.Functions[0].Timeout)
	}
}

func TestSaveStack_UpdatedAt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t)
	st := MustCreate(t, s, MustExample(t, "echo", "echo"))
	time.Sleep(2 * time.Millisecond)
	saved, err := s.SaveStack(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if !saved.UpdatedAt.After(st.UpdatedAt) {
		t.Fatalf("UpdatedAt %v not after %v", saved.UpdatedAt, st.UpdatedAt)
	}
	got, err := s.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.UpdatedAt.Equal(saved.UpdatedAt) {
		t.Fatalf("loaded UpdatedAt %v, saved %v", got.UpdatedAt, saved.UpdatedAt)
	}
}

// TestSaveStack_TwoStores checks that a Store does not trust the rows it
// remembers writing once another Store has changed the stack.
func TestSaveStack_TwoStores(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	a, b := MustOpenPath(t, path), MustOpenPath(t, path)
	st := MustCreate(t, a, MustExample(t, "chat", "chat"))

	// b undoes nothing but saves a different state at revision 2 ...
	fromB, err := b.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	fromB.RemoveWire("w17")
	fromB.Functions[0].Position.X = 7
	if _, err := b.SaveStack(ctx, fromB); err != nil {
		t.Fatal(err)
	}
	// ... then a, which remembers revision 1, saves on top of it.
	fromA, err := a.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	fromA.Functions[1].Position.X = 8
	if _, err := a.SaveStack(ctx, fromA); err != nil {
		t.Fatal(err)
	}
	got, err := b.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, got, fromA)
	if got.Wire("w17") != nil {
		t.Fatal("wire w17 came back")
	}
}

// TestSaveStack_TablesChangedBehindTheStore checks that a save still works
// when the tables no longer hold the rows the Store remembers writing.
func TestSaveStack_TablesChangedBehindTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	s := MustOpenPath(t, path)
	st := MustCreate(t, s, MustExample(t, "chat", "chat"))
	db := MustRawDB(t, path)
	if _, err := db.Exec(`DELETE FROM wires WHERE stack_id = ? AND id = 'w17'`, st.ID); err != nil {
		t.Fatal(err)
	}
	st.RemoveWire("w17")
	st.Functions[0].Position.Y = 99
	if _, err := s.SaveStack(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, err := s.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, got, st)
}

func TestOpen_Memory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpenPath(t, ":memory:")
	st := MustCreate(t, s, MustExample(t, "echo", "echo"))
	got, err := s.Stack(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, got, st)
}

// TestDeleteStack_IDNeverReused deletes the newest stack and creates another:
// it gets a new ID, so a bookmark, tab or run of the deleted stack cannot
// reach the new one.
func TestDeleteStack_IDNeverReused(t *testing.T) {
	t.Parallel()
	s := MustOpen(t)
	first := MustCreate(t, s, &model.Stack{Name: "first"})
	if err := s.DeleteStack(context.Background(), first.ID); err != nil {
		t.Fatal(err)
	}
	second := MustCreate(t, s, &model.Stack{Name: "second"})
	if second.ID <= first.ID {
		t.Fatalf("second stack got ID %d after stack %d was deleted", second.ID, first.ID)
	}
}

// assertCode fails unless err carries the model error code, and its
// message contains want.
func assertCode(tb testing.TB, err error, code, want string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want %s %q", code, want)
	}
	if got := model.ErrorCode(err); got != code {
		tb.Fatalf("error code = %s, want %s; error: %v", got, code, err)
	}
	if !strings.Contains(model.ErrorMessage(err), want) {
		tb.Fatalf("error message %q does not contain %q", model.ErrorMessage(err), want)
	}
	var me *model.Error
	var ve *model.ValidationError
	if !errors.As(err, &me) && !errors.As(err, &ve) {
		tb.Fatalf("error %v is not a model error", err)
	}
}
