package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// propertiesForm is a node's properties form as sent, typed. A field the
// form lacks is nil and keeps the node's value: the panel of each kind sends
// its own fields, and a partial form (one field changed) touches no other.
// What every kind's form has is here; each kind's own fields are read by
// its kindForm into a struct of its own (kind_api.go …).
type propertiesForm struct {
	Name, Description *string
	// kinds are each kind's part of the form, read as that kind's: which
	// one applies depends on the node, known only inside the edit.
	kinds map[model.Kind]kindFields

	// errors are the values of the wrong type, by field: letters for
	// memory, environment rows that arrived incomplete.
	errors map[string]string
}

// kindFields is one kind's part of the properties form, typed.
type kindFields interface {
	// apply writes the fields into node id of st, which is of the kind,
	// a field the form lacks keeping its value; p has the common fields.
	apply(p *propertiesForm, f *nodeForm, st *model.Stack, id string)
}

func (f *propertiesForm) read(r *http.Request) error {
	v := formValues(r.PostForm)
	f.errors = map[string]string{}
	f.Name, f.Description = v.str("name"), v.str("description")
	f.kinds = make(map[model.Kind]kindFields, len(kindForms))
	for k, kf := range kindForms {
		f.kinds[k] = kf.read(v, f.errors)
	}
	return nil
}

// formValues are a form's values, read as the types fields have.
type formValues url.Values

// str is the trimmed value of a field, or nil when the form lacks it.
func (v formValues) str(name string) *string {
	if vs, ok := v[name]; ok && len(vs) > 0 {
		s := strings.TrimSpace(vs[0])
		return &s
	}
	return nil
}

// num is a whole number field, or nil when the form lacks it; a value that
// is not one is reported in errors, saying what the field is.
func (v formValues) num(name, what string, errors map[string]string) *int {
	s := v.str(name)
	if s == nil {
		return nil
	}
	n, err := strconv.Atoi(*s)
	if err != nil {
		errors[name] = what + " must be a whole number."
		return nil
	}
	return &n
}

// checked is whether a checkbox was sent ticked.
func (v formValues) checked(name string) bool { return url.Values(v).Get(name) != "" }

// sent copies a sent value over a field.
func sent[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// setNonEmpty copies a sent value over a field unless it is empty: a select
// left on no choice keeps the field's value.
func setNonEmpty[T ~string](dst *T, v *string) {
	if v != nil && *v != "" {
		*dst = T(*v)
	}
}

// lines splits text into its non-empty trimmed lines (commas count too).
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
