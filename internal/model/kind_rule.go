package model

import (
	"encoding/json"
	"slices"
	"strings"
)

// The rule kind: an EventBridge rule matching an event pattern, running on
// a schedule, or both, on a bus (a match wire from it) or the account's
// default bus. Its targets are wires: to functions it invokes and queues
// it sends to.
func init() {
	registerKind(&KindSpec{
		Kind: KindRule, Order: 72,
		Noun: "rule", Article: "a rule",
		IDPrefix: "rl", BaseName: "Rule",
		add: func(s *Stack, id, name string) *Node {
			r := NewRule(id, name)
			s.Rules = append(s.Rules, r)
			return &r.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, r := range s.Rules {
				fn(r.ID, &r.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, r := range s.Rules {
				fn(&r.Node)
			}
		},
		count:         func(s *Stack) int { return len(s.Rules) },
		applyDefaults: func(*Stack) {},
		check: func(v *validator) {
			for _, r := range v.stack.Rules {
				v.checkRule(r)
			}
		},
		clone: func(dst, src *Stack) {
			dst.Rules = cloneEach(src.Rules, func(r *Rule) *Rule { c := *r; c.Kept = cloneKept(r.Kept); return &c })
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.Rules)
			s.Rules = slices.DeleteFunc(s.Rules, func(r *Rule) bool { return r.ID == id })
			return len(s.Rules) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, r := range src.Rules {
				r.ID = ids.renew(r.ID, "rl")
				r.Kept = forgetLogicalIDs(r.Kept)
				dst.Rules = append(dst.Rules, r)
			}
		},
	})
}

// Rule is an EventBridge rule.
type Rule struct {
	Node
	Description string `json:"description,omitempty"`
	// EventPattern is the pattern as JSON text, "" for none.
	EventPattern string `json:"eventPattern,omitempty"`
	// Schedule is a rate(…) or cron(…) expression, "" for none.
	Schedule string `json:"schedule,omitempty"`
	// Disabled rules match nothing until enabled.
	Disabled bool `json:"disabled,omitempty"`
	// Kept is what an imported template said about the rule that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// DefaultEventPattern is a new rule's: every event, whatever its source
// (a PutEvents route's is its API's name).
const DefaultEventPattern = `{"source": [{"exists": true}]}`

// MaxRuleTargets is how many targets EventBridge allows a rule.
const MaxRuleTargets = 5

// NewRule returns a rule matching every event.
func NewRule(id, name string) *Rule {
	return &Rule{Node: Node{ID: id, Name: name}, EventPattern: DefaultEventPattern}
}

func (v *validator) checkRule(r *Rule) {
	l := label(KindRule, &r.Node)
	if r.EventPattern == "" && r.Schedule == "" {
		v.incomplete(r.ID, "eventPattern", "%s needs an event pattern or a schedule", l)
	}
	if r.EventPattern != "" {
		var pattern map[string]any
		if err := json.Unmarshal([]byte(r.EventPattern), &pattern); err != nil || pattern == nil {
			v.add(r.ID, "eventPattern", "%s: the event pattern must be a JSON object", l)
		}
	}
	if r.Schedule != "" && !ValidSchedule(r.Schedule) {
		v.add(r.ID, "schedule", "%s: the schedule %q must be rate(…) or cron(…), such as rate(5 minutes)", l, r.Schedule)
	}
	if len(r.Description) > 512 {
		v.add(r.ID, "description", "%s: the description is %d characters; EventBridge allows 512", l, len(r.Description))
	}
	buses := v.index.WiresToOfKind(r.ID, WireMatch)
	if len(buses) > 1 {
		v.add(r.ID, "", "%s is on more than one bus; a rule matches the events of one", l)
	}
	if len(buses) > 0 && r.Schedule != "" {
		v.add(r.ID, "schedule", "%s: a schedule runs on the default bus only; remove the schedule or the bus's wire", l)
	}
	targets := len(v.index.WiresFromOfKind(r.ID, WireTrigger)) + len(v.index.WiresFromOfKind(r.ID, WireDeliver))
	if targets > MaxRuleTargets {
		v.add(r.ID, "", "%s has %d targets; EventBridge allows %d per rule", l, targets, MaxRuleTargets)
	}
}

// ValidSchedule says whether an expression is one EventBridge schedules by.
func ValidSchedule(s string) bool {
	return (strings.HasPrefix(s, "rate(") || strings.HasPrefix(s, "cron(")) && strings.HasSuffix(s, ")") && len(s) <= 256
}
