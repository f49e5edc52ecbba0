package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/hostguard"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/sqslocal"
)

// EventBridge in process: the stack's buses and the account's default
// one take PutEvents from a route integrated with a bus and from function
// code through the AWS SDKs (an endpoint speaking EventBridge's JSON
// protocol, AWS_ENDPOINT_URL_EVENTBRIDGE); each event, in EventBridge's
// envelope, goes to the rules on its bus whose pattern matches it, and a
// rule's schedule fires on its ticks. A rule delivers along its wires:
// a function is invoked asynchronously with the event, a queue gets it as
// a message (services.deliver).

// defaultBus is the name of the account's own bus, where a rule wired to
// no bus is, and where PutEvents goes without an EventBusName.
const defaultBus = "default"

// PutEvents' limits.
const (
	maxPutEntries   = 10
	maxPutEventSize = 256 << 10
)

// bridge is the run's EventBridge.
type bridge struct {
	svc   *services
	clock Clock
	// buses maps a bus's name in the run to it; the default bus is there
	// too.
	buses map[string]*localBus
	// byNode maps a bus node's ID to its bus.
	byNode map[string]*localBus
	rules  []*localRule
	ln     net.Listener
	srv    *http.Server
}

type localBus struct {
	name, arn string
	// node is nil for the default bus.
	node  *model.Bus
	rules []*localRule
}

type localRule struct {
	rule *model.Rule
	arn  string
	bus  *localBus
	// matchWire is the bus → rule wire, "" on the default bus.
	matchWire string
	pattern   *eventPattern
	schedule  schedule
	targets   []ruleTarget
}

// ruleTarget is where a rule delivers: a wire to a function or queue, or
// a target the template wrote with an Input, InputPath or
// InputTransformer (kept as written, so no wire), which shape what is
// delivered instead of the whole event.
type ruleTarget struct {
	wire  *model.Wire
	input func(event []byte) ([]byte, error)
}

// newBridge readies the buses and rules and serves the endpoint; the
// schedules start with start.
func newBridge(st *starting, svc *services) (*bridge, error) {
	clock := st.cfg.Clock
	if clock == nil {
		clock = wallClock{}
	}
	b := &bridge{svc: svc, clock: clock, buses: map[string]*localBus{}, byNode: map[string]*localBus{}}
	b.buses[defaultBus] = &localBus{name: defaultBus, arn: b.busARN(defaultBus)}
	for _, n := range st.s.Buses {
		name := BusName(st.s, n)
		lb := &localBus{name: name, arn: b.busARN(name), node: n}
		b.buses[name], b.byNode[n.ID] = lb, lb
	}
	x := model.NewIndex(st.s)
	for _, r := range st.s.Rules {
		lr := &localRule{rule: r, bus: b.buses[defaultBus]}
		for _, w := range x.WiresToOfKind(r.ID, model.WireMatch) {
			if lb := b.byNode[w.From]; lb != nil {
				lr.bus, lr.matchWire = lb, w.ID
			}
		}
		ruleName := stackResourceName(st.s, r.Name)
		lr.arn = "arn:aws:events:" + svc.region + ":" + sqslocal.AccountID + ":rule/" + ruleName
		if lr.bus.node != nil {
			lr.arn = "arn:aws:events:" + svc.region + ":" + sqslocal.AccountID + ":rule/" + lr.bus.name + "/" + ruleName
		}
		for _, w := range x.WiresFrom(r.ID) {
			if w.Kind == model.WireTrigger || w.Kind == model.WireDeliver {
				lr.targets = append(lr.targets, ruleTarget{wire: w})
			}
		}
		lr.targets = append(lr.targets, keptTargets(st, x, lr)...)
		var err error
		switch kept, ok := keptValue(r.Kept, "EventPattern"); {
		case ok:
			// The template's own pattern, which the model could not
			// hold (intrinsic functions in it) or spelled otherwise.
			var text string
			if json.Unmarshal(kept, &text) != nil {
				text = string(kept)
			}
			if lr.pattern, err = compilePattern(text); err != nil {
				st.progress(fmt.Sprintf("warning: rule %s: its event pattern, kept as the template wrote it, cannot be matched in a local run (%v); it matches no event", r.Name, err))
			}
		case r.EventPattern != "":
			if lr.pattern, err = compilePattern(r.EventPattern); err != nil {
				st.progress(fmt.Sprintf("warning: rule %s: %v; it matches no event in a local run", r.Name, err))
			}
		}
		if r.Schedule != "" {
			if lr.schedule, err = parseSchedule(r.Schedule); err != nil {
				st.progress(fmt.Sprintf("warning: rule %s: %v; it never fires in a local run", r.Name, err))
			}
		}
		lr.bus.rules = append(lr.bus.rules, lr)
		b.rules = append(b.rules, lr)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(st.ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("localrun: eventbridge endpoint: %w", err)
	}
	b.ln = ln
	b.srv = &http.Server{
		// A web page whose name is rebound to 127.0.0.1 names itself in Host.
		Handler:           hostguard.New(ln.Addr().String()).Handler(b),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(st.logger.Handler(), slog.LevelDebug),
	}
	go func() {
		if err := b.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			st.logger.Error("eventbridge endpoint stopped", slog.Any("err", err))
		}
	}()
	return b, nil
}

// BusName is a bus's name in a run: the Name its template states, else
// <stack>-<Bus>, as the export names it.
func BusName(s *model.Stack, b *model.Bus) string {
	for _, k := range b.Kept {
		if k.Part != model.PartMain {
			continue
		}
		for _, p := range k.Properties {
			var name string
			if p.Key == "Name" && json.Unmarshal(p.Value, &name) == nil && name != "" {
				return name
			}
		}
	}
	return stackResourceName(s, b.Name)
}

func (b *bridge) busARN(name string) string {
	return "arn:aws:events:" + b.svc.region + ":" + sqslocal.AccountID + ":event-bus/" + name
}

// URL is the endpoint, for AWS_ENDPOINT_URL_EVENTBRIDGE.
func (b *bridge) URL() string { return "http://" + b.ln.Addr().String() }

// EventBridgeEndpoint is the endpoint the run's EventBridge is served on.
func (r *Runner) EventBridgeEndpoint() string {
	if r.svc == nil || r.svc.bridge == nil {
		return ""
	}
	return r.svc.bridge.URL()
}

func (b *bridge) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := b.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = b.srv.Close()
	}
	return err
}

// start runs each enabled rule's schedule.
func (b *bridge) start() {
	for _, lr := range b.rules {
		if lr.schedule == nil || lr.rule.Disabled {
			continue
		}
		b.svc.wg.Add(1)
		go func() {
			defer b.svc.wg.Done()
			b.tick(lr)
		}()
	}
}

// tick fires a rule on each tick of its schedule, counted from the start
// of the run, with EventBridge's Scheduled Event.
func (b *bridge) tick(lr *localRule) {
	s := b.svc
	at := b.clock.Now()
	for {
		next := lr.schedule.next(at)
		if next.IsZero() {
			return
		}
		select {
		case <-s.ctx.Done():
			return
		case <-b.clock.After(next.Sub(b.clock.Now())):
		}
		at = next
		event := envelope{Version: "0", ID: newUUID(), DetailType: "Scheduled Event", Source: "aws.events", Account: sqslocal.AccountID,
			Time: next.UTC().Format(time.RFC3339), Region: s.region, Resources: []string{lr.arn}, Detail: json.RawMessage("{}")}
		payload, _ := json.Marshal(event)
		s.event(apigw.Event{Kind: apigw.EventInvoke, Function: "rule " + lr.rule.Name, FunctionID: lr.rule.ID, Detail: "schedule " + lr.rule.Schedule})
		b.deliver(lr, payload)
	}
}

// envelope is an event as EventBridge delivers it.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// putEntry is one entry of a PutEvents request.
type putEntry struct {
	Source       string
	DetailType   string
	Detail       *string
	EventBusName string
	Resources    []string
	// Time is epoch seconds (the SDKs') or an RFC 3339 string (a
	// template's); now when absent.
	Time json.RawMessage
}

type putResultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type putEventsResponse struct {
	FailedEntryCount int
	Entries          []putResultEntry
}

// requestError is a PutEvents request EventBridge refuses whole.
type requestError struct{ code, message string }

func (e *requestError) Error() string { return e.code + ": " + e.message }

// putEvents accepts entries as EventBridge's PutEvents does, each on its
// bus (the default one when unnamed; a name or an ARN), and sends each
// accepted event to the rules that match it. origin says who put them,
// for the log.
func (b *bridge) putEvents(entries []putEntry, origin string) (*putEventsResponse, error) {
	if len(entries) == 0 || len(entries) > maxPutEntries {
		return nil, &requestError{"ValidationException", fmt.Sprintf("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and %d", maxPutEntries)}
	}
	size := 0
	for _, e := range entries {
		size += len(e.Source) + len(e.DetailType) + len(e.EventBusName)
		if e.Detail != nil {
			size += len(*e.Detail)
		}
		for _, r := range e.Resources {
			size += len(r)
		}
	}
	if size > maxPutEventSize {
		return nil, &requestError{"ValidationException", "Total size of the entries in the request is over the limit."}
	}
	res := &putEventsResponse{Entries: make([]putResultEntry, 0, len(entries))}
	for _, e := range entries {
		code, msg := "", ""
		bus := b.busNamed(e.EventBusName)
		switch {
		case e.Source == "":
			code, msg = "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
		case strings.HasPrefix(e.Source, "aws."):
			code, msg = "NotAuthorizedForSourceException", "Not authorized for the source."
		case e.DetailType == "":
			code, msg = "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
		case e.Detail == nil:
			code, msg = "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
		case !isJSONObject(*e.Detail):
			code, msg = "MalformedDetail", "Detail is malformed."
		case bus == nil:
			code, msg = "ResourceNotFoundException", fmt.Sprintf("Event bus %s does not exist.", e.EventBusName)
		}
		if code != "" {
			res.FailedEntryCount++
			res.Entries = append(res.Entries, putResultEntry{ErrorCode: code, ErrorMessage: msg})
			b.svc.logger.InfoContext(b.svc.ctx, "PutEvents entry refused", slog.String("from", origin), slog.String("code", code), slog.String("message", msg))
			continue
		}
		ev := envelope{Version: "0", ID: newUUID(), DetailType: e.DetailType, Source: e.Source, Account: sqslocal.AccountID,
			Time: eventTime(e.Time, b.clock.Now()), Region: b.svc.region, Resources: e.Resources, Detail: json.RawMessage(*e.Detail)}
		if ev.Resources == nil {
			ev.Resources = []string{}
		}
		res.Entries = append(res.Entries, putResultEntry{EventID: ev.ID})
		b.route(bus, ev, origin)
	}
	return res, nil
}

// busNamed finds a bus by its name or ARN; "" is the default bus.
func (b *bridge) busNamed(name string) *localBus {
	if name == "" {
		return b.buses[defaultBus]
	}
	if i := strings.Index(name, ":event-bus/"); strings.HasPrefix(name, "arn:") && i >= 0 {
		name = name[i+len(":event-bus/"):]
	}
	return b.buses[name]
}

func isJSONObject(s string) bool {
	var obj map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &obj) == nil && obj != nil
}

// eventTime is an entry's Time as the envelope writes it.
func eventTime(raw json.RawMessage, now time.Time) string {
	var secs float64
	if json.Unmarshal(raw, &secs) == nil && secs > 0 {
		now = time.Unix(0, int64(secs*float64(time.Second)))
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		if t, err := time.Parse(time.RFC3339, text); err == nil {
			now = t
		}
	}
	return now.UTC().Format(time.RFC3339)
}

// route sends an event to each enabled rule of its bus whose pattern
// matches it.
func (b *bridge) route(bus *localBus, ev envelope, origin string) {
	payload, _ := json.Marshal(ev)
	decoded, err := decodeEvent(payload)
	if err != nil {
		return
	}
	matched := 0
	for _, lr := range bus.rules {
		if lr.rule.Disabled || lr.pattern == nil || !lr.pattern.match(decoded) {
			continue
		}
		matched++
		var wires []string
		if lr.matchWire != "" {
			wires = []string{lr.matchWire}
		}
		b.svc.event(apigw.Event{Kind: apigw.EventInvoke, Function: "rule " + lr.rule.Name, FunctionID: lr.rule.ID, WireIDs: wires,
			Data: ev.DetailType, Detail: "bus " + bus.name + ", from " + origin})
		b.deliver(lr, payload)
	}
	b.svc.logger.DebugContext(b.svc.ctx, "event put", slog.String("bus", bus.name), slog.String("from", origin),
		slog.String("source", ev.Source), slog.String("detailType", ev.DetailType), slog.Int("rules", matched))
}

// deliver sends a rule's event to each of its targets.
func (b *bridge) deliver(lr *localRule, payload []byte) {
	for _, t := range lr.targets {
		w, body := t.wire, payload
		if t.input != nil {
			var err error
			if body, err = t.input(payload); err != nil {
				b.svc.logger.WarnContext(b.svc.ctx, "rule's target input failed", slog.String("rule", lr.rule.Name), slog.Any("err", err))
				b.svc.event(apigw.Event{Kind: apigw.EventError, Function: "rule " + lr.rule.Name, FunctionID: lr.rule.ID, Detail: err.Error()})
				continue
			}
		}
		if err := b.svc.deliver(w, "rule "+lr.rule.Name, body); err != nil {
			b.svc.logger.WarnContext(b.svc.ctx, "rule's delivery failed", slog.String("rule", lr.rule.Name), slog.Any("err", err))
			b.svc.event(apigw.Event{Kind: apigw.EventError, Function: "rule " + lr.rule.Name, FunctionID: lr.rule.ID, WireIDs: []string{w.ID}, Detail: err.Error()})
		}
	}
}

// maxPutRequest bounds a request's body: the entries' 256 KB in JSON.
const maxPutRequest = 1 << 20

// ServeHTTP answers EventBridge's JSON protocol (a POST naming the
// operation in X-Amz-Target, AWSEvents.<Operation>): PutEvents.
func (b *bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPutRequest))
	if err != nil {
		writeEventsError(w, http.StatusRequestEntityTooLarge, "ValidationException", "the request is too large")
		return
	}
	// A web page cannot send X-Amz-Target without a CORS preflight, which
	// is never answered.
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSEvents.")
	if r.Method != http.MethodPost || !ok {
		writeEventsError(w, http.StatusBadRequest, "UnknownOperationException", "an EventBridge request is a POST naming its operation in X-Amz-Target (EventBridge's JSON protocol)")
		return
	}
	if op != "PutEvents" {
		writeEventsError(w, http.StatusBadRequest, "UnknownOperationException", "a local run's EventBridge serves PutEvents only, not "+op)
		return
	}
	var req struct{ Entries []putEntry }
	if err := json.Unmarshal(body, &req); err != nil {
		writeEventsError(w, http.StatusBadRequest, "SerializationException", "the request is not JSON")
		return
	}
	res, err := b.putEvents(req.Entries, "the EventBridge endpoint")
	var re *requestError
	if errors.As(err, &re) {
		writeEventsError(w, http.StatusBadRequest, re.code, re.message)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(res)
}

func writeEventsError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
}

// putEventsRoute serves a route → bus integration: the request template
// (the route's own, or the export's: the API as the source, the route as
// the detail type, the message as the detail) rendered into a PutEvents
// request whose entries all go to the wired bus, and PutEvents' answer.
func (s *services) putEventsRoute(sr *serviceRoute, tmpl string, custom bool, vin vtlInput) ([]byte, error) {
	bus := s.bridge.byNode[sr.wire.To]
	if !custom {
		tmpl = export.PutEventsTemplate(sr.api.Name, bus.name)
	}
	rendered, err := renderTemplate(tmpl, vin)
	if err != nil {
		return nil, err
	}
	var req struct{ Entries []putEntry }
	if err := json.Unmarshal([]byte(rendered), &req); err != nil {
		return nil, fmt.Errorf("bus %s: the rendered PutEvents request is not JSON: %w", bus.node.Name, err)
	}
	for i := range req.Entries {
		// The integration's role may put events on the wired bus alone.
		req.Entries[i].EventBusName = bus.name
	}
	res, err := s.bridge.putEvents(req.Entries, "route "+sr.api.Name+" "+sr.route.Key)
	if err != nil {
		return nil, fmt.Errorf("bus %s: %w", bus.node.Name, err)
	}
	return json.Marshal(res)
}
