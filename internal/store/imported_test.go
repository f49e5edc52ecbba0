//go:build !race

// These tests drive the store from one goroutine: the race detector has
// nothing of theirs to watch, so `make test` runs them once, without it
// (RACE_SPLIT in the Makefile; concurrency_test.go runs under -race).

package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// MustImport imports a fixture of the importer's tests.
func MustImport(tb testing.TB, file, name string) *model.Stack {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", "importer", "testdata", file))
	if err != nil {
		tb.Fatal(err)
	}
	res, err := importer.Parse(file, data)
	if err != nil {
		tb.Fatal(err)
	}
	res.Stack.Name = name
	return res.Stack
}

// TestImportedStackKeepsWhatItKept stores stacks that keep unmodelled parts,
// others and sections, and reads them back from the tables with a new
// Store, after a create, a move of an other node, a save and an undo.
func TestImportedStackKeepsWhatItKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, file := range []string{"cfn/chat.yaml", "cdk/chat.template.json", "sam/chat.yaml"} {
		t.Run(file, func(t *testing.T) {
			path := storetest.Path(t, "switchboard.db")
			s := MustOpenPath(t, path)
			want := MustImport(t, file, "imported")
			if len(want.Others) == 0 || len(want.Sections) == 0 {
				t.Fatalf("the fixture must keep others and sections")
			}
			created := MustCreate(t, s, want)
			fresh := func() *model.Stack {
				t.Helper()
				got, err := MustOpenPath(t, path).Stack(ctx, created.ID)
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			assertSameStack(t, fresh(), want)

			other := want.Others[0]
			to := model.Position{X: 1500, Y: 42}
			moved, err := s.MoveNode(ctx, created.ID, created.Revision, other.ID, to)
			if err != nil {
				t.Fatal(err)
			}
			other.Position = to
			assertSameStack(t, fresh(), want)

			edit := moved.Clone()
			edit.RemoveNode(edit.Others[len(edit.Others)-1].ID)
			edit.Sections = edit.Sections[1:]
			edit.Functions[0].Kept = nil
			saved, err := s.SaveStack(ctx, edit)
			if err != nil {
				t.Fatal(err)
			}
			assertSameStack(t, fresh(), edit)

			if _, err := s.Undo(ctx, created.ID, saved.Revision); err != nil {
				t.Fatal(err)
			}
			assertSameStack(t, fresh(), want)
		})
	}
}

func TestImportedStackConstraints(t *testing.T) {
	t.Parallel()
	path := storetest.Path(t, "switchboard.db")
	MustOpenPath(t, path)
	db := MustRawDB(t, path)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stacks (id, name, head_revision, created_at, updated_at) VALUES (1, 's', 1, '', '');
		INSERT INTO revisions (stack_id, revision, document, created_at) VALUES (1, 1, '{}', '')`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]string{
		"other_resource":     `INSERT INTO others VALUES (1, 'o1', 0, 'Queue', 'AWS::SQS::Queue', '[1]', 0, 0)`,
		"other_type":         `INSERT INTO others VALUES (1, 'o1', 0, 'Queue', 'Queue', '{}', 0, 0)`,
		"other_logical_name": `INSERT INTO others VALUES (1, 'o1', 0, 'my-queue', 'AWS::SQS::Queue', '{}', 0, 0)`,
		"section_key":        `INSERT INTO stack_sections VALUES (1, 'Resources', 0, '{}')`,
		"section_value":      `INSERT INTO stack_sections VALUES (1, 'Parameters', 0, '{')`,
	} {
		if _, err := db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: want the %s constraint to refuse it, got %v", q, name, err)
		}
	}
}
