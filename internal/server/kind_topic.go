package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A topic's form: its display name and FIFO.
func init() {
	registerKindForm(model.KindTopic, &kindForm{
		fields: set("name", "displayName", "fifo"),
		read:   readTopicFields,
	})
}

// topicFields is a topic's part of the properties form.
type topicFields struct {
	Sent, FIFO  bool
	DisplayName *string
}

func readTopicFields(v formValues, _ map[string]string) kindFields {
	return &topicFields{Sent: v.checked("topic.sent"), FIFO: v.checked("fifo"), DisplayName: v.str("displayName")}
}

func (p *topicFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	t := st.Topic(id)
	sent(&t.Name, common.Name)
	sent(&t.DisplayName, p.DisplayName)
	if p.Sent {
		t.FIFO = p.FIFO
	}
}
