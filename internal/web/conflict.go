package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// ConflictView is the panel an edit gets when it changed what another view
// saved since: each field with the user's value beside the saved one, and
// the choice of which to keep (issue 15). Nothing typed is lost: "keep
// mine" sends the user's value again, on top of the saved revision.
type ConflictView struct {
	Base string
	// Revision is the head the conflicts are with: "keep mine" edits it.
	Revision  int64
	Conflicts []ConflictChoice
}

// ConflictChoice is one field both sides changed.
type ConflictChoice struct {
	Path string
	// Label names the resource and field: "SendHandler: memorySize".
	Label string
	// Mine and Theirs are the values as a person reads them; MineJSON is
	// the user's value as the stack document has it.
	Mine, Theirs, MineJSON string
	// Select is the canvas element of the resource, "" for the stack.
	Select string
}

// NewConflictView describes conflicts with the stack as it is now.
func NewConflictView(st *model.Stack, c *model.MergeConflictError) ConflictView {
	v := ConflictView{Base: StackURL(st.ID), Revision: c.Revision}
	problems := ProblemsView{Stack: st}
	for _, cf := range c.Conflicts {
		name := "Stack"
		if n, ok := st.Node(cf.Resource); ok {
			name = n.Name
		} else if cf.Resource != "" {
			name = cf.Resource
		}
		field := cf.Field
		if field == "" {
			field = "the whole resource"
		}
		v.Conflicts = append(v.Conflicts, ConflictChoice{
			Path: cf.Path, Label: name + ": " + field,
			Mine: conflictValue(cf.Mine), Theirs: conflictValue(cf.Theirs), MineJSON: string(cf.Mine),
			Select: problems.Select(model.Problem{Resource: cf.Resource}),
		})
	}
	return v
}

// RevisionText is Revision for an attribute.
func (v ConflictView) RevisionText() string { return strconv.FormatInt(v.Revision, 10) }

// conflictValue writes a value of the stack document for a person: a
// string as it is, a position as "x 120, y 40", a missing one as deleted.
func conflictValue(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	switch x := v.(type) {
	case nil:
		return "(deleted)"
	case string:
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			b, _ := json.Marshal(x[k])
			parts = append(parts, fmt.Sprintf("%s %s", k, b))
		}
		return strings.Join(parts, ", ")
	}
	return string(raw)
}
