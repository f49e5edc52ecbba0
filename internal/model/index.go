package model

// Index answers a stack's lookups in constant time. Stack.Node, Stack.Route
// and the like scan the stack, which is fine once but quadratic over a pass
// that looks up every wire's ends; validation and export build an Index once
// per pass instead. It reflects the stack as it was when built; where IDs
// repeat (an invalid stack), the first wins, as with the Stack methods.
type Index struct {
	nodes     map[string]NodeRef
	routes    map[string]routeRef
	functions map[string]*Function
	tables    map[string]*Table
	apis      map[string]*API
	queues    map[string]*Queue
	machines  map[string]*StateMachine
	topics    map[string]*Topic
	events    eventIndex
	from      map[string][]*Wire
	to        map[string][]*Wire
	// Routes counts the routes of all APIs.
	Routes int
	// stack is the indexed stack, for the few-of-a-kind lookups (layers,
	// usage plans, domains) that scan it.
	stack *Stack
}

type routeRef struct {
	api   *API
	route *Route
}

// NewIndex indexes the stack. Its maps are sized up front: growing them was
// most of the cost of checking a large stack.
func NewIndex(s *Stack) *Index {
	routes := 0
	for _, a := range s.APIs {
		routes += len(a.Routes)
	}
	nodes := len(s.APIs) + len(s.Functions) + len(s.Tables) + len(s.Queues) + len(s.Topics) + len(s.StateMachines) + len(s.Others) + eventNodes(s)
	x := &Index{
		nodes:     make(map[string]NodeRef, nodes),
		routes:    make(map[string]routeRef, routes),
		functions: make(map[string]*Function, len(s.Functions)),
		tables:    make(map[string]*Table, len(s.Tables)),
		apis:      make(map[string]*API, len(s.APIs)),
		queues:    make(map[string]*Queue, len(s.Queues)),
		machines:  make(map[string]*StateMachine, len(s.StateMachines)),
		topics:    make(map[string]*Topic, len(s.Topics)),
		from:      make(map[string][]*Wire, nodes+routes),
		to:        make(map[string][]*Wire, nodes),
		Routes:    routes,
		stack:     s,
	}
	for _, n := range s.Nodes() {
		if _, dup := x.nodes[n.ID]; !dup {
			x.nodes[n.ID] = n
		}
	}
	for _, a := range s.APIs {
		if _, dup := x.apis[a.ID]; !dup {
			x.apis[a.ID] = a
		}
		for _, r := range a.Routes {
			if _, dup := x.routes[r.ID]; !dup {
				x.routes[r.ID] = routeRef{a, r}
			}
		}
	}
	for _, f := range s.Functions {
		if _, dup := x.functions[f.ID]; !dup {
			x.functions[f.ID] = f
		}
	}
	for _, t := range s.Tables {
		if _, dup := x.tables[t.ID]; !dup {
			x.tables[t.ID] = t
		}
	}
	for _, q := range s.Queues {
		if _, dup := x.queues[q.ID]; !dup {
			x.queues[q.ID] = q
		}
	}
	for _, t := range s.Topics {
		if _, dup := x.topics[t.ID]; !dup {
			x.topics[t.ID] = t
		}
	}
	for _, m := range s.StateMachines {
		if _, dup := x.machines[m.ID]; !dup {
			x.machines[m.ID] = m
		}
	}
	x.events = newEventIndex(s)
	for _, w := range s.Wires {
		x.from[w.From] = append(x.from[w.From], w)
		x.to[w.To] = append(x.to[w.To], w)
	}
	return x
}

// Node returns the node with the ID, if there is one.
func (x *Index) Node(id string) (NodeRef, bool) {
	n, ok := x.nodes[id]
	return n, ok
}

// Route returns the route with the ID and its API, or nils.
func (x *Index) Route(id string) (*API, *Route) {
	r := x.routes[id]
	return r.api, r.route
}

// Function returns the function with the ID, or nil.
func (x *Index) Function(id string) *Function { return x.functions[id] }

// Table returns the table with the ID, or nil.
func (x *Index) Table(id string) *Table { return x.tables[id] }

// API returns the API with the ID, or nil.
func (x *Index) API(id string) *API { return x.apis[id] }

// Queue returns the queue with the ID, or nil.
func (x *Index) Queue(id string) *Queue { return x.queues[id] }

// Topic returns the topic with the ID, or nil.
func (x *Index) Topic(id string) *Topic { return x.topics[id] }

// StateMachine returns the state machine with the ID, or nil.
func (x *Index) StateMachine(id string) *StateMachine { return x.machines[id] }

// WiresTo returns the wires of any kind that end at id, in stack order.
func (x *Index) WiresTo(id string) []*Wire { return x.to[id] }

// RouteTarget returns the wire that integrates the route (to a function,
// queue, topic, state machine or table), or nil.
func (x *Index) RouteTarget(routeID string) *Wire {
	for _, w := range x.from[routeID] {
		if RouteWire(w.Kind) {
			return w
		}
	}
	return nil
}

// WiresFrom returns the wires of any kind that start at id, in stack order.
func (x *Index) WiresFrom(id string) []*Wire { return x.from[id] }

// WiresFromOfKind returns the wires of the kind that start at id.
func (x *Index) WiresFromOfKind(id string, kind WireKind) []*Wire { return ofKind(x.from[id], kind) }

// WiresToOfKind returns the wires of the kind that end at id.
func (x *Index) WiresToOfKind(id string, kind WireKind) []*Wire { return ofKind(x.to[id], kind) }

// RouteHandler returns the function wired to handle the route, or nil, as
// Stack.RouteHandler does.
func (x *Index) RouteHandler(routeID string) *Function {
	for _, w := range x.from[routeID] {
		if w.Kind == WireIntegration {
			if f := x.functions[w.To]; f != nil {
				return f
			}
		}
	}
	return nil
}

func ofKind(wires []*Wire, kind WireKind) []*Wire {
	var out []*Wire
	for _, w := range wires {
		if w.Kind == kind {
			out = append(out, w)
		}
	}
	return out
}
