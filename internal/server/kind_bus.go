package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A bus's form: its name; what it does is in its wires.
func init() {
	registerKindForm(model.KindBus, &kindForm{
		fields: set("name"),
		read:   func(formValues, map[string]string) kindFields { return busFields{} },
	})
}

type busFields struct{}

func (busFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	sent(&st.Bus(id).Name, common.Name)
}
