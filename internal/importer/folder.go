package importer

import (
	"bytes"
	"context"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// LoadFolder is the stack a working folder holds, as a new version of prev
// (the stack as saved): switchboard.json, when it says something other
// than prev, is the base (it carries IDs and positions, as a git pull
// brings them); template.yaml, when it says something other than the
// base's export (an edit in an IDE), is imported again over the base
// (Reimport). Either file may be missing (nil). changed is false when the
// folder holds prev as it is, as after Switchboard wrote it. The files are
// untrusted: each goes through the readers' limits, and the stack keeps
// prev's name and identity.
func LoadFolder(ctx context.Context, prev *model.Stack, template, stackFile []byte, g model.Geometry) (next *model.Stack, changed bool, err error) {
	base := prev
	if stackFile != nil {
		doc, err := model.MarshalStackFile(prev)
		if err != nil {
			return nil, false, err
		}
		if !bytes.Equal(doc, stackFile) {
			if len(stackFile) > MaxSize {
				return nil, false, model.Errorf(model.EINVALID, "switchboard.json: the file is %d bytes; the limit is %d", len(stackFile), MaxSize)
			}
			st, err := model.ParseStackFile(stackFile)
			if err != nil {
				return nil, false, fmt.Errorf("switchboard.json: %w", err)
			}
			st.ID, st.Revision, st.UpdatedAt = prev.ID, prev.Revision, prev.UpdatedAt
			st.Name, st.ImportedFrom = prev.Name, prev.ImportedFrom
			base = st
		}
	}
	if template != nil {
		out, err := export.YAML(base)
		// A base that cannot be exported (it has problems) differs from
		// any template.
		if err != nil || !bytes.Equal(out, template) {
			res, err := Reimport(ctx, "template.yaml", template, base, g)
			if err != nil {
				return nil, false, err
			}
			base = res.Stack
		}
	}
	// Changed means the stack differs, not the bytes: a template that
	// differs only in line endings or comments loads as prev.
	was, err := model.MarshalStackFile(prev)
	if err != nil {
		return nil, false, err
	}
	now, err := model.MarshalStackFile(base)
	if err != nil {
		return nil, false, err
	}
	return base, !bytes.Equal(was, now), nil
}
