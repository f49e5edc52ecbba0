package importer_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// TestLoadFolder: a folder Switchboard wrote loads as no change; a pulled
// switchboard.json with its template brings the pulled stack, positions
// included; an IDE's edit of template.yaml alone is imported over the
// stack.
func TestLoadFolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	prev, err := model.Example("chat", "chat")
	if err != nil {
		t.Fatal(err)
	}
	prev.ID, prev.Revision = 4, 9
	files := func(s *model.Stack) ([]byte, []byte) {
		tmpl, err := export.YAML(s)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := model.MarshalStackFile(s)
		if err != nil {
			t.Fatal(err)
		}
		return tmpl, doc
	}
	tmpl, doc := files(prev)
	if _, changed, err := importer.LoadFolder(ctx, prev, tmpl, doc, web.Geometry); err != nil || changed {
		t.Fatalf("the stack's own files: changed %v, %v", changed, err)
	}
	if _, changed, err := importer.LoadFolder(ctx, prev, bytes.ReplaceAll(tmpl, []byte("\n"), []byte("\r\n")), doc, web.Geometry); err != nil || changed {
		t.Fatalf("the stack's files with CRLF: changed %v, %v", changed, err)
	}

	pulled := prev.Clone()
	pulled.Tables[0].Position.X += 300
	pulled.Functions[1].Timeout = 29
	tmpl, doc = files(pulled)
	next, changed, err := importer.LoadFolder(ctx, prev, tmpl, doc, web.Geometry)
	if err != nil || !changed {
		t.Fatalf("a pull: changed %v, %v", changed, err)
	}
	if next.Tables[0].Position != pulled.Tables[0].Position || next.Functions[1].Timeout != 29 || next.ID != prev.ID || next.Name != prev.Name {
		t.Fatalf("a pull loaded %+v", next)
	}

	tmpl, doc = files(prev)
	edited := bytes.Replace(tmpl, []byte("RetentionInDays: 30"), []byte("RetentionInDays: 14"), 1)
	next, changed, err = importer.LoadFolder(ctx, prev, edited, doc, web.Geometry)
	if err != nil || !changed {
		t.Fatalf("an IDE edit: changed %v, %v", changed, err)
	}
	n := 0
	for _, f := range next.Functions {
		if f.LogRetentionDays == 14 {
			n++
		}
	}
	if n != 1 || next.Tables[0].Position != prev.Tables[0].Position {
		t.Fatalf("an IDE edit: %d functions keep logs 14 days; the table is at %v", n, next.Tables[0].Position)
	}
	if _, _, err := importer.LoadFolder(ctx, prev, nil, []byte(`{"format":"switchboard-stack","version":999}`), web.Geometry); err == nil {
		t.Fatal("a stack file of a newer version was loaded")
	}
}
