//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

func TestDeleteStack_Cascades(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	s := MustOpenPath(t, path)
	keep := MustCreate(t, s, MustExample(t, "echo", "keep"))
	st := MustExample(t, "chat", "chat")
	st.Functions[0].Environment = map[string]string{"MODE": "x"}
	st.APIs[0].Authorizer = &model.Authorizer{Name: "Auth", IdentitySources: []string{"route.request.header.Auth"}}
	created := MustCreate(t, s, st)
	created.Description = "two revisions"
	if _, err := s.SaveStack(ctx, created); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteStack(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.Stack(ctx, created.ID)
	assertCode(t, err, model.ENOTFOUND, "no stack")

	db := MustRawDB(t, path)
	for _, table := range []string{"nodes", "apis", "routes", "authorizers", "functions", "function_env", "dynamo_tables", "wires", "revisions"} {
		var n int
		if err := db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM %s WHERE stack_id = ?`, table), created.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows of the deleted stack left", table, n)
		}
	}
	// The other stack is whole.
	got, err := s.Stack(ctx, keep.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, got, MustExample(t, "echo", "keep"))
}

func TestDeleteNode_CascadesToWires(t *testing.T) {
	t.Parallel()
	path := storetest.Path(t, "switchboard.db")
	s := MustOpenPath(t, path)
	st := MustCreate(t, s, MustExample(t, "chat", "chat"))
	db := MustRawDB(t, path)
	// The model removes a function and its wires together; so does SQL.
	if _, err := db.Exec(`DELETE FROM nodes WHERE stack_id = ? AND id = 'fn8'`, st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM nodes WHERE stack_id = ? AND id = 'api1'`, st.ID); err != nil {
		t.Fatal(err)
	}
	want := MustExample(t, "chat", "chat")
	want.RemoveNode("fn8")
	want.RemoveNode("api1")
	// A new Store reads the tables; s would answer from the state it wrote,
	// since the tables are meant to change only through a Store.
	got, err := MustOpenPath(t, path).Stack(context.Background(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, got, want)
	var routes int
	if err := db.QueryRow(`SELECT count(*) FROM routes WHERE stack_id = ?`, st.ID).Scan(&routes); err != nil {
		t.Fatal(err)
	}
	if routes != 0 {
		t.Fatalf("%d routes outlived their API", routes)
	}
}

func TestUndoRedo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.Path(t, "switchboard.db")
	s := MustOpenPath(t, path)
	versions := []*model.Stack{MustCreate(t, s, MustExample(t, "chat", "chat"))}
	for i := 2; i <= 4; i++ {
		next := versions[len(versions)-1].Clone()
		next.Description = fmt.Sprintf("version %d", i)
		next.Functions[0].Position.X = float64(i * 100)
		if i == 3 {
			next.RemoveNode("tbl9")
		}
		if i == 4 {
			next.Functions[1].Name = "Renamed"
		}
		saved, err := s.SaveStack(ctx, next)
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, saved)
	}
	id := versions[0].ID
	check := func(t *testing.T, s interface {
		Stack(context.Context, int64) (*model.Stack, error)
	}, revision int64) {
		t.Helper()
		got, err := s.Stack(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != revision {
			t.Fatalf("head = %d, want %d", got.Revision, revision)
		}
		assertSameStack(t, got, versions[revision-1])
	}

	_, err := s.Undo(ctx, id, 3)
	assertCode(t, err, model.ECONFLICT, `stack "chat" changed since revision 3 (now 4)`)
	_, err = s.Redo(ctx, id, 4)
	assertCode(t, err, model.EINVALID, "nothing to redo")

	for rev := int64(4); rev > 1; rev-- {
		st, err := s.Undo(ctx, id, rev)
		if err != nil {
			t.Fatal(err)
		}
		if st.Revision != rev-1 {
			t.Fatalf("Undo returned revision %d, want %d", st.Revision, rev-1)
		}
		assertSameStack(t, st, versions[rev-2])
		check(t, s, rev-1)
	}
	_, err = s.Undo(ctx, id, 1)
	assertCode(t, err, model.EINVALID, "nothing to undo")
	if _, err := s.Redo(ctx, id, 1); err != nil {
		t.Fatal(err)
	}
	check(t, s, 2)

	// History survives a restart, head and all.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = MustOpenPath(t, path)
	check(t, s, 2)
	revs, err := s.Revisions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 4 || revs[0].Revision != 4 || revs[3].Revision != 1 || !revs[2].Head || revs[0].Head {
		t.Fatalf("revisions = %+v", revs)
	}
	if _, err := s.Redo(ctx, id, 2); err != nil {
		t.Fatal(err)
	}
	check(t, s, 3)

	// Saving after an undo drops the redo branch and numbers on from the head.
	edit, err := s.Stack(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	edit.Description = "a new branch"
	saved, err := s.SaveStack(ctx, edit)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Revision != 4 {
		t.Fatalf("saved revision = %d, want 4", saved.Revision)
	}
	_, err = s.Redo(ctx, id, 4)
	assertCode(t, err, model.EINVALID, "nothing to redo")
	at4, err := s.StackAtRevision(ctx, id, 4)
	if err != nil {
		t.Fatal(err)
	}
	assertSameStack(t, at4, edit)
	revs, err = s.Revisions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 4 || !revs[0].Head {
		t.Fatalf("revisions = %+v", revs)
	}
}

func TestUndo_ErrNameTaken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t)
	st := MustCreate(t, s, MustExample(t, "chat", "first"))
	st.Name = "second"
	renamed, err := s.SaveStack(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	MustCreate(t, s, MustExample(t, "echo", "first"))
	_, err = s.Undo(ctx, renamed.ID, renamed.Revision)
	assertCode(t, err, model.ECONFLICT, `a stack named "first" already exists`)
	got, err := s.Stack(ctx, renamed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "second" || got.Revision != 2 {
		t.Fatalf("stack = %q at %d; want second at 2", got.Name, got.Revision)
	}
}
