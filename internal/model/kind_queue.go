package model

import "slices"

// The queue kind: an SQS queue, standard or FIFO, with an optional
// dead-letter queue (a dead-letter wire to another queue).
func init() {
	registerKind(&KindSpec{
		Kind: KindQueue, Order: 40,
		Noun: "queue", Article: "a queue",
		IDPrefix: "q", BaseName: "Queue",
		add: func(s *Stack, id, name string) *Node {
			q := NewQueue(id, name)
			s.Queues = append(s.Queues, q)
			return &q.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, q := range s.Queues {
				fn(q.ID, &q.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, q := range s.Queues {
				fn(&q.Node)
			}
		},
		count: func(s *Stack) int { return len(s.Queues) },
		applyDefaults: func(s *Stack) {
			for _, q := range s.Queues {
				if q.VisibilityTimeout == 0 {
					q.VisibilityTimeout = DefaultVisibilityTimeout
				}
				if q.RetentionPeriod == 0 {
					q.RetentionPeriod = DefaultRetentionPeriod
				}
				if q.MaxReceiveCount == 0 {
					q.MaxReceiveCount = DefaultMaxReceiveCount
				}
			}
		},
		check: func(v *validator) {
			for _, q := range v.stack.Queues {
				v.checkQueue(q)
			}
		},
		clone: func(dst, src *Stack) {
			dst.Queues = cloneEach(src.Queues, func(q *Queue) *Queue { c := *q; c.Kept = cloneKept(q.Kept); return &c })
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.Queues)
			s.Queues = slices.DeleteFunc(s.Queues, func(q *Queue) bool { return q.ID == id })
			return len(s.Queues) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, q := range src.Queues {
				q.ID = ids.renew(q.ID, "q")
				q.Kept = forgetLogicalIDs(q.Kept)
				dst.Queues = append(dst.Queues, q)
			}
		},
	})
}

// Queue is an SQS queue.
type Queue struct {
	Node
	// FIFO makes a first-in-first-out queue; its messages need a group ID
	// and, without content-based deduplication, a deduplication ID.
	FIFO                      bool `json:"fifo,omitempty"`
	ContentBasedDeduplication bool `json:"contentBasedDeduplication,omitempty"`
	// VisibilityTimeout is how long, in seconds, a received message stays
	// hidden from other consumers.
	VisibilityTimeout int `json:"visibilityTimeout"`
	// RetentionPeriod is how long, in seconds, SQS keeps a message.
	RetentionPeriod int `json:"retentionPeriod"`
	// MaxReceiveCount is how often a message is received before it moves
	// to the dead-letter queue, when the queue has one.
	MaxReceiveCount int `json:"maxReceiveCount"`
	// Kept is what an imported template said about the queue that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// SQS's defaults and limits.
const (
	DefaultVisibilityTimeout = 30
	MaxVisibilityTimeout     = 43200
	DefaultRetentionPeriod   = 345600
	MinRetentionPeriod       = 60
	MaxRetentionPeriod       = 1209600
	DefaultMaxReceiveCount   = 3
	MaxMaxReceiveCount       = 1000
)

// NewQueue returns a standard queue with SQS's defaults.
func NewQueue(id, name string) *Queue {
	return &Queue{
		Node:              Node{ID: id, Name: name},
		VisibilityTimeout: DefaultVisibilityTimeout,
		RetentionPeriod:   DefaultRetentionPeriod,
		MaxReceiveCount:   DefaultMaxReceiveCount,
	}
}

func (v *validator) checkQueue(q *Queue) {
	l := label(KindQueue, &q.Node)
	if q.VisibilityTimeout < 0 || q.VisibilityTimeout > MaxVisibilityTimeout {
		v.add(q.ID, "visibilityTimeout", "%s: visibility timeout must be 0 to %d seconds, not %d", l, MaxVisibilityTimeout, q.VisibilityTimeout)
	}
	if q.RetentionPeriod < MinRetentionPeriod || q.RetentionPeriod > MaxRetentionPeriod {
		v.add(q.ID, "retentionPeriod", "%s: retention must be %d to %d seconds, not %d", l, MinRetentionPeriod, MaxRetentionPeriod, q.RetentionPeriod)
	}
	if q.MaxReceiveCount < 1 || q.MaxReceiveCount > MaxMaxReceiveCount {
		v.add(q.ID, "maxReceiveCount", "%s: maximum receives must be 1 to %d, not %d", l, MaxMaxReceiveCount, q.MaxReceiveCount)
	}
	if q.ContentBasedDeduplication && !q.FIFO {
		v.add(q.ID, "contentBasedDeduplication", "%s: content-based deduplication is for FIFO queues only", l)
	}
	dead := v.index.WiresFromOfKind(q.ID, WireDeadLetter)
	if len(dead) > 1 {
		v.add(q.ID, "", "%s has more than one dead-letter queue", l)
	}
	for _, w := range dead {
		if d := v.index.Queue(w.To); d != nil && d.FIFO != q.FIFO {
			v.add(w.ID, "", "%s: the dead-letter queue of a %s queue must be %s too", l, fifoWord(q.FIFO), fifoWord(q.FIFO))
		}
	}
	// Lambda refuses an event source whose visibility timeout is shorter
	// than the function's timeout: a message would come back while the
	// function still works on it.
	for _, w := range v.index.WiresFromOfKind(q.ID, WireConsume) {
		if f := v.index.Function(w.To); f != nil && q.VisibilityTimeout < f.Timeout {
			v.add(q.ID, "visibilityTimeout", "%s: visibility timeout (%d s) must be at least the timeout of %s (%d s), which it triggers", l, q.VisibilityTimeout, label(KindFunction, &f.Node), f.Timeout)
		}
	}
}

func fifoWord(fifo bool) string {
	if fifo {
		return "FIFO"
	}
	return "standard"
}
