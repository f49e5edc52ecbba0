package server

import (
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A usage plan's form: throttle, quota and its API keys.
func init() {
	registerKindForm(model.KindUsagePlan, &kindForm{
		fields: set("name", "description", "throttleBurst", "throttleRate", "quotaLimit", "quotaPeriod", "quotaOffset", "keys"),
		read:   readUsagePlanFields,
	})
}

// usagePlanFields is a usage plan's part of the properties form. The keys
// come as rows: a name each (an empty one removed, the last row a new key)
// and the indexes of the enabled ones.
type usagePlanFields struct {
	Sent                                 bool
	Description, QuotaPeriod             *string
	ThrottleBurst, QuotaLimit, QuotaOffs *int
	ThrottleRate                         *float64
	KeyNames                             []string
	Enabled                              map[int]bool
}

func readUsagePlanFields(v formValues, errors map[string]string) kindFields {
	f := &usagePlanFields{
		Sent:        v.checked("usageplan.sent"),
		Description: v.str("description"), QuotaPeriod: v.str("quotaPeriod"),
		ThrottleBurst: optionalNum(v, "throttleBurst", "Burst", errors),
		QuotaLimit:    optionalNum(v, "quotaLimit", "Quota", errors),
		QuotaOffs:     optionalNum(v, "quotaOffset", "Quota offset", errors),
		KeyNames:      v["keyName"],
		Enabled:       map[int]bool{},
	}
	if s := v.str("throttleRate"); s != nil {
		if *s == "" {
			zero := 0.0
			f.ThrottleRate = &zero
		} else if r, err := strconv.ParseFloat(*s, 64); err == nil {
			f.ThrottleRate = &r
		} else {
			errors["throttleRate"] = "Requests per second must be a number, like 10 or 2.5."
		}
	}
	for _, s := range v["keyEnabled"] {
		if i, err := strconv.Atoi(s); err == nil {
			f.Enabled[i] = true
		}
	}
	return f
}

// optionalNum is a whole number field where empty means 0 (no limit).
func optionalNum(v formValues, name, what string, errors map[string]string) *int {
	if s := v.str(name); s != nil && *s == "" {
		zero := 0
		return &zero
	}
	return v.num(name, what, errors)
}

func (p *usagePlanFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	u := st.UsagePlan(id)
	sent(&u.Name, common.Name)
	sent(&u.Description, p.Description)
	sent(&u.ThrottleBurst, p.ThrottleBurst)
	sent(&u.ThrottleRate, p.ThrottleRate)
	sent(&u.QuotaLimit, p.QuotaLimit)
	sent(&u.QuotaPeriod, p.QuotaPeriod)
	sent(&u.QuotaOffset, p.QuotaOffs)
	if !p.Sent {
		return
	}
	// Rows are matched to keys by position, so a renamed key keeps what an
	// import kept of it.
	var keys []*model.APIKey
	for i, name := range p.KeyNames {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		k := &model.APIKey{Name: name}
		if i < len(u.Keys) {
			c := *u.Keys[i]
			c.Name = name
			k = &c
		}
		k.Disabled = !p.Enabled[i]
		keys = append(keys, k)
	}
	u.Keys = slices.Clip(keys)
}
