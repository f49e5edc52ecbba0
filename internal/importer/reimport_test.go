package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// changedLines returns the lines of a and b that differ, position by position;
// it fails when the two have different line counts.
func changedLines(t *testing.T, a, b []byte) []string {
	t.Helper()
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	if len(al) != len(bl) {
		t.Fatalf("the exports have %d and %d lines:\n%s\n---\n%s", len(al), len(bl), a, b)
	}
	var out []string
	for i := range al {
		if al[i] != bl[i] {
			out = append(out, al[i]+" → "+bl[i])
		}
	}
	return out
}

// reimported imports the template the golden file testdata names, as the
// stack a user would edit, and returns it with its export.
func reimportBase(t *testing.T, file string) (*model.Stack, []byte) {
	t.Helper()
	res, err := importer.Parse(file, mustRead(t, file))
	if err != nil {
		t.Fatal(err)
	}
	st := res.Stack
	st.Name, st.ID, st.Revision = "edited", 7, 3
	out, err := export.YAML(st)
	if err != nil {
		t.Fatal(err)
	}
	return st, out
}

// TestReimportChangesOnlyTheEdit: export → edit one property → reimport →
// export differs only by that property, and every node, route and wire
// keeps its ID and every node its position; a kept resource (an "other")
// is edited the same way.
func TestReimportChangesOnlyTheEdit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, from, to string
	}{
		{"modelled property", "      MemorySize: 128\n      Role: !GetAtt SendHandlerRole.Arn", "      MemorySize: 512\n      Role: !GetAtt SendHandlerRole.Arn"},
		{"kept resource", "MessageRetentionPeriod: 1209600", "MessageRetentionPeriod: 86400"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev, before := reimportBase(t, "../export/testdata/kept.yaml")
			if !bytes.Contains(before, []byte(tc.from)) {
				t.Fatalf("the export has no %q:\n%s", tc.from, before)
			}
			edited := bytes.Replace(before, []byte(tc.from), []byte(tc.to), 1)
			res, err := importer.Reimport(context.Background(), "template.yaml", edited, prev, web.Geometry)
			if err != nil {
				t.Fatal(err)
			}
			next := res.Stack
			after, err := export.YAML(next)
			if err != nil {
				t.Fatal(err)
			}
			diff := changedLines(t, before, after)
			if len(diff) != 1 {
				t.Fatalf("the export differs in %d lines, want 1: %q", len(diff), diff)
			}
			if next.Name != prev.Name || next.ID != prev.ID {
				t.Errorf("the stack is %q (%d), want %q (%d)", next.Name, next.ID, prev.Name, prev.ID)
			}
			// Only the edit differs in the stack document too: IDs and
			// positions are the same.
			pj, nj := stackJSON(t, prev), stackJSON(t, next)
			if d := changedLines(t, pj, nj); len(d) != 1 {
				t.Errorf("the stack document differs in %d lines, want 1: %q", len(d), d)
			}
		})
	}
}

// TestReimportNewAndRenamedObjects: a node renamed in the text is a new
// node with an ID the stack never had, placed where it overlaps no other;
// the rest keep their IDs.
func TestReimportNewAndRenamedObjects(t *testing.T) {
	t.Parallel()
	prev, before := reimportBase(t, "../export/testdata/chat.yaml")
	edited := bytes.ReplaceAll(before, []byte("Connections"), []byte("Sessions"))
	res, err := importer.Reimport(context.Background(), "template.yaml", edited, prev, web.Geometry)
	if err != nil {
		t.Fatal(err)
	}
	next := res.Stack
	checkIDs(t, next)
	oldIDs := map[string]bool{}
	for _, n := range prev.Nodes() {
		oldIDs[n.ID] = true
	}
	var table model.NodeRef
	for _, n := range next.Nodes() {
		if n.Name == "Sessions" {
			table = n
			continue
		}
		o, ok := prevNode(prev, n.Name)
		if !ok || o.ID != n.ID || o.Position != n.Position {
			t.Errorf("node %s is %s at %v, want it as it was (%v)", n.Name, n.ID, n.Position, o)
		}
	}
	if table.Node == nil {
		t.Fatal("no table Sessions after the rename")
	}
	if oldIDs[table.ID] {
		t.Errorf("the renamed table has ID %s, which the stack had", table.ID)
	}
	for _, n := range next.Nodes() {
		if n.ID != table.ID && overlaps(n.Position, table.Position) {
			t.Errorf("the new table at %v overlaps %s at %v", table.Position, n.Name, n.Position)
		}
	}
	if len(next.WiresTo(table.ID, model.WireReadWrite)) == 0 {
		t.Error("the renamed table lost its wires")
	}
}

func prevNode(s *model.Stack, name string) (model.NodeRef, bool) {
	for _, n := range s.Nodes() {
		if n.Name == name {
			return n, true
		}
	}
	return model.NodeRef{}, false
}

func overlaps(a, b model.Position) bool {
	return a.X < b.X+220 && b.X < a.X+220 && a.Y < b.Y+120 && b.Y < a.Y+120
}

// TestImportErrorsSayWhere: a syntax error and a stack problem each carry
// their line, for the Template tab to mark.
func TestImportErrorsSayWhere(t *testing.T) {
	t.Parallel()
	prev, before := reimportBase(t, "../export/testdata/chat.yaml")
	_, err := importer.Reimport(context.Background(), "template.yaml", append(before, []byte("  : [\n")...), prev, web.Geometry)
	var se *importer.SourceError
	if !errors.As(err, &se) || se.Line == 0 || se.Msg == "" {
		t.Fatalf("a syntax error gave %v (%#v), want a SourceError with a line", err, se)
	}
	if model.ErrorCode(err) != model.EINVALID {
		t.Errorf("code %q, want invalid", model.ErrorCode(err))
	}
	bad := bytes.Replace(before, []byte("RouteKey: sendMessage"), []byte("RouteKey: $connect"), 1)
	_, err = importer.Reimport(context.Background(), "template.yaml", bad, prev, web.Geometry)
	var ve *model.ValidationError
	var stErr *importer.StackError
	if !errors.As(err, &ve) || !errors.As(err, &stErr) {
		t.Fatalf("a route key used twice gave %v, want a StackError with the problems", err)
	}
	at := stErr.Lines[ve.Problems[0].Resource]
	lines := strings.Split(string(bad), "\n")
	// A resource's place is where its body starts, the line under its
	// logical ID in YAML; a route's is its own resource's.
	if at < 2 || at > len(lines) || lines[at-2] != "  ChatApiSendMessageRoute:" {
		t.Errorf("the problem %q is placed at line %d", ve.Problems[0].Message, at)
	}
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func stackJSON(t *testing.T, s *model.Stack) []byte {
	t.Helper()
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}
