package web

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// CanvasView is what the canvas page and its partial updates show.
type CanvasView struct {
	Stack *model.Stack
	Wires []WireView
	// Steps is what Undo and Redo would do, for their buttons.
	Steps Steps
	// ProblemCount is the Problems tab's badge; the list loads when shown.
	ProblemCount int
}

// NewCanvasView builds the canvas of a stack. It leaves the problems out:
// checking a large stack costs more than rendering it, so the problems tab
// loads them, and its count, after the page (ProblemsPane).
func NewCanvasView(s *model.Stack) CanvasView {
	return CanvasView{Stack: s, Wires: Wires(s)}
}

// Base is the URL every request about the stack starts with.
func (v CanvasView) Base() string { return StackURL(v.Stack.ID) }

// Revision is the stack's revision as text, for data-revision.
func (v CanvasView) Revision() string { return strconv.FormatInt(v.Stack.Revision, 10) }

// NodeView is one node as the canvas draws it.
type NodeView struct {
	Kind    model.Kind
	ID      string
	Name    string
	X, Y    float64
	Summary string
	Routes  []*model.Route
}

// Nodes returns the nodes of the stack as the canvas draws them.
func (v CanvasView) Nodes() []NodeView {
	s := v.Stack
	out := make([]NodeView, 0, len(s.APIs)+len(s.Functions)+len(s.Tables)+len(s.Others))
	for _, k := range model.Kinds() {
		out = kindViewOf(k.Kind).nodes(s, out)
	}
	for _, o := range s.Others {
		out = append(out, NodeView{Kind: model.KindOther, ID: o.ID, Name: o.Name, X: o.Position.X, Y: o.Position.Y, Summary: o.Type})
	}
	return out
}

// URL is the node's address.
func (n NodeView) URL(base string) string { return NodeURL(base, n.ID) }

// NodeURL, RouteURL and WireURL are the addresses of a stack's node, route
// and wire under base (StackURL). Every URL built from an ID goes through
// them, so the ID stays one path segment whatever it holds.
func NodeURL(base, id string) string  { return base + "/nodes/" + pathSegment(id) }
func RouteURL(base, id string) string { return base + "/routes/" + pathSegment(id) }
func WireURL(base, id string) string  { return base + "/wires/" + pathSegment(id) }

// pathSegment escapes an ID as one URL path segment. A model.ValidID needs
// no escaping; this is the second line for one that is not (a shared
// stack file, a database written by hand), so that no "/", "?", "#" or "%"
// can point a request at another URL. "." and "..", which a browser
// resolves away however they are escaped, become a segment naming nothing.
func pathSegment(id string) string {
	switch id {
	case "", ".", "..":
		id += "/"
	}
	return url.PathEscape(id)
}

// PanelView is the properties panel of one node. The node fields point at
// the values to show: the saved ones, or after a refused save the ones the
// user sent, next to Errors.
type PanelView struct {
	Base         string
	Stack        *model.Stack
	Kind         model.Kind
	API          *model.API
	Function     *model.Function
	Table        *model.Table
	Queue        *model.Queue
	Topic        *model.Topic
	StateMachine *model.StateMachine
	Layer        *model.Layer
	UsagePlan    *model.UsagePlan
	Domain       *model.Domain
	Bus          *model.Bus
	Rule         *model.Rule
	Bucket       *model.Bucket
	Stream       *model.Stream
	// Other is a generic node: any CloudFormation type, edited as
	// written. OtherText is its resource as the panel's YAML shows it: as
	// saved, or as sent when a save was refused.
	Other     *model.Other
	OtherText string
	// OtherTyped says goformation knows the generic node's type, so its
	// properties are checked against it.
	OtherTyped bool
	// Errors maps a form field to the message shown next to it.
	Errors map[string]string
	// General lists errors that belong to no field of the form.
	General []string
	// Notes are the node's problems that do not stop a save: gaps a stack
	// being drawn may have, and warnings.
	Notes []model.Problem
	// NewRoute is the key of a route being added, kept when it is refused.
	NewRoute string
	// Saved says the last change was saved, for a quiet confirmation.
	Saved bool
	// EnvRows are the function's environment rows as the user last sent
	// them, in their order; nil shows the saved variables by name.
	EnvRows []EnvRow
	// CodeMove is the folder move a rename proposes: the function's code
	// folder exists in the linked repository under its old name.
	CodeMove *CodeMove
	// MovePending is the folder move the next commit makes, just agreed.
	MovePending *CodeMove
}

// CodeMove is a function's code folder moving From one path To another.
// Unsure: the repository could not be read to tell whether From exists.
type CodeMove struct {
	From, To string
	Unsure   bool
}

// EnvRow is one environment variable of the function panel.
type EnvRow struct {
	Name, Value string
	// Was is the name the row had when the panel was drawn: the saved
	// variable whose value the row shows, "" for a row added since.
	Was   string
	Error string
}

// EnvRowsOf lists saved variables as rows, by name.
func EnvRowsOf(env map[string]string) []EnvRow {
	rows := make([]EnvRow, 0, len(env))
	for _, k := range model.Sorted(env) {
		rows = append(rows, EnvRow{Name: k, Value: env[k], Was: k})
	}
	return rows
}

// Env is the environment rows the panel shows.
func (p PanelView) Env() []EnvRow {
	if p.EnvRows != nil || p.Function == nil {
		return p.EnvRows
	}
	return EnvRowsOf(p.Function.Environment)
}

// textareaText is a value as a textarea's content. HTML drops a line break
// right after <textarea>; writing one first keeps a value's own.
func textareaText(v string) string { return "\n" + v }

// textareaRows is how many lines a value's textarea shows at first.
func textareaRows(v string) string {
	return strconv.Itoa(min(max(strings.Count(v, "\n")+1, 1), 8))
}

// ID is the node's ID.
func (p PanelView) ID() string {
	switch {
	case p.API != nil:
		return p.API.ID
	case p.Function != nil:
		return p.Function.ID
	case p.Table != nil:
		return p.Table.ID
	case p.Queue != nil:
		return p.Queue.ID
	case p.Topic != nil:
		return p.Topic.ID
	case p.StateMachine != nil:
		return p.StateMachine.ID
	case p.Layer != nil:
		return p.Layer.ID
	case p.UsagePlan != nil:
		return p.UsagePlan.ID
	case p.Domain != nil:
		return p.Domain.ID
	case p.Other != nil:
		return p.Other.ID
	}
	if n := p.eventNode(); n != nil {
		return n.ID
	}
	return ""
}

// URL is the node's address.
func (p PanelView) URL() string { return NodeURL(p.Base, p.ID()) }

func (p PanelView) err(field string) string { return p.Errors[field] }

// WireLines lists the wires touching the node, in words, with their URLs.
func (p PanelView) WireLines() []WireLine {
	id := p.ID()
	touches := map[string]bool{id: true}
	if p.API != nil {
		for _, r := range p.API.Routes {
			touches[r.ID] = true
		}
	}
	var out []WireLine
	for _, w := range p.Stack.Wires {
		if touches[w.From] || touches[w.To] {
			out = append(out, WireLine{ID: w.ID, URL: WireURL(p.Base, w.ID), Text: DescribeWire(p.Stack, w)})
		}
	}
	return out
}

// WireLine is one wire in a panel's list.
type WireLine struct{ ID, URL, Text string }

// endName names one end of a wire: a node's name or an API's route.
func endName(s *model.Stack, id string) string {
	if n, ok := s.Node(id); ok {
		return n.Name
	}
	if a, r := s.Route(id); r != nil {
		return a.Name + " " + r.Key
	}
	return id
}

// DescribeWire says what a wire does, in words.
func DescribeWire(s *model.Stack, w *model.Wire) string {
	from, to := endName(s, w.From), endName(s, w.To)
	switch w.Kind {
	case model.WireIntegration:
		return from + " → " + to + " (handler)"
	case model.WireRead:
		return from + " reads " + to
	case model.WireReadWrite:
		return from + " reads and writes " + to
	case model.WireSend:
		return from + " sends to " + to + " connections"
	case model.WireAuthorizer:
		return from + " authorizes " + to
	case model.WireSendMessage:
		return from + " sends each message to queue " + to + " (SQS SendMessage)"
	case model.WirePublish:
		return from + " publishes each message to topic " + to + " (SNS Publish)"
	case model.WireStartExecution:
		return from + " starts an execution of " + to + " (Step Functions StartExecution)"
	case model.WireStartSyncExecution:
		return from + " runs " + to + " and waits for its result (Step Functions StartSyncExecution)"
	case model.WirePutItem:
		return from + " puts each message in table " + to + " (DynamoDB PutItem)"
	case model.WireConsume:
		return to + " receives the messages of queue " + from
	case model.WireSubscribe:
		return to + " receives the messages of topic " + from
	case model.WireStream:
		return to + " receives the changes of table " + from + " (its stream)"
	case model.WirePutRecord:
		return from + " puts each message on stream " + to + " (Kinesis PutRecord)"
	case model.WirePutEvents:
		return from + " sends each message to bus " + to + " as an event (EventBridge PutEvents)"
	case model.WireMatch:
		return to + " matches the events of bus " + from
	case model.WireTrigger:
		return from + " invokes " + to
	case model.WireDeliver:
		return from + " sends its events to queue " + to
	case model.WireNotify:
		return to + " receives the object events of bucket " + from
	case model.WireDeadLetter:
		return from + " moves messages received too often to " + to
	case model.WireLayer:
		return from + " uses layer " + to
	case model.WireUsagePlan:
		return "usage plan " + from + " limits " + to + "'s stage"
	case model.WireAPIMapping:
		return "custom domain " + from + " serves " + to
	case model.WireSendToQueue:
		return from + " sends messages to queue " + to
	case model.WirePublishToTopic:
		return from + " publishes to topic " + to
	case model.WirePutEventsOnBus:
		return from + " puts events on bus " + to
	case model.WireStartMachine:
		return from + " starts executions of " + to
	case model.WireBucketRead:
		return from + " reads bucket " + to
	case model.WireBucketReadWrite:
		return from + " reads and writes bucket " + to
	case model.WirePutRecords:
		return from + " puts records on stream " + to
	}
	return from + " → " + to
}

// WirePanelView is the properties panel of one wire.
type WirePanelView struct {
	Base  string
	Stack *model.Stack
	Wire  *model.Wire
	Error string
}

// URL is the wire's address.
func (p WirePanelView) URL() string { return WireURL(p.Base, p.Wire.ID) }

// Route is the route the wire integrates, or nil for a wire that starts
// elsewhere.
func (p WirePanelView) Route() *model.Route {
	if _, r := p.Stack.Route(p.Wire.From); r != nil {
		return r
	}
	return nil
}

// Integration is the route's integration settings, the zero ones when it
// has none.
func (p WirePanelView) Integration() model.Integration {
	if r := p.Route(); r != nil && r.Integration != nil {
		return *r.Integration
	}
	return model.Integration{}
}

// Timeout is the integration's timeout as the field shows it: empty for
// API Gateway's default.
func (p WirePanelView) Timeout() string {
	if t := p.Integration().TimeoutMillis; t != 0 {
		return strconv.Itoa(t)
	}
	return ""
}

// Kinds lists the kinds the wire could switch to: those with the same ends.
func (p WirePanelView) Kinds() []model.WireKind { return model.WireAlternatives(p.Wire.Kind) }

// TemplateView is the template tab: the template text, or the problems that
// stop the export.
type TemplateView struct {
	Base   string
	Format string
	// Revision is the stack's revision the text is of: an edit of the
	// text is based on it.
	Revision int64
	Text     string
	Problems []model.Problem
}

// TemplateProblem is why an edited template was not applied, at a line
// and column of the text (zero when the place is the whole text).
type TemplateProblem struct {
	Line, Col int
	Message   string
}

// Where says the problem's place in words.
func (p TemplateProblem) Where() string {
	switch {
	case p.Line > 0 && p.Col > 0:
		return fmt.Sprintf("Line %d, column %d: ", p.Line, p.Col)
	case p.Line > 0:
		return fmt.Sprintf("Line %d: ", p.Line)
	}
	return ""
}

// ProblemsView is the problems tab.
type ProblemsView struct {
	Stack    *model.Stack
	Problems []model.Problem
}

// Select is the canvas element a problem selects: the node, the route's
// API, or the wire; empty for the stack itself.
func (v ProblemsView) Select(p model.Problem) string {
	id := p.Resource
	if id == "" {
		return ""
	}
	if _, ok := v.Stack.Node(id); ok {
		return "node-" + id
	}
	if a, _ := v.Stack.Route(id); a != nil {
		return "node-" + a.ID
	}
	if v.Stack.Wire(id) != nil {
		return "wire-" + id
	}
	return ""
}

func itoa(i int) string { return strconv.Itoa(i) }

// Fragments renders components one after another: a response's target
// followed by its out-of-band parts.
func Fragments(parts ...templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		for _, p := range parts {
			if err := p.Render(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
}

// problemCount says how many problems there are: "a problem", "3 problems".
func problemCount(n int) string {
	if n == 1 {
		return "a problem"
	}
	return strconv.Itoa(n) + " problems"
}
