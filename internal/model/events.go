package model

import "fmt"

// What the event kinds (EventBridge buses and rules, S3 buckets, Kinesis
// streams) add to the stack-wide passes: IDs, the index, derived names and
// kept parts. Kept here so the shared files gain one line each.

func init() {
	keptParts["bus"] = []string{PartMain}
	keptParts["rule"] = []string{PartMain}
	keptParts["bucket"] = []string{PartMain}
	keptParts["stream"] = []string{PartMain}
}

func (s *Stack) eachEventID(fn func(string)) {
	for _, b := range s.Buses {
		fn(b.ID)
	}
	for _, r := range s.Rules {
		fn(r.ID)
	}
	for _, b := range s.Buckets {
		fn(b.ID)
	}
	for _, t := range s.Streams {
		fn(t.ID)
	}
}

func eventNodes(s *Stack) int { return len(s.Buses) + len(s.Rules) + len(s.Buckets) + len(s.Streams) }

// eventIndex finds the event kinds' nodes by ID.
type eventIndex struct {
	buses   map[string]*Bus
	rules   map[string]*Rule
	buckets map[string]*Bucket
	streams map[string]*Stream
}

func newEventIndex(s *Stack) eventIndex {
	return eventIndex{
		buses:   indexBy(s.Buses, func(b *Bus) string { return b.ID }),
		rules:   indexBy(s.Rules, func(r *Rule) string { return r.ID }),
		buckets: indexBy(s.Buckets, func(b *Bucket) string { return b.ID }),
		streams: indexBy(s.Streams, func(t *Stream) string { return t.ID }),
	}
}

// indexBy maps each item by its ID, the first winning where IDs repeat.
func indexBy[T any](items []*T, id func(*T) string) map[string]*T {
	m := make(map[string]*T, len(items))
	for _, it := range items {
		if _, dup := m[id(it)]; !dup {
			m[id(it)] = it
		}
	}
	return m
}

// Bus returns the bus with the ID, or nil.
func (x *Index) Bus(id string) *Bus { return x.events.buses[id] }

// Rule returns the rule with the ID, or nil.
func (x *Index) Rule(id string) *Rule { return x.events.rules[id] }

// Bucket returns the bucket with the ID, or nil.
func (x *Index) Bucket(id string) *Bucket { return x.events.buckets[id] }

// Stream returns the stream with the ID, or nil.
func (x *Index) Stream(id string) *Stream { return x.events.streams[id] }

// Bus returns the bus with the ID, or nil.
func (s *Stack) Bus(id string) *Bus {
	return findByID(s.Buses, id, func(b *Bus) string { return b.ID })
}

// Rule returns the rule with the ID, or nil.
func (s *Stack) Rule(id string) *Rule {
	return findByID(s.Rules, id, func(r *Rule) string { return r.ID })
}

// Bucket returns the bucket with the ID, or nil.
func (s *Stack) Bucket(id string) *Bucket {
	return findByID(s.Buckets, id, func(b *Bucket) string { return b.ID })
}

// Stream returns the stream with the ID, or nil.
func (s *Stack) Stream(id string) *Stream {
	return findByID(s.Streams, id, func(t *Stream) string { return t.ID })
}

func findByID[T any](items []*T, id string, idOf func(*T) string) *T {
	for _, it := range items {
		if idOf(it) == id {
			return it
		}
	}
	return nil
}

// Names of what the event kinds' wires become besides their nodes.

// QueuePolicyLogicalID names the policy that lets rules send to a queue.
func QueuePolicyLogicalID(queue string) string { return queue + "EventsPolicy" }

// Output names of the event kinds.
func (b *Bus) NameOutputName() string    { return b.Name + "Name" }
func (b *Bucket) NameOutputName() string { return b.Name + "Name" }
func (t *Stream) ArnOutputName() string  { return t.Name + "Arn" }

type claimFunc = func(names map[string]fmt.Stringer, what, id, name string, owner fmt.Stringer)

// claimEventResources claims the logical IDs the event kinds' nodes and
// wires become.
func (v *validator) claimEventResources(resources map[string]fmt.Stringer, claim claimFunc) {
	s := v.stack
	for _, b := range s.Buses {
		claim(resources, "resource", b.ID, KeptLogicalID(b.Kept, PartMain, b.Name), nodeLabel{KindBus, &b.Node})
	}
	for _, r := range s.Rules {
		claim(resources, "resource", r.ID, KeptLogicalID(r.Kept, PartMain, r.Name), nodeLabel{KindRule, &r.Node})
	}
	for _, b := range s.Buckets {
		claim(resources, "resource", b.ID, KeptLogicalID(b.Kept, PartMain, b.Name), nodeLabel{KindBucket, &b.Node})
	}
	for _, t := range s.Streams {
		claim(resources, "resource", t.ID, KeptLogicalID(t.Kept, PartMain, t.Name), nodeLabel{KindStream, &t.Node})
	}
	policies := map[string]bool{}
	for _, w := range s.Wires {
		switch w.Kind {
		case WireTrigger, WireNotify:
			n, ok := v.index.Node(w.From)
			f := v.index.Function(w.To)
			if ok && f != nil {
				claim(resources, "resource", w.ID, EventSourcePermissionLogicalID(n.Name, f.Name), nodeLabel{n.Kind, n.Node})
			}
		case WireDeliver:
			if q := v.index.Queue(w.To); q != nil && !policies[q.ID] {
				policies[q.ID] = true
				claim(resources, "resource", q.ID, QueuePolicyLogicalID(q.Name), nodeLabel{KindQueue, &q.Node})
			}
		}
	}
}

// claimEventOutputs claims the event kinds' output names and counts the
// resources they write.
func (v *validator) claimEventOutputs(outputs map[string]fmt.Stringer, claim claimFunc) int {
	s := v.stack
	for _, b := range s.Buses {
		claim(outputs, "output", b.ID, b.NameOutputName(), nodeLabel{KindBus, &b.Node})
	}
	for _, b := range s.Buckets {
		claim(outputs, "output", b.ID, b.NameOutputName(), nodeLabel{KindBucket, &b.Node})
	}
	for _, t := range s.Streams {
		claim(outputs, "output", t.ID, t.ArnOutputName(), nodeLabel{KindStream, &t.Node})
	}
	n := eventNodes(s)
	for _, w := range s.Wires {
		if w.Kind == WireTrigger || w.Kind == WireNotify {
			n++
		}
	}
	return n
}

func (v *validator) checkEventKept() {
	s := v.stack
	for _, b := range s.Buses {
		v.checkKept(b.ID, nodeLabel{KindBus, &b.Node}, "bus", b.Kept)
	}
	for _, r := range s.Rules {
		v.checkKept(r.ID, nodeLabel{KindRule, &r.Node}, "rule", r.Kept)
	}
	for _, b := range s.Buckets {
		v.checkKept(b.ID, nodeLabel{KindBucket, &b.Node}, "bucket", b.Kept)
	}
	for _, t := range s.Streams {
		v.checkKept(t.ID, nodeLabel{KindStream, &t.Node}, "stream", t.Kept)
	}
}
