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

	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	APIs        []*API      `json:"apis,omitempty"`
	Functions   []*Function `json:"functions,omitempty"`
	Tables      []*Table    `json:"tables,omitempty"`
	Wires       []*Wire     `json:"wires,omitempty"`
	// Others are resources of an imported template that Switchboard does
	// not model, kept as they were written.
	Others []*Other `json:"others,omitempty"`
	// Sections are template sections an imported template had that
	// Switchboard does not write (Parameters, Conditions, Mappings, Outputs
	// it would not generate…), each kept as it was written, in the order
	// the export writes sections.
	Sections []Field `json:"sections,omitempty"`
}

// Kind names what a node on the canvas is.
type Kind string

// The kinds of node a stack holds.
const (
	KindAPI      Kind = "api"
	KindFunction Kind = "function"
	KindTable    Kind = "table"
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
}

// API is an API Gateway WebSocket API with its routes and its one stage.
type API struct {
	Node
	Description string `json:"description,omitempty"`
	// RouteSelectionExpression picks the route from each message, for
	// example $request.body.action.
	RouteSelectionExpression string `json:"routeSelectionExpression"`
	// APIKeySelectionExpression is empty, $request.header.x-api-key or
	// $context.authorizer.usageIdentifierKey.
	APIKeySelectionExpression string      `json:"apiKeySelectionExpression,omitempty"`
	StageName                 string      `json:"stageName"`
	Routes                    []*Route    `json:"routes,omitempty"`
	Authorizer                *Authorizer `json:"authorizer,omitempty"`
	// Kept is what an imported template said about the API's resources
	// that Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// Route is one route of a WebSocket API. Its handler is the function at the
// other end of its integration wire.
type Route struct {
	ID  string `json:"id"`
	Key string `json:"key"`
	// TwoWay adds a route response, so what the handler returns is sent back
	// to the client.
	TwoWay         bool `json:"twoWay,omitempty"`
	APIKeyRequired bool `json:"apiKeyRequired,omitempty"`
	// Authorized puts the API's authorizer in front of the route. API Gateway
	// allows that only on $connect.
	Authorized bool `json:"authorized,omitempty"`
	// Kept is what an imported template said about the route's resources
	// that Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// Authorizer is a Lambda REQUEST authorizer of an API. The function is the
// one wired to the API with an authorizer wire.
type Authorizer struct {
	Name string `json:"name"`
	// IdentitySources are the request parts the authorizer needs, such as
	// route.request.querystring.token or route.request.header.Auth.
	IdentitySources []string `json:"identitySources"`
}

// Function is a Lambda function.
type Function struct {
	Node
	Description string `json:"description,omitempty"`
	Runtime     string `json:"runtime"`
	Handler     string `json:"handler"`
	// CodePath is the function's code folder, relative to the repository
	// root; `aws cloudformation package` uploads it.
	CodePath    string            `json:"codePath"`
	MemorySize  int               `json:"memorySize"`
	Timeout     int               `json:"timeout"`
	Environment map[string]string `json:"environment,omitempty"`
	// LogRetentionDays is the retention of the function's log group.
	LogRetentionDays int `json:"logRetentionDays"`
	// LogDeletionPolicy says what happens to the log group when the stack
	// or the function is deleted.
	LogDeletionPolicy DeletionPolicy `json:"logDeletionPolicy"`
	// Kept is what an imported template said about the function's
	// resources that Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// Table is a DynamoDB table.
type Table struct {
	Node
	PartitionKey  Key         `json:"partitionKey"`
	SortKey       *Key        `json:"sortKey,omitempty"`
	BillingMode   BillingMode `json:"billingMode"`
	ReadCapacity  int         `json:"readCapacity,omitempty"`
	WriteCapacity int         `json:"writeCapacity,omitempty"`
	// TTLAttribute, when set, turns on time to live on that attribute.
	TTLAttribute   string         `json:"ttlAttribute,omitempty"`
	DeletionPolicy DeletionPolicy `json:"deletionPolicy"`
	// Kept is what an imported template said about the table that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// Key is a DynamoDB key attribute.
type Key struct {
	Name string        `json:"name"`
	Type AttributeType `json:"type"`
}

// AttributeType is a DynamoDB key attribute type.
type AttributeType string

// The key attribute types DynamoDB allows.
const (
	AttributeString AttributeType = "S"
	AttributeNumber AttributeType = "N"
	AttributeBinary AttributeType = "B"
)

// BillingMode is a DynamoDB billing mode.
type BillingMode string

// The billing modes DynamoDB offers.
const (
	BillingOnDemand    BillingMode = "PAY_PER_REQUEST"
	BillingProvisioned BillingMode = "PROVISIONED"
)

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
)

// WireKinds lists every wire kind, in the order a menu shows them.
var WireKinds = []WireKind{WireIntegration, WireRead, WireReadWrite, WireSend, WireAuthorizer}

// Wire connects two things in a stack. From and To are IDs: a route's ID for
// the start of an integration wire, a node's ID everywhere else.
type Wire struct {
	ID   string   `json:"id"`
	Kind WireKind `json:"kind"`
	From string   `json:"from"`
	To   string   `json:"to"`
}
