package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/asl"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/sqslocal"
)

// A local run serves the stack's queues, topics and state machines in
// process: a route wired to one (or to a table, or to a function without
// the proxy) reaches it through the gateway as an AWS integration, its
// request template rendered as API Gateway would, and the event sources
// wired from them (queue → function, topic → function, table stream →
// function, events.go) invoke the functions with the events Lambda sends.
// What the gateway invokes for such a route is not a function but the
// route's integration, named integrationTarget.

// services is what a run serves besides the APIs and functions.
type services struct {
	logger *slog.Logger
	r      *Runner
	stack  *model.Stack
	region string
	// inv runs functions: the gate, which waits until they are warm.
	inv apigw.Invoker

	sqs   *sqslocal.Service
	sqsEP *sqslocal.Endpoint
	// queues maps a queue node's ID to its name on the local SQS.
	queues map[string]string
	// machines are the state machines, by node ID.
	machines map[string]*localMachine
	// routes are the service integrations, by the name the gateway
	// invokes them with.
	routes map[string]*serviceRoute
	// bridge is the run's EventBridge (eventbridge.go).
	bridge *bridge

	// functionIDs maps each function's name to its node's ID, for events.
	functionIDs map[string]string
	// onEvent is Config.OnEvent, or nothing.
	onEvent func(apigw.Event)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// event tells of something the services did.
func (s *services) event(e apigw.Event) {
	if s.onEvent != nil {
		e.Time = time.Now()
		s.onEvent(e)
	}
}

type localMachine struct {
	m       *model.StateMachine
	machine *asl.Machine
	arn     string
}

// serviceRoute is a route's AWS service integration.
type serviceRoute struct {
	api   *model.API
	route *model.Route
	wire  *model.Wire
}

// integrationTarget is the name the gateway invokes a route's service
// integration with, and events show: "queue Jobs (Api sendMessage)". It
// cannot be a function's (a logical ID has no space).
func integrationTarget(x *model.Index, a *model.API, r *model.Route, w *model.Wire) string {
	noun, name := "node", w.To
	if n, ok := x.Node(w.To); ok {
		noun, name = string(n.Kind), n.Name
		if spec, ok := model.SpecOf(n.Kind); ok {
			noun = spec.Noun
		}
	}
	return fmt.Sprintf("%s %s (%s %s)", noun, name, a.Name, r.Key)
}

// newServices readies the queues (and their SQS endpoint) and state
// machines of the stack; nothing runs until start.
func newServices(st *starting) (*services, error) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(st.ctx))
	s := &services{logger: st.logger, r: st.r, stack: st.s, region: st.cfg.Region, inv: st.gate,
		queues: map[string]string{}, machines: map[string]*localMachine{}, routes: map[string]*serviceRoute{},
		onEvent: st.cfg.OnEvent, ctx: ctx, cancel: cancel}
	x := model.NewIndex(st.s)
	s.functionIDs = map[string]string{}
	for _, f := range st.s.Functions {
		s.functionIDs[f.Name] = f.ID
	}
	var qcs []sqslocal.QueueConfig
	for _, q := range st.s.Queues {
		s.queues[q.ID] = QueueName(st.s, q)
	}
	for _, q := range st.s.Queues {
		c := sqslocal.QueueConfig{Name: s.queues[q.ID], FIFO: q.FIFO, ContentBasedDeduplication: q.ContentBasedDeduplication,
			VisibilityTimeout: time.Duration(q.VisibilityTimeout) * time.Second, Retention: time.Duration(q.RetentionPeriod) * time.Second,
			MaxReceiveCount: q.MaxReceiveCount}
		for _, w := range x.WiresFromOfKind(q.ID, model.WireDeadLetter) {
			c.DeadLetter = s.queues[w.To]
		}
		qcs = append(qcs, c)
	}
	var err error
	if s.sqs, err = sqslocal.New(qcs); err != nil {
		return nil, err
	}
	if len(qcs) > 0 {
		if s.sqsEP, err = sqslocal.Serve(st.ctx, st.logger, s.sqs, s.region); err != nil {
			return nil, err
		}
	}
	for _, m := range st.s.StateMachines {
		machine, err := asl.Parse([]byte(m.Definition), functionResolver(st.s, m))
		if err != nil {
			// refuseStateMachines checked it before anything started.
			return nil, fmt.Errorf("state machine %s: %w", m.Name, err)
		}
		s.machines[m.ID] = &localMachine{m: m, machine: machine,
			arn: "arn:aws:states:" + s.region + ":" + sqslocal.AccountID + ":stateMachine:" + stackResourceName(st.s, m.Name)}
	}
	for _, a := range st.s.APIs {
		for _, r := range a.Routes {
			if w := integratedHere(x, r); w != nil {
				s.routes[integrationTarget(x, a, r, w)] = &serviceRoute{api: a, route: r, wire: w}
			}
		}
	}
	return s, nil
}

// stackResourceName is <stack>-<name>, as CloudFormation names a resource
// after its stack and logical ID.
func stackResourceName(s *model.Stack, name string) string {
	stack := strings.Trim(tableNameUnsafe.ReplaceAllString(s.Name, "-"), "-")
	if stack == "" {
		return name
	}
	return stack + "-" + name
}

// QueueName is a queue's name on the local SQS: <stack>-<Queue>, with
// .fifo for a FIFO queue, as SQS requires.
func QueueName(s *model.Stack, q *model.Queue) string {
	n := stackResourceName(s, q.Name)
	if q.FIFO {
		n += ".fifo"
	}
	return n
}

func (s *services) close() error {
	s.cancel()
	var errs []error
	if s.sqsEP != nil {
		errs = append(errs, s.sqsEP.Close())
	}
	if s.bridge != nil {
		errs = append(errs, s.bridge.close())
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

// endpointEnv gives the functions the local SQS's and EventBridge's
// endpoints, which the SDKs read for service IDs "SQS" and "EventBridge",
// unless they set them themselves.
func (s *services) endpointEnv(fns []lambdaemu.FunctionConfig) {
	if s == nil {
		return
	}
	for i := range fns {
		if s.sqsEP != nil {
			setDefault(fns[i].Env, "AWS_ENDPOINT_URL_SQS", s.sqsEP.URL())
		}
		if s.bridge != nil {
			setDefault(fns[i].Env, "AWS_ENDPOINT_URL_EVENTBRIDGE", s.bridge.URL())
		}
	}
}

// dispatcher is the gateway's invoker once the functions are warm: a
// route's service integration is served here, anything else is a function.
type dispatcher struct {
	pool apigw.Invoker
	svc  *services
}

// Invoke implements apigw.Invoker.
func (d dispatcher) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	if d.svc != nil {
		if sr := d.svc.routes[function]; sr != nil {
			return d.svc.integrate(ctx, sr, payload)
		}
	}
	return d.pool.Invoke(ctx, function, payload)
}

// integrate serves a route's service integration: the request template
// (the route's own, or the one the export writes for the action) rendered
// with the message, then the action on the wired queue, topic, state
// machine or table, and the integration response's template, if any.
func (s *services) integrate(ctx context.Context, sr *serviceRoute, event []byte) ([]byte, error) {
	var ev struct {
		Body           string         `json:"body"`
		RequestContext map[string]any `json:"requestContext"`
	}
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, err
	}
	vin := vtlInput{body: ev.Body, context: map[string]string{}}
	for k, v := range ev.RequestContext {
		switch t := v.(type) {
		case string:
			vin.context[k] = t
		case float64:
			vin.context[k] = strconv.FormatFloat(t, 'f', -1, 64)
		}
	}
	i := sr.route.Integration
	if i == nil {
		i = &model.Integration{}
	}
	tmpl, custom := "", false
	if len(i.RequestTemplates) > 0 {
		var ok bool
		if tmpl, ok = selectTemplate(i.RequestTemplates, i.TemplateSelectionExpression, ev.Body); !ok {
			return nil, fmt.Errorf("route %s: no request template matches", sr.route.Key)
		}
		custom = true
	}
	var (
		out []byte
		err error
	)
	switch sr.wire.Kind {
	case model.WireIntegration:
		out, err = s.invokeNonProxy(ctx, sr, tmpl, custom, vin)
	case model.WireSendMessage:
		out, err = s.sendMessage(sr, tmpl, custom, vin)
	case model.WirePublish:
		out, err = s.publish(sr, tmpl, custom, vin)
	case model.WireStartExecution, model.WireStartSyncExecution:
		out, err = s.startExecution(ctx, sr, tmpl, custom, vin)
	case model.WirePutItem:
		out, err = s.putItem(ctx, sr, tmpl, custom, vin)
	case model.WirePutEvents:
		out, err = s.putEventsRoute(sr, tmpl, custom, vin)
	}
	if err != nil {
		s.logger.WarnContext(ctx, "service integration failed", slog.String("route", sr.route.Key), slog.Any("err", err))
		return nil, err
	}
	return s.respond(sr, out)
}

// invokeNonProxy serves a Lambda integration without the proxy: the
// function gets the rendered request template, or the message as it is
// when the route has none (API Gateway's passthrough), and what it returns
// goes through the integration response.
func (s *services) invokeNonProxy(ctx context.Context, sr *serviceRoute, tmpl string, custom bool, vin vtlInput) ([]byte, error) {
	payload := vin.body
	if custom {
		rendered, err := renderTemplate(tmpl, vin)
		if err != nil {
			return nil, err
		}
		payload = rendered
	}
	f := model.NewIndex(s.stack).Function(sr.wire.To)
	return s.inv.Invoke(ctx, f.Name, []byte(payload))
}

// respond applies the route's integration response template ($default's,
// or the first's) to what the service answered; without one API Gateway
// passes the answer on as it is.
func (s *services) respond(sr *serviceRoute, out []byte) ([]byte, error) {
	i := sr.route.Integration
	if i == nil || len(i.Responses) == 0 {
		return out, nil
	}
	resp := i.Responses[0]
	for _, r := range i.Responses {
		if r.Key == model.RouteDefault {
			resp = r
		}
	}
	tmpl, ok := selectTemplate(resp.Templates, resp.TemplateSelectionExpression, string(out))
	if !ok {
		return out, nil
	}
	rendered, err := renderTemplate(tmpl, vtlInput{body: string(out), context: map[string]string{}})
	return []byte(rendered), err
}

// formOf renders a form-encoded request template (SQS's and SNS's query
// API), or the default the export writes: the message as the body.
func formOf(tmpl string, custom bool, vin vtlInput) (url.Values, error) {
	if !custom {
		return url.Values{}, nil
	}
	rendered, err := renderTemplate(tmpl, vin)
	if err != nil {
		return nil, err
	}
	return url.ParseQuery(strings.TrimSpace(rendered))
}

func (s *services) sendMessage(sr *serviceRoute, tmpl string, custom bool, vin vtlInput) ([]byte, error) {
	q := model.NewIndex(s.stack).Queue(sr.wire.To)
	form, err := formOf(tmpl, custom, vin)
	if err != nil {
		return nil, err
	}
	in := sqslocal.SendInput{Body: vin.body, SenderID: sqslocal.AccountID}
	if custom {
		in.Body = form.Get("MessageBody")
		in.GroupID, in.DedupID = form.Get("MessageGroupId"), form.Get("MessageDeduplicationId")
		if d, err := strconv.Atoi(form.Get("DelaySeconds")); err == nil {
			in.Delay = time.Duration(d) * time.Second
		}
	} else if q.FIFO {
		// The export's template: one group per connection, each message
		// its own unless the queue deduplicates by content.
		in.GroupID = vin.context["connectionId"]
		if !q.ContentBasedDeduplication {
			in.DedupID = vin.context["requestId"]
		}
	}
	sent, err := s.sqs.Send(s.queues[q.ID], in)
	if err != nil {
		return nil, err
	}
	res := map[string]any{"MD5OfMessageBody": sent.MD5OfBody, "MessageId": sent.MessageID}
	if sent.SequenceNumber != "" {
		res["SequenceNumber"] = sent.SequenceNumber
	}
	return json.Marshal(map[string]any{"SendMessageResponse": map[string]any{
		"SendMessageResult": res, "ResponseMetadata": map[string]any{"RequestId": newRequestID()}}})
}

// startExecution starts the wired state machine with the rendered input:
// a sync execution answers with DescribeExecution's shape, output
// included; an asynchronous one runs on after the answer.
func (s *services) startExecution(ctx context.Context, sr *serviceRoute, tmpl string, custom bool, vin vtlInput) ([]byte, error) {
	lm := s.machines[sr.wire.To]
	input := vin.body
	name := newRequestID()
	if custom {
		rendered, err := renderTemplate(tmpl, vin)
		if err != nil {
			return nil, err
		}
		var req struct {
			Input *string `json:"input"`
			Name  string  `json:"name"`
		}
		if err := json.Unmarshal([]byte(rendered), &req); err != nil {
			return nil, fmt.Errorf("the rendered request is not JSON: %w", err)
		}
		if req.Input != nil {
			input = *req.Input
		}
		if req.Name != "" {
			name = req.Name
		}
	}
	if input == "" {
		input = "{}"
	}
	if !json.Valid([]byte(input)) {
		return nil, fmt.Errorf("state machine %s: the execution input is not JSON", lm.m.Name)
	}
	// Step Functions names an express execution …:express:…, a standard
	// one …:execution:….
	kind := "execution"
	if lm.m.Type == model.StateMachineExpress {
		kind = "express"
	}
	execARN := strings.Replace(lm.arn, ":stateMachine:", ":"+kind+":", 1) + ":" + name
	start := time.Now()
	run := func(ctx context.Context) ([]byte, error) {
		return lm.machine.Run(ctx, []byte(input), asl.Execution{ID: execARN, Name: name, StateMachine: lm.arn, Invoke: s.taskInvoker(lm.m.Name)})
	}
	epoch := func(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
	if sr.wire.Kind == model.WireStartExecution {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if _, err := run(s.ctx); err != nil {
				s.logger.WarnContext(s.ctx, "execution failed", slog.String("stateMachine", lm.m.Name), slog.String("execution", name), slog.Any("err", err))
			}
		}()
		return json.Marshal(map[string]any{"executionArn": execARN, "startDate": epoch(start)})
	}
	out, err := run(ctx)
	res := map[string]any{"executionArn": execARN, "stateMachineArn": lm.arn, "name": name,
		"startDate": epoch(start), "stopDate": epoch(time.Now()), "input": input, "inputDetails": map[string]bool{"included": true},
		"billingDetails": map[string]any{"billedDurationInMilliseconds": time.Since(start).Milliseconds(), "billedMemoryUsedInMB": 64}}
	var f *asl.Failure
	switch {
	case errors.As(err, &f):
		res["status"], res["error"], res["cause"] = "FAILED", f.Name, f.Cause
	case err != nil:
		return nil, err
	default:
		res["status"], res["output"], res["outputDetails"] = "SUCCEEDED", string(out), map[string]bool{"included": true}
	}
	return json.Marshal(res)
}

// taskInvoker runs a Task's function and turns its error into Step
// Functions' (Lambda's errorType and a cause with its message).
func (s *services) taskInvoker(machine string) asl.Invoker {
	return func(ctx context.Context, function string, payload []byte) ([]byte, error) {
		s.event(apigw.Event{Kind: apigw.EventInvoke, Function: function, FunctionID: s.functionIDs[function], Detail: "state machine " + machine})
		out, err := s.inv.Invoke(ctx, function, payload)
		var fe *lambdaemu.FunctionError
		if errors.As(err, &fe) {
			cause, _ := json.Marshal(map[string]any{"errorType": fe.Type, "errorMessage": fe.Message, "trace": fe.StackTrace})
			name := fe.Type
			if errors.Is(fe, lambdaemu.ErrTimeout) {
				name = "Sandbox.Timedout"
			}
			return nil, &asl.TaskError{Name: name, Cause: string(cause)}
		}
		return out, err
	}
}

// functionResolver maps a Task's Lambda reference to a function of the
// stack: an ARN ending in function:<name>, or a ${…} substitution naming
// the function (or its Arn) or a DefinitionSubstitutions key that does.
func functionResolver(s *model.Stack, m *model.StateMachine) asl.Resolver {
	byName := map[string]string{}
	for _, f := range s.Functions {
		byName[f.Name] = f.Name
		byName[model.KeptLogicalID(f.Kept, model.PartMain, f.Name)] = f.Name
	}
	subs := map[string]string{}
	for _, k := range m.Kept {
		if k.Part != model.PartMain {
			continue
		}
		for _, p := range k.Properties {
			if p.Key != "DefinitionSubstitutions" {
				continue
			}
			var raw map[string]json.RawMessage
			_ = json.Unmarshal(p.Value, &raw)
			for key, v := range raw {
				subs[key] = referencedName(v)
			}
		}
	}
	lookup := func(name string) (string, bool) {
		name = strings.TrimSuffix(strings.TrimSuffix(name, ".Arn"), "Arn")
		if f, ok := byName[name]; ok {
			return f, true
		}
		f, ok := byName[name+"Arn"]
		return f, ok
	}
	return func(ref string) (string, bool) {
		if inner, ok := strings.CutPrefix(ref, "${"); ok {
			inner = strings.TrimSuffix(inner, "}")
			if target := subs[inner]; target != "" {
				if f, ok := lookup(target); ok {
					return f, true
				}
			}
			return lookup(inner)
		}
		if i := strings.Index(ref, ":function:"); i >= 0 {
			name := ref[i+len(":function:"):]
			name, _, _ = strings.Cut(name, ":") // a version or alias
			if f, ok := byName[name]; ok {
				return f, true
			}
			// A deployed name is <stack>-<LogicalId>-<suffix>.
			for n, f := range byName {
				if strings.Contains(name, "-"+n+"-") || strings.HasSuffix(name, "-"+n) {
					return f, true
				}
			}
			return "", false
		}
		return lookup(ref)
	}
}

// referencedName reads the resource a substitution value names: !GetAtt
// X.Arn, {"Fn::GetAtt": [X, "Arn"]}, {"Ref": X}, or a plain name.
func referencedName(v json.RawMessage) string {
	var str string
	if json.Unmarshal(v, &str) == nil {
		return str
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) != nil {
		return ""
	}
	if r, ok := obj["Ref"]; ok {
		_ = json.Unmarshal(r, &str)
		return str
	}
	if g, ok := obj["Fn::GetAtt"]; ok {
		var parts []string
		if json.Unmarshal(g, &parts) == nil && len(parts) > 0 {
			return parts[0]
		}
		_ = json.Unmarshal(g, &str)
		return strings.Split(str, ".")[0]
	}
	return ""
}

// services returns the run's services, made on first need.
func (st *starting) services() (*services, error) {
	if st.r.svc != nil {
		return st.r.svc, nil
	}
	svc, err := newServices(st)
	if err != nil {
		return nil, err
	}
	st.r.svc = svc
	return svc, nil
}

// integratedHere returns the route's wire when the run serves its
// integration itself: an AWS service, or a Lambda function without the
// proxy (whose templates it renders); nil otherwise.
func integratedHere(x *model.Index, r *model.Route) *model.Wire {
	w := x.RouteTarget(r.ID)
	switch {
	case w == nil:
		return nil
	case w.Kind == model.WireIntegration:
		if r.Integration != nil && r.Integration.Type == model.IntegrationAWS && x.Function(w.To) != nil {
			return w
		}
		return nil
	case servedService(w.Kind):
		return w
	}
	return nil
}

// servedService says the run serves a route wire of the kind itself.
func servedService(k model.WireKind) bool {
	switch k {
	case model.WireSendMessage, model.WirePublish, model.WireStartExecution, model.WireStartSyncExecution, model.WirePutItem, model.WirePutEvents:
		return true
	}
	return false
}

func joinNames(names []string) string { return strings.Join(names, ", ") }
