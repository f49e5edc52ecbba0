// Package model defines what a Switchboard stack is: WebSocket APIs, Lambda
// functions, DynamoDB tables and the wires between them. It does no I/O and
// imports nothing of the project, so the store, the exporter, the canvas, the
// importer and the local runner all agree on one shape.
package model

import (
	"time"
)

// Stack is one designed WebSocket stack: what the canvas shows and what
// becomes one CloudFormation template.
type Stack struct {
	// ID, Revision and UpdatedAt belong to the store. They stay out of the
	// JSON document so that a stack file means the same on any machine.
	ID        int64     `json:"-"`
	Revision  int64     `json:"-"`
	UpdatedAt time.Time `json:"-"`

	Name          string          `json:"name"`
	Description   string          `json:"description,omitempty"`
	APIs          []*API          `json:"apis,omitempty"`
	Functions     []*Function     `json:"functions,omitempty"`
	Tables        []*Table        `json:"tables,omitempty"`
	Queues        []*Queue        `json:"queues,omitempty"`
	Topics        []*Topic        `json:"topics,omitempty"`
	StateMachines []*StateMachine `json:"stateMachines,omitempty"`
	Buses         []*Bus          `json:"buses,omitempty"`
	Rules         []*Rule         `json:"rules,omitempty"`
	Buckets       []*Bucket       `json:"buckets,omitempty"`
	Streams       []*Stream       `json:"streams,omitempty"`
	Layers        []*Layer        `json:"layers,omitempty"`
	UsagePlans    []*UsagePlan    `json:"usagePlans,omitempty"`
	Domains       []*Domain       `json:"domains,omitempty"`
	Wires         []*Wire         `json:"wires,omitempty"`
	// Others are resources of an imported template that Switchboard does
	// not model, kept as they were written.
	Others []*Other `json:"others,omitempty"`
	// Sections are template sections an imported template had that
	// Switchboard does not write (Parameters, Conditions, Mappings, Outputs
	// it would not generate…), each kept as it was written, in the order
	// the export writes sections.
	Sections []Field `json:"sections,omitempty"`
	// Parameters are the values the template takes when it is deployed
	// (and a local run asks for), such as an imported serverless.yml's
	// ${env:…} variables.
	Parameters []*Parameter `json:"parameters,omitempty"`
	// Environments are named sets of parameter values (design.go).
	Environments []*Environment `json:"environments,omitempty"`
	// ImportedFrom is the folder, on this machine, of the file the stack
	// was imported from: the root its functions' code paths are relative
	// to when it is run. Stack files leave it out.
	ImportedFrom string `json:"importedFrom,omitempty"`
}

// Kind names what a node on the canvas is.
type Kind string

// The kinds of node a stack holds.
const (
	KindAPI          Kind = "api"
	KindFunction     Kind = "function"
	KindTable        Kind = "table"
	KindQueue        Kind = "queue"
	KindTopic        Kind = "topic"
	KindStateMachine Kind = "statemachine"
	KindBus          Kind = "bus"
	KindRule         Kind = "rule"
	KindBucket       Kind = "bucket"
	KindStream       Kind = "stream"
	KindLayer        Kind = "layer"
	KindUsagePlan    Kind = "usageplan"
	KindDomain       Kind = "domain"
)

// Position is where a node sits on the canvas, in canvas pixels.
type Position struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Node holds what every resource on the canvas has. Name is the resource's
// CloudFormation logical ID; ID never changes, so renaming a resource keeps its
// wires and its history.
type Node struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Position Position `json:"position"`
	// Params are the node's fields that take a parameter's value.
	Params []ParamRef `json:"params,omitempty"`
}

// DeletionPolicy is what CloudFormation does with a resource's data when the
// resource leaves the stack.
type DeletionPolicy string

// The deletion policies Switchboard offers for stateful resources.
const (
	DeletionRetain DeletionPolicy = "Retain"
	DeletionDelete DeletionPolicy = "Delete"
)

// WireKind says what a wire means.
type WireKind string

// The kinds of wire. The kind fixes what may be at each end.
const (
	// WireIntegration: route → function. The function handles the route.
	WireIntegration WireKind = "integration"
	// WireRead: function → table. The function may read the table.
	WireRead WireKind = "read"
	// WireReadWrite: function → table. The function may read and write it.
	WireReadWrite WireKind = "read-write"
	// WireSend: function → API. The function may send to the API's
	// connections through the @connections management API.
	WireSend WireKind = "send"
	// WireAuthorizer: function → API. The function is the API's authorizer.
	WireAuthorizer WireKind = "authorizer"
	// WireSendMessage: route → queue. API Gateway sends each message to
	// the queue (SQS SendMessage).
	WireSendMessage WireKind = "send-message"
	// WirePublish: route → topic. API Gateway publishes each message (SNS
	// Publish).
	WirePublish WireKind = "publish"
	// WireStartExecution: route → state machine. API Gateway starts an
	// execution with the message as input; WireStartSyncExecution waits
	// for an express one's result.
	WireStartExecution     WireKind = "start-execution"
	WireStartSyncExecution WireKind = "start-sync-execution"
	// WirePutItem: route → table. API Gateway puts each message in the
	// table (DynamoDB PutItem).
	WirePutItem WireKind = "put-item"
	// WireConsume: queue → function. The queue's messages invoke the
	// function in batches (an event source mapping).
	WireConsume WireKind = "consume"
	// WireSubscribe: topic → function. The topic delivers each message to
	// the function.
	WireSubscribe WireKind = "subscribe"
	// WireStream: table → function. The table's stream invokes the
	// function with each batch of changes.
	WireStream WireKind = "stream"
	// WireDeadLetter: queue → queue. Messages received too often move to
	// the second queue.
	WireDeadLetter WireKind = "dead-letter"
	// WirePutRecord: route → stream. API Gateway puts each message on the
	// Kinesis stream (PutRecord), keyed by the connection.
	WirePutRecord WireKind = "put-record"
	// WirePutEvents: route → bus. API Gateway sends each message to the
	// EventBridge bus as an event (PutEvents).
	WirePutEvents WireKind = "put-events"
	// WireMatch: bus → rule. The rule matches the bus's events; a rule
	// without one is on the account's default bus.
	WireMatch WireKind = "match"
	// WireTrigger: rule → function. The rule invokes the function with
	// each event it matches (or on its schedule).
	WireTrigger WireKind = "trigger"
	// WireDeliver: rule → queue. The rule sends each event it matches to
	// the queue.
	WireDeliver WireKind = "deliver"
	// WireNotify: bucket → function. The bucket invokes the function on
	// its object events.
	WireNotify WireKind = "notify"
	// WireLayer: function → layer. The layer's content is in the
	// function's environment (/opt), after its other layers.
	WireLayer WireKind = "layer"
	// WireUsagePlan: usage plan → API. The plan's throttle, quota and API
	// keys apply to the API's stage.
	WireUsagePlan WireKind = "usage-plan"
	// WireAPIMapping: custom domain → API. The domain serves the API's
	// stage (an API mapping).
	WireAPIMapping WireKind = "api-mapping"
	// WireSendToQueue: function → queue. The function may send messages
	// to the queue, whose URL it is given.
	WireSendToQueue WireKind = "send-to-queue"
	// WirePublishToTopic: function → topic. The function may publish to
	// the topic, whose ARN it is given.
	WirePublishToTopic WireKind = "publish-to-topic"
	// WirePutEventsOnBus: function → bus. The function may put events on
	// the bus, whose name it is given.
	WirePutEventsOnBus WireKind = "put-events-on-bus"
	// WireStartMachine: function → state machine. The function may start
	// executions of the machine, whose ARN it is given.
	WireStartMachine WireKind = "start-machine"
	// WireBucketRead: function → bucket. The function may list the bucket
	// and get its objects; WireBucketReadWrite may also put and delete
	// them. It is given the bucket's name.
	WireBucketRead      WireKind = "bucket-read"
	WireBucketReadWrite WireKind = "bucket-read-write"
	// WirePutRecords: function → stream. The function may put records on
	// the Kinesis stream, whose name it is given.
	WirePutRecords WireKind = "put-records"
)

// WireKinds lists every wire kind, in the order a menu shows them.
var WireKinds = []WireKind{WireIntegration, WireRead, WireReadWrite, WireSend, WireAuthorizer,
	WireSendMessage, WirePublish, WireStartExecution, WireStartSyncExecution, WirePutItem, WireConsume, WireSubscribe, WireDeadLetter, WireStream,
	WirePutRecord, WirePutEvents, WireMatch, WireTrigger, WireDeliver, WireNotify,
	WireLayer, WireUsagePlan, WireAPIMapping,
	WireSendToQueue, WirePublishToTopic, WirePutEventsOnBus, WireStartMachine, WireBucketRead, WireBucketReadWrite, WirePutRecords}

// Wire connects two things in a stack. From and To are IDs: a route's ID for
// the start of an integration wire, a node's ID everywhere else.
type Wire struct {
	ID   string   `json:"id"`
	Kind WireKind `json:"kind"`
	From string   `json:"from"`
	To   string   `json:"to"`
}
