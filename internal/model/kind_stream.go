package model

import "slices"

// The stream kind: a Kinesis data stream, provisioned with shards or on
// demand. Routes put each message on it.
func init() {
	registerKind(&KindSpec{
		Kind: KindStream, Order: 74,
		Noun: "stream", Article: "a stream",
		IDPrefix: "ks", BaseName: "Stream",
		add: func(s *Stack, id, name string) *Node {
			t := NewStream(id, name)
			s.Streams = append(s.Streams, t)
			return &t.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, t := range s.Streams {
				fn(t.ID, &t.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, t := range s.Streams {
				fn(&t.Node)
			}
		},
		count: func(s *Stack) int { return len(s.Streams) },
		applyDefaults: func(s *Stack) {
			for _, t := range s.Streams {
				if t.RetentionHours == 0 {
					t.RetentionHours = DefaultStreamRetentionHours
				}
				if t.ShardCount == 0 && !t.OnDemand {
					t.ShardCount = 1
				}
			}
		},
		check: func(v *validator) {
			for _, t := range v.stack.Streams {
				v.checkStream(t)
			}
		},
		clone: func(dst, src *Stack) {
			dst.Streams = cloneEach(src.Streams, func(t *Stream) *Stream { c := *t; c.Kept = cloneKept(t.Kept); return &c })
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.Streams)
			s.Streams = slices.DeleteFunc(s.Streams, func(t *Stream) bool { return t.ID == id })
			return len(s.Streams) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, t := range src.Streams {
				t.ID = ids.renew(t.ID, "ks")
				t.Kept = forgetLogicalIDs(t.Kept)
				dst.Streams = append(dst.Streams, t)
			}
		},
	})
}

// Stream is a Kinesis data stream.
type Stream struct {
	Node
	// OnDemand streams scale by themselves; others have ShardCount shards.
	OnDemand   bool `json:"onDemand,omitempty"`
	ShardCount int  `json:"shardCount,omitempty"`
	// RetentionHours is how long records stay readable.
	RetentionHours int `json:"retentionHours"`
	// Kept is what an imported template said about the stream that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// Kinesis's defaults and limits.
const (
	DefaultStreamRetentionHours = 24
	MaxStreamRetentionHours     = 8760
	MaxShardCount               = 10000
)

// NewStream returns a stream of one shard keeping records a day.
func NewStream(id, name string) *Stream {
	return &Stream{Node: Node{ID: id, Name: name}, ShardCount: 1, RetentionHours: DefaultStreamRetentionHours}
}

func (v *validator) checkStream(t *Stream) {
	l := label(KindStream, &t.Node)
	if t.RetentionHours < DefaultStreamRetentionHours || t.RetentionHours > MaxStreamRetentionHours {
		v.add(t.ID, "retentionHours", "%s: retention must be %d to %d hours, not %d", l, DefaultStreamRetentionHours, MaxStreamRetentionHours, t.RetentionHours)
	}
	if t.OnDemand && t.ShardCount != 0 {
		v.add(t.ID, "shardCount", "%s: an on-demand stream sets no shard count", l)
	}
	if !t.OnDemand && (t.ShardCount < 1 || t.ShardCount > MaxShardCount) {
		v.add(t.ID, "shardCount", "%s: shards must be 1 to %d, not %d", l, MaxShardCount, t.ShardCount)
	}
}
