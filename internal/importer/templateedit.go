package importer

import (
	"context"
	"errors"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TemplateEdit is an edited template of a stack, to be saved as the
// stack's next revision: the Template tab's Apply and `switchboard import
// --replace` both pass Apply to store.Edit, so what still exists keeps its
// ID, place, wires and history (Reimport) and nothing invalid is saved.
type TemplateEdit struct {
	// Name is how problems name the text: "template", a file's path.
	Name string
	Text []byte
	// Geometry places the nodes the text adds.
	Geometry model.Geometry
	// Lines maps the IDs of the objects Apply made (or, when the text is
	// not a valid stack, would have made) to the lines they are written
	// at, for a problem that names an object rather than a place.
	Lines map[string]int
	// Result is what Apply made of the text, once it succeeded.
	Result *Result
}

// Apply makes st the stack the text describes, keeping the identities of
// what still exists. It returns a *SourceError for text that cannot be
// read, or a *StackError (EINVALID, its message placing each problem)
// for text that is not a valid stack; st is then unchanged.
func (e *TemplateEdit) Apply(ctx context.Context, st *model.Stack) error {
	res, err := Reimport(ctx, e.Name, e.Text, st, e.Geometry)
	if err != nil {
		var se *StackError
		if errors.As(err, &se) {
			e.Lines = se.Lines
		}
		return err
	}
	e.Lines, e.Result = res.Lines, res
	*st = *res.Stack
	return nil
}
