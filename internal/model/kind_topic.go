package model

import "slices"

// The topic kind: an SNS topic, standard or FIFO.
func init() {
	registerKind(&KindSpec{
		Kind: KindTopic, Order: 50,
		Noun: "topic", Article: "a topic",
		IDPrefix: "tpc", BaseName: "Topic",
		add: func(s *Stack, id, name string) *Node {
			t := NewTopic(id, name)
			s.Topics = append(s.Topics, t)
			return &t.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, t := range s.Topics {
				fn(t.ID, &t.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, t := range s.Topics {
				fn(&t.Node)
			}
		},
		count:         func(s *Stack) int { return len(s.Topics) },
		applyDefaults: func(*Stack) {},
		check: func(v *validator) {
			for _, t := range v.stack.Topics {
				v.checkTopic(t)
			}
		},
		clone: func(dst, src *Stack) {
			dst.Topics = cloneEach(src.Topics, func(t *Topic) *Topic { c := *t; c.Kept = cloneKept(t.Kept); return &c })
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.Topics)
			s.Topics = slices.DeleteFunc(s.Topics, func(t *Topic) bool { return t.ID == id })
			return len(s.Topics) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, t := range src.Topics {
				t.ID = ids.renew(t.ID, "tpc")
				t.Kept = forgetLogicalIDs(t.Kept)
				dst.Topics = append(dst.Topics, t)
			}
		},
	})
}

// Topic is an SNS topic.
type Topic struct {
	Node
	// DisplayName is the sender name of SMS and email subscriptions.
	DisplayName string `json:"displayName,omitempty"`
	FIFO        bool   `json:"fifo,omitempty"`
	// Kept is what an imported template said about the topic that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// NewTopic returns a standard topic.
func NewTopic(id, name string) *Topic { return &Topic{Node: Node{ID: id, Name: name}} }

func (v *validator) checkTopic(t *Topic) {
	l := label(KindTopic, &t.Node)
	if len(t.DisplayName) > 100 {
		v.add(t.ID, "displayName", "%s: display name is %d characters; SNS allows 100", l, len(t.DisplayName))
	}
	if t.FIFO && len(v.index.WiresFromOfKind(t.ID, WireSubscribe)) > 0 {
		v.add(t.ID, "fifo", "%s: a FIFO topic delivers to SQS queues only, not to functions", l)
	}
}
