package model

import (
	"slices"
	"strconv"
)

// The usage plan kind: an API Gateway usage plan with its throttle, quota
// and API keys, applied to the stage of each API it is wired to. Routes
// that require an API key then accept only the plan's keys.
func init() {
	keptParts["usageplan"] = []string{PartMain}
	keptParts["apikey"] = []string{PartMain, PartUsagePlanKey}
	registerKind(&KindSpec{
		Kind: KindUsagePlan, Order: 80,
		Noun: "usage plan", Article: "a usage plan",
		IDPrefix: "up", BaseName: "UsagePlan",
		add: func(s *Stack, id, name string) *Node {
			p := NewUsagePlan(id, name)
			s.UsagePlans = append(s.UsagePlans, p)
			return &p.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, p := range s.UsagePlans {
				fn(p.ID, &p.Kept)
				for _, key := range p.Keys {
					fn(p.ID, &key.Kept)
				}
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, p := range s.UsagePlans {
				fn(&p.Node)
			}
		},
		count:         func(s *Stack) int { return len(s.UsagePlans) },
		applyDefaults: func(*Stack) {},
		check: func(v *validator) {
			for _, p := range v.stack.UsagePlans {
				v.checkUsagePlan(p)
			}
		},
		clone: func(dst, src *Stack) {
			dst.UsagePlans = cloneEach(src.UsagePlans, func(p *UsagePlan) *UsagePlan {
				c := *p
				c.Kept = cloneKept(p.Kept)
				c.Keys = cloneEach(p.Keys, func(k *APIKey) *APIKey { ck := *k; ck.Kept = cloneKept(k.Kept); return &ck })
				return &c
			})
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.UsagePlans)
			s.UsagePlans = slices.DeleteFunc(s.UsagePlans, func(p *UsagePlan) bool { return p.ID == id })
			return len(s.UsagePlans) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, p := range src.UsagePlans {
				p.ID = ids.renew(p.ID, "up")
				p.Kept = forgetLogicalIDs(p.Kept)
				for _, k := range p.Keys {
					k.Kept = forgetLogicalIDs(k.Kept)
				}
				dst.UsagePlans = append(dst.UsagePlans, p)
			}
		},
	})
}

// PartUsagePlanKey is an API key's association with its usage plan.
const PartUsagePlanKey = "UsagePlanKey"

// UsagePlan is an API Gateway usage plan.
type UsagePlan struct {
	Node
	Description string `json:"description,omitempty"`
	// ThrottleBurst and ThrottleRate limit each key's requests: a burst
	// and a steady rate per second; 0 leaves the limit unset (the
	// account's).
	ThrottleBurst int     `json:"throttleBurst,omitempty"`
	ThrottleRate  float64 `json:"throttleRate,omitempty"`
	// QuotaLimit is how many requests a key may make per QuotaPeriod (DAY,
	// WEEK or MONTH), starting QuotaOffset days into it; 0 sets no quota.
	QuotaLimit  int    `json:"quotaLimit,omitempty"`
	QuotaPeriod string `json:"quotaPeriod,omitempty"`
	QuotaOffset int    `json:"quotaOffset,omitempty"`
	// Keys are the API keys the plan holds.
	Keys []*APIKey `json:"keys,omitempty"`
	// Kept is what an imported template said about the plan that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// APIKey is an API key of a usage plan: its Name is the key's logical ID.
// API Gateway generates its value, which `aws apigateway get-api-key
// --include-value` shows.
type APIKey struct {
	Name string `json:"name"`
	// Disabled keys are refused.
	Disabled bool `json:"disabled,omitempty"`
	// Kept is what an imported template said about the key (PartMain) and
	// its association with the plan (PartUsagePlanKey).
	Kept []Kept `json:"kept,omitempty"`
}

// The quota periods API Gateway offers.
var QuotaPeriods = []string{"DAY", "WEEK", "MONTH"}

// NewUsagePlan returns a usage plan with no limits and no keys.
func NewUsagePlan(id, name string) *UsagePlan {
	return &UsagePlan{Node: Node{ID: id, Name: name}}
}

// UsagePlan returns the usage plan with the ID, or nil.
func (s *Stack) UsagePlan(id string) *UsagePlan {
	for _, p := range s.UsagePlans {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// KeyObject names an API key as an object of the export (export.Part):
// keys have no IDs of their own, so their plan's ID and their name.
func (p *UsagePlan) KeyObject(k *APIKey) string { return p.ID + "/" + k.Name }

// UsagePlanKeyLogicalID names the association of an API key with its plan.
func (p *UsagePlan) UsagePlanKeyLogicalID(k *APIKey) string { return p.Name + k.Name }

// IDOutputName names the output of the key's ID.
func (k *APIKey) IDOutputName() string { return k.Name + "Id" }

func (v *validator) checkUsagePlan(p *UsagePlan) {
	l := nodeLabel{KindUsagePlan, &p.Node}
	v.checkKept(p.ID, l, "usageplan", p.Kept)
	if len(p.Description) > MaxDescriptionLength {
		v.add(p.ID, "description", "%s: description is %d bytes; the limit is %d", l, len(p.Description), MaxDescriptionLength)
	}
	if p.ThrottleBurst < 0 {
		v.add(p.ID, "throttleBurst", "%s: burst limit must be 0 or more, not %d", l, p.ThrottleBurst)
	}
	if p.ThrottleRate < 0 {
		v.add(p.ID, "throttleRate", "%s: rate limit must be 0 or more, not %g", l, p.ThrottleRate)
	}
	if p.QuotaLimit < 0 {
		v.add(p.ID, "quotaLimit", "%s: quota must be 0 or more, not %d", l, p.QuotaLimit)
	}
	if p.QuotaLimit > 0 || p.QuotaPeriod != "" {
		maxOffset := map[string]int{"DAY": 0, "WEEK": 6, "MONTH": 27}
		switch most, ok := maxOffset[p.QuotaPeriod]; {
		case !ok:
			v.add(p.ID, "quotaPeriod", "%s: quota period must be DAY, WEEK or MONTH", l)
		case p.QuotaLimit == 0:
			v.add(p.ID, "quotaLimit", "%s: a quota period needs a quota of 1 or more requests", l)
		case p.QuotaOffset < 0 || p.QuotaOffset > most:
			v.add(p.ID, "quotaOffset", "%s: a %s quota starts 0 to %d days into the period, not %d", l, p.QuotaPeriod, most, p.QuotaOffset)
		}
	} else if p.QuotaOffset != 0 {
		v.add(p.ID, "quotaOffset", "%s: a quota offset needs a quota", l)
	}
	names := map[string]bool{}
	for i, k := range p.Keys {
		field := "keys[" + strconv.Itoa(i) + "]"
		switch {
		case !ValidLogicalID(k.Name):
			v.add(p.ID, field+".name", "%s: API key name %q must be 1 to %d letters and digits", l, k.Name, MaxLogicalIDLength)
		case names[k.Name]:
			v.add(p.ID, field+".name", "%s: API key %q is listed twice", l, k.Name)
		}
		names[k.Name] = true
		v.checkKept(p.ID, l, "apikey", k.Kept)
	}
	apis := v.index.WiresFromOfKind(p.ID, WireUsagePlan)
	if len(apis) == 0 {
		v.warn(p.ID, "", "%s applies to no API: wire it to the APIs whose stages it limits", l)
	}
	for _, w := range apis {
		a := v.index.API(w.To)
		if a == nil {
			continue
		}
		keyed := slices.ContainsFunc(a.Routes, func(r *Route) bool { return r.APIKeyRequired })
		if len(a.Routes) > 0 && !keyed {
			v.warn(w.ID, "", "%s: no route of %s requires an API key, so its keys are never asked for", l, label(KindAPI, &a.Node))
		}
	}
}

// claimUsagePlanNames claims the logical IDs and outputs of the plans'
// keys, and reports how many resources and outputs the kind writes.
func (v *validator) claimUsagePlanNames(claim func(resource bool, id, name string, owner nodeLabel)) int {
	count := 0
	for _, p := range v.stack.UsagePlans {
		l := nodeLabel{KindUsagePlan, &p.Node}
		claim(true, p.ID, KeptLogicalID(p.Kept, PartMain, p.Name), l)
		count++
		for _, k := range p.Keys {
			claim(true, p.ID, KeptLogicalID(k.Kept, PartMain, k.Name), l)
			claim(true, p.ID, KeptLogicalID(k.Kept, PartUsagePlanKey, p.UsagePlanKeyLogicalID(k)), l)
			claim(false, p.ID, k.IDOutputName(), l)
			count += 3
		}
	}
	return count
}
