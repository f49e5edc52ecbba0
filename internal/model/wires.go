package model

import "slices"

// KindRoute names a route as the end of a wire. Routes are not nodes, so
// it is not among the node kinds.
const KindRoute Kind = "route"

// WireRule says what one kind of wire connects.
type WireRule struct {
	Kind     WireKind
	From, To Kind
}

// WireRules is the one table of which kinds a wire may connect, in the order
// of WireKinds. Between the same two kinds the first rule is the default: a
// function drawn to a table reads it (least privilege) until switched.
var WireRules = []WireRule{
	{WireIntegration, KindRoute, KindFunction},
	{WireRead, KindFunction, KindTable},
	{WireReadWrite, KindFunction, KindTable},
	{WireSend, KindFunction, KindAPI},
	{WireAuthorizer, KindFunction, KindAPI},
	{WireSendMessage, KindRoute, KindQueue},
	{WirePublish, KindRoute, KindTopic},
	{WireStartExecution, KindRoute, KindStateMachine},
	{WireStartSyncExecution, KindRoute, KindStateMachine},
	{WirePutItem, KindRoute, KindTable},
	{WireConsume, KindQueue, KindFunction},
	{WireSubscribe, KindTopic, KindFunction},
	{WireDeadLetter, KindQueue, KindQueue},
	{WireStream, KindTable, KindFunction},
	{WirePutRecord, KindRoute, KindStream},
	{WirePutEvents, KindRoute, KindBus},
	{WireMatch, KindBus, KindRule},
	{WireTrigger, KindRule, KindFunction},
	{WireDeliver, KindRule, KindQueue},
	{WireNotify, KindBucket, KindFunction},
	{WireLayer, KindFunction, KindLayer},
	{WireUsagePlan, KindUsagePlan, KindAPI},
	{WireAPIMapping, KindDomain, KindAPI},
}

// RouteWire says the wire kind starts at a route: it is the route's
// integration, one per route.
func RouteWire(k WireKind) bool {
	r, ok := WireRuleOf(k)
	return ok && r.From == KindRoute
}

// ServiceAction is what a route's AWS service integration calls: the
// service and action in API Gateway's integration URI, and the one IAM
// action its credentials role is allowed, on the wired resource only.
type ServiceAction struct {
	Service, Action string
}

// IAMAction is the action the credentials role allows.
func (a ServiceAction) IAMAction() string { return a.Service + ":" + a.Action }

// ServiceActions maps each route → service wire to what it calls.
var ServiceActions = map[WireKind]ServiceAction{
	WireSendMessage:        {"sqs", "SendMessage"},
	WirePublish:            {"sns", "Publish"},
	WireStartExecution:     {"states", "StartExecution"},
	WireStartSyncExecution: {"states", "StartSyncExecution"},
	WirePutItem:            {"dynamodb", "PutItem"},
	WirePutRecord:          {"kinesis", "PutRecord"},
	WirePutEvents:          {"events", "PutEvents"},
}

// ResourceGrant is what a wire lets its start do to its end through the
// end's own resource policy rather than a role: a service principal
// allowed one action, only from the wire's start (its ARN the condition).
type ResourceGrant struct {
	Principal, Action string
}

// ResourceGrants maps each event wire that needs one to its grant: the
// invoke permission of a function, the queue policy of a queue.
var ResourceGrants = map[WireKind]ResourceGrant{
	WireTrigger: {"events.amazonaws.com", "lambda:InvokeFunction"},
	WireDeliver: {"events.amazonaws.com", "sqs:SendMessage"},
	WireNotify:  {"s3.amazonaws.com", "lambda:InvokeFunction"},
}

// WireRuleOf returns the rule of a wire kind, and false for an unknown kind.
func WireRuleOf(k WireKind) (WireRule, bool) {
	for _, r := range WireRules {
		if r.Kind == k {
			return r, true
		}
	}
	return WireRule{}, false
}

// WireKindsBetween lists the kinds of wire that may go from one kind to
// another, the default first; none if such a wire makes no sense.
func WireKindsBetween(from, to Kind) []WireKind {
	var kinds []WireKind
	for _, r := range WireRules {
		if r.From == from && r.To == to {
			kinds = append(kinds, r.Kind)
		}
	}
	return kinds
}

// WireAlternatives lists the kinds a wire of kind k may be switched to: those
// with the same ends, k among them.
func WireAlternatives(k WireKind) []WireKind {
	r, ok := WireRuleOf(k)
	if !ok {
		return []WireKind{k}
	}
	return WireKindsBetween(r.From, r.To)
}

// The IAM actions wires grant. The export writes them and the importer reads
// wires back from them. Not to be changed by callers.
var (
	// TableReadActions are the DynamoDB actions a read wire allows.
	TableReadActions = []string{
		"dynamodb:BatchGetItem",
		"dynamodb:ConditionCheckItem",
		"dynamodb:DescribeTable",
		"dynamodb:GetItem",
		"dynamodb:Query",
		"dynamodb:Scan",
	}
	// TableWriteActions are what a read-write wire allows besides.
	TableWriteActions = []string{
		"dynamodb:BatchWriteItem",
		"dynamodb:DeleteItem",
		"dynamodb:PutItem",
		"dynamodb:UpdateItem",
	}
	// TableReadWriteActions are all a read-write wire allows.
	TableReadWriteActions = append(append([]string{}, TableReadActions...), TableWriteActions...)
	// SendActions are what a send wire allows on the API's stage.
	SendActions = []string{SendAction}
	// QueueConsumeActions are what a consume wire allows the function on
	// the queue: what Lambda's event source mapping calls for it.
	QueueConsumeActions = []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}
	// StreamActions are what a stream wire allows the function on the
	// table's stream: what Lambda's event source mapping calls for it.
	StreamActions = []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}
)

// SendAction is the one action a send wire allows.
const SendAction = "execute-api:ManageConnections"

// Grant is what a wire from a function gives it: IAM actions on a table or
// an API's connections, and an environment variable naming it. How the
// resource and the variable's value are written depends on where the
// function runs (a template's Ref and Fn::Sub, a local run's names and URLs),
// so the caller writes them from Table or API.
type Grant struct {
	Wire *Wire
	// Table is the table a read or read-write wire grants, API the API a
	// send wire grants; exactly one is set.
	Table *Table
	API   *API
	// Queue is the queue a consume wire grants; the grant goes to the
	// function at the wire's end, and names no variable.
	Queue *Queue
	// Stream is set, with Table, for a stream wire: the grant is on the
	// table's stream, to the function at the wire's end.
	Stream bool
	// Actions are the IAM actions granted, on the table and its indexes or
	// on the stage's @connections.
	Actions []string
	// PolicyName names the role's inline policy holding them, before
	// IAM's length limit (see the export).
	PolicyName string
	// EnvName is the variable that gives the function the table's name or
	// the API's @connections URL.
	EnvName string
	// Write says a table grant lets the function write.
	Write bool
}

// grantNodes finds the nodes a wire ends at: a Stack or an Index.
type grantNodes interface {
	Table(id string) *Table
	API(id string) *API
	Queue(id string) *Queue
}

// GrantWires lists the wires that may grant the function something: those
// from it, then the consume and stream wires that end at it.
func (x *Index) GrantWires(fn string) []*Wire {
	wires := x.WiresFrom(fn)
	if consumed := append(x.WiresToOfKind(fn, WireConsume), x.WiresToOfKind(fn, WireStream)...); len(consumed) > 0 {
		wires = append(slices.Clip(wires), consumed...)
	}
	return wires
}

// Grant says what a wire grants the function it starts at (or, for a
// consume wire, the function it ends at). A wire that
// grants nothing (a handler or authorizer wire), or whose end is missing,
// as in a draft, gives false.
func (x *Index) Grant(w *Wire) (Grant, bool) { return grantOf(x, w) }

// Grant is Index.Grant for a stack without an index.
func (s *Stack) Grant(w *Wire) (Grant, bool) { return grantOf(s, w) }

func grantOf(nodes grantNodes, w *Wire) (Grant, bool) {
	switch w.Kind {
	case WireRead, WireReadWrite:
		t := nodes.Table(w.To)
		if t == nil {
			return Grant{}, false
		}
		if w.Kind == WireReadWrite {
			return Grant{Wire: w, Table: t, Actions: TableReadWriteActions, PolicyName: t.Name + "ReadWrite", EnvName: t.TableEnvVar(), Write: true}, true
		}
		return Grant{Wire: w, Table: t, Actions: TableReadActions, PolicyName: t.Name + "Read", EnvName: t.TableEnvVar()}, true
	case WireSend:
		a := nodes.API(w.To)
		if a == nil {
			return Grant{}, false
		}
		return Grant{Wire: w, API: a, Actions: SendActions, PolicyName: a.Name + "ManageConnections", EnvName: a.ConnectionsEnvVar()}, true
	case WireStream:
		t := nodes.Table(w.From)
		if t == nil {
			return Grant{}, false
		}
		return Grant{Wire: w, Table: t, Stream: true, Actions: StreamActions, PolicyName: t.Name + "Stream"}, true
	case WireConsume:
		q := nodes.Queue(w.From)
		if q == nil {
			return Grant{}, false
		}
		return Grant{Wire: w, Queue: q, Actions: QueueConsumeActions, PolicyName: q.Name + "Consume"}, true
	}
	return Grant{}, false
}
