package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A queue's form: FIFO, deduplication, timeouts and receives before the
// dead-letter queue.
func init() {
	registerKindForm(model.KindQueue, &kindForm{
		fields: set("name", "fifo", "contentBasedDeduplication", "visibilityTimeout", "retentionPeriod", "maxReceiveCount"),
		read:   readQueueFields,
	})
}

// queueFields is a queue's part of the properties form.
type queueFields struct {
	// Sent says the checkboxes were in the form, so an absent one is off.
	Sent                                            bool
	FIFO, ContentBasedDeduplication                 bool
	VisibilityTimeout, RetentionPeriod, MaxReceives *int
}

func readQueueFields(v formValues, errors map[string]string) kindFields {
	return &queueFields{
		Sent: v.checked("queue.sent"), FIFO: v.checked("fifo"), ContentBasedDeduplication: v.checked("contentBasedDeduplication"),
		VisibilityTimeout: v.num("visibilityTimeout", "Visibility timeout", errors),
		RetentionPeriod:   v.num("retentionPeriod", "Retention", errors),
		MaxReceives:       v.num("maxReceiveCount", "Receives", errors),
	}
}

func (p *queueFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	q := st.Queue(id)
	sent(&q.Name, common.Name)
	if p.Sent {
		q.FIFO = p.FIFO
		// Deduplication is offered only on a FIFO queue.
		q.ContentBasedDeduplication = p.FIFO && p.ContentBasedDeduplication
	}
	sent(&q.VisibilityTimeout, p.VisibilityTimeout)
	sent(&q.RetentionPeriod, p.RetentionPeriod)
	sent(&q.MaxReceiveCount, p.MaxReceives)
}
