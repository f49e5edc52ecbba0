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
	{WireSendToQueue, KindFunction, KindQueue},
	{WirePublishToTopic, KindFunction, KindTopic},
	{WirePutEventsOnBus, KindFunction, KindBus},
	{WireStartMachine, KindFunction, KindStateMachine},
	{WireBucketRead, KindFunction, KindBucket},
	{WireBucketReadWrite, KindFunction, KindBucket},
	{WirePutRecords, KindFunction, KindStream},
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
	// QueueSendActions are what a send-to-queue wire allows on the queue:
	// the function is given the queue's URL, so it needs no GetQueueUrl.
	QueueSendActions = []string{"sqs:SendMessage"}
	// TopicPublishActions are what a publish-to-topic wire allows.
	TopicPublishActions = []string{"sns:Publish"}
	// BusPutEventsActions are what a put-events-on-bus wire allows.
	BusPutEventsActions = []string{"events:PutEvents"}
	// MachineStartActions are what a start-machine wire allows: an
	// asynchronous start, which standard and express machines both take.
	MachineStartActions = []string{"states:StartExecution"}
	// BucketReadActions are what a bucket-read wire allows, on the bucket
	// (ListBucket) and its objects (GetObject).
	BucketReadActions = []string{"s3:GetObject", "s3:ListBucket"}
	// BucketWriteActions are what a bucket-read-write wire allows besides.
	BucketWriteActions = []string{"s3:DeleteObject", "s3:PutObject"}
	// BucketReadWriteActions are all a bucket-read-write wire allows.
	BucketReadWriteActions = append(append([]string{}, BucketReadActions...), BucketWriteActions...)
	// StreamPutActions are what a put-records wire allows on the stream.
	StreamPutActions = []string{"kinesis:PutRecord", "kinesis:PutRecords"}
)

// SendAction is the one action a send wire allows.
const SendAction = "execute-api:ManageConnections"

// Grant is what a wire from a function gives it: IAM actions on a table, an
// API's connections, a queue, topic, bus, state machine, bucket or stream,
// and an environment variable naming it. How the
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
	// Write says a table or bucket grant lets the function write.
	Write bool
	// The node a wire from a function to a service grants, with Queue
	// above for a send-to-queue wire (which, unlike a consume wire's,
	// names a variable): exactly one is set.
	Topic         *Topic
	Bus           *Bus
	StateMachine  *StateMachine
	Bucket        *Bucket
	KinesisStream *Stream
}

// Target returns the kind and node the grant is on.
func (g Grant) Target() (Kind, *Node) {
	switch {
	case g.Table != nil:
		return KindTable, &g.Table.Node
	case g.API != nil:
		return KindAPI, &g.API.Node
	case g.Queue != nil:
		return KindQueue, &g.Queue.Node
	case g.Topic != nil:
		return KindTopic, &g.Topic.Node
	case g.Bus != nil:
		return KindBus, &g.Bus.Node
	case g.StateMachine != nil:
		return KindStateMachine, &g.StateMachine.Node
	case g.Bucket != nil:
		return KindBucket, &g.Bucket.Node
	case g.KinesisStream != nil:
		return KindStream, &g.KinesisStream.Node
	}
	return "", nil
}

// grantNodes finds the nodes a wire ends at: a Stack or an Index.
type grantNodes interface {
	Table(id string) *Table
	API(id string) *API
	Queue(id string) *Queue
	Topic(id string) *Topic
	Bus(id string) *Bus
	StateMachine(id string) *StateMachine
	Bucket(id string) *Bucket
	Stream(id string) *Stream
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
	case WireSendToQueue:
		if q := nodes.Queue(w.To); q != nil {
			return Grant{Wire: w, Queue: q, Actions: QueueSendActions, PolicyName: q.Name + "SendMessage", EnvName: EnvName(q.Name) + "_QUEUE_URL"}, true
		}
	case WirePublishToTopic:
		if t := nodes.Topic(w.To); t != nil {
			return Grant{Wire: w, Topic: t, Actions: TopicPublishActions, PolicyName: t.Name + "Publish", EnvName: EnvName(t.Name) + "_TOPIC_ARN"}, true
		}
	case WirePutEventsOnBus:
		if b := nodes.Bus(w.To); b != nil {
			return Grant{Wire: w, Bus: b, Actions: BusPutEventsActions, PolicyName: b.Name + "PutEvents", EnvName: EnvName(b.Name) + "_BUS_NAME"}, true
		}
	case WireStartMachine:
		if m := nodes.StateMachine(w.To); m != nil {
			return Grant{Wire: w, StateMachine: m, Actions: MachineStartActions, PolicyName: m.Name + "StartExecution", EnvName: EnvName(m.Name) + "_STATE_MACHINE_ARN"}, true
		}
	case WireBucketRead, WireBucketReadWrite:
		if b := nodes.Bucket(w.To); b != nil {
			if w.Kind == WireBucketReadWrite {
				return Grant{Wire: w, Bucket: b, Actions: BucketReadWriteActions, PolicyName: b.Name + "ReadWrite", EnvName: EnvName(b.Name) + "_BUCKET_NAME", Write: true}, true
			}
			return Grant{Wire: w, Bucket: b, Actions: BucketReadActions, PolicyName: b.Name + "Read", EnvName: EnvName(b.Name) + "_BUCKET_NAME"}, true
		}
	case WirePutRecords:
		if k := nodes.Stream(w.To); k != nil {
			return Grant{Wire: w, KinesisStream: k, Actions: StreamPutActions, PolicyName: k.Name + "PutRecords", EnvName: EnvName(k.Name) + "_STREAM_NAME"}, true
		}
	}
	return Grant{}, false
}
