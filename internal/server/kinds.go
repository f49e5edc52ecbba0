package server

import (
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// kindForm is how the properties form edits one kind of node in model's
// catalogue. Each kind registers one in its own file (kind_api.go,
// kind_function.go, kind_table.go); the form asks the registry.
type kindForm struct {
	// fields are the fields the kind's panel shows, by the model's JSON
	// names: a problem with one of them is shown next to it.
	fields map[string]bool
	// read reads the kind's part of a form, a value of the wrong type
	// going into errors by field.
	read func(v formValues, errors map[string]string) kindFields
}

var kindForms = map[model.Kind]*kindForm{}

// registerKindForm adds a kind's form; each kind file calls it once.
func registerKindForm(k model.Kind, kf *kindForm) {
	if _, dup := kindForms[k]; dup {
		panic(fmt.Sprintf("server: kind %q registered twice", k))
	}
	kindForms[k] = kf
}

// formFields are the fields the panel of a kind shows; none for a kind
// that has no form (an imported resource).
func formFields(k model.Kind) map[string]bool {
	if kf := kindForms[k]; kf != nil {
		return kf.fields
	}
	return nil
}
