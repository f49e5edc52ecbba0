package server

import (
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A rule's form: description, event pattern, schedule, enabled.
func init() {
	registerKindForm(model.KindRule, &kindForm{
		fields: set("name", "description", "eventPattern", "schedule", "disabled"),
		read:   readRuleFields,
	})
}

// ruleFields is a rule's part of the properties form.
type ruleFields struct {
	// Sent says the checkbox was in the form, so an absent one is off.
	Sent, Disabled        bool
	Description, Schedule *string
	// EventPattern is kept as written: it is a document.
	EventPattern *string
}

func readRuleFields(v formValues, _ map[string]string) kindFields {
	f := &ruleFields{Sent: v.checked("rule.sent"), Disabled: v.checked("disabled"), Description: v.str("description"), Schedule: v.str("schedule")}
	if d, ok := v["eventPattern"]; ok && len(d) > 0 {
		pattern := strings.TrimSpace(strings.ReplaceAll(d[0], "\r\n", "\n"))
		f.EventPattern = &pattern
	}
	return f
}

func (p *ruleFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	r := st.Rule(id)
	sent(&r.Name, common.Name)
	sent(&r.Description, p.Description)
	sent(&r.EventPattern, p.EventPattern)
	sent(&r.Schedule, p.Schedule)
	if p.Sent {
		r.Disabled = p.Disabled
	}
}
