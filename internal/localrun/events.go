package localrun

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw"
	"github.com/switchboard-dev/switchboard/internal/dynamo"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/sqslocal"
)

// Event sources: what a queue, a topic, a table stream or a rule wired to
// a function sends it, in the shapes Lambda's event source mappings, SNS
// and EventBridge send.

// sqsBatchSize is Lambda's default batch size for an SQS event source.
const sqsBatchSize = 10

// startPollers starts, for each queue → function wire, what Lambda's event
// source mapping does: receive batches, invoke the function, delete what
// it handled. A failed invocation leaves the batch to come back after the
// visibility timeout (and, past maxReceiveCount, to the dead-letter
// queue); a result with batchItemFailures deletes all but those.
func (s *services) startPollers() {
	x := model.NewIndex(s.stack)
	for _, q := range s.stack.Queues {
		for _, w := range x.WiresFromOfKind(q.ID, model.WireConsume) {
			f := x.Function(w.To)
			if f == nil {
				continue
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.poll(s.queues[q.ID], target{function: f.Name, functionID: f.ID, wireID: w.ID, source: "queue " + q.Name})
			}()
		}
	}
}

// target is a function an event source invokes, and the wire from the
// source, for events.
type target struct {
	function, functionID, wireID string
	// source names the queue, topic or table, for events and logs.
	source string
}

// invoke invokes the target synchronously, telling of it.
func (s *services) invoke(t target, payload []byte, what string) ([]byte, error) {
	s.event(apigw.Event{Kind: apigw.EventInvoke, Function: t.function, FunctionID: t.functionID, WireIDs: wireIDs(t.wireID), Data: what, Detail: t.source})
	out, err := s.inv.Invoke(s.ctx, t.function, payload)
	if err != nil && s.ctx.Err() == nil {
		s.event(apigw.Event{Kind: apigw.EventError, Function: t.function, FunctionID: t.functionID, WireIDs: wireIDs(t.wireID), Detail: t.source + ": " + err.Error()})
	}
	return out, err
}

func (s *services) poll(queue string, t target) {
	function := t.function
	arn := sqslocal.QueueARN(s.region, queue)
	for s.ctx.Err() == nil {
		msgs, err := s.sqs.Receive(s.ctx, queue, sqsBatchSize, sqslocal.MaxWait, 0)
		if err != nil || len(msgs) == 0 {
			continue
		}
		records := make([]map[string]any, 0, len(msgs))
		for _, m := range msgs {
			attrs := map[string]any{}
			for k, a := range m.MessageAttributes {
				v := map[string]any{"dataType": a.DataType, "stringListValues": []string{}, "binaryListValues": []string{}}
				if a.StringValue != "" {
					v["stringValue"] = a.StringValue
				}
				if a.BinaryValue != nil {
					v["binaryValue"] = a.BinaryValue
				}
				attrs[k] = v
			}
			records = append(records, map[string]any{
				"messageId": m.MessageID, "receiptHandle": m.ReceiptHandle, "body": m.Body,
				"attributes": m.Attributes, "messageAttributes": attrs, "md5OfBody": m.MD5OfBody,
				"eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": s.region,
			})
		}
		payload, _ := json.Marshal(map[string]any{"Records": records})
		out, err := s.invoke(t, payload, plural(len(msgs), "1 message", fmt.Sprintf("%d messages", len(msgs))))
		if err != nil {
			s.logger.WarnContext(s.ctx, "queue's function failed; the batch comes back after the visibility timeout",
				slog.String("queue", queue), slog.String("function", function), slog.Any("err", err))
			continue
		}
		var res struct {
			BatchItemFailures []struct {
				ItemIdentifier string `json:"itemIdentifier"`
			} `json:"batchItemFailures"`
		}
		_ = json.Unmarshal(out, &res)
		failed := map[string]bool{}
		for _, f := range res.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		for _, m := range msgs {
			if !failed[m.MessageID] {
				_ = s.sqs.Delete(queue, m.ReceiptHandle)
			}
		}
	}
}

// publish serves a route → topic integration: the message goes to every
// function subscribed to the topic, each invoked asynchronously with SNS's
// event, as SNS delivers to Lambda.
func (s *services) publish(sr *serviceRoute, tmpl string, custom bool, vin vtlInput) ([]byte, error) {
	x := model.NewIndex(s.stack)
	t := x.Topic(sr.wire.To)
	form, err := formOf(tmpl, custom, vin)
	if err != nil {
		return nil, err
	}
	message, subject := vin.body, ""
	if custom {
		message, subject = form.Get("Message"), form.Get("Subject")
	}
	if message == "" {
		return nil, fmt.Errorf("topic %s: the published message is empty", t.Name)
	}
	id := newUUID()
	topicARN := s.topicARN(t)
	for _, w := range x.WiresFromOfKind(t.ID, model.WireSubscribe) {
		f := x.Function(w.To)
		if f == nil {
			continue
		}
		var subj any
		if subject != "" {
			subj = subject
		}
		event := map[string]any{"Records": []any{map[string]any{
			"EventSource": "aws:sns", "EventVersion": "1.0",
			"EventSubscriptionArn": topicARN + ":" + newUUID(),
			"Sns": map[string]any{
				"Type": "Notification", "MessageId": id, "TopicArn": topicARN, "Subject": subj, "Message": message,
				"Timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), "SignatureVersion": "1",
				"Signature": "EXAMPLE", "SigningCertUrl": "EXAMPLE", "UnsubscribeUrl": "EXAMPLE", "MessageAttributes": map[string]any{},
			},
		}}}
		payload, _ := json.Marshal(event)
		if err := s.deliver(w, "topic "+t.Name, payload); err != nil {
			return nil, err
		}
	}
	return json.Marshal(map[string]any{"PublishResponse": map[string]any{
		"PublishResult": map[string]any{"MessageId": id}, "ResponseMetadata": map[string]any{"RequestId": newRequestID()}}})
}

// deliver sends an event along a wire from an event source to its end: a
// function is invoked asynchronously with it, a queue gets it as a
// message. An EventBridge rule calls it, for each event its pattern
// matches or each tick of its schedule, on each rule → function or rule →
// queue wire with EventBridge's event (eventbridge.go).
func (s *services) deliver(w *model.Wire, source string, payload []byte) error {
	x := model.NewIndex(s.stack)
	if f := x.Function(w.To); f != nil {
		s.invokeAsync(target{function: f.Name, functionID: f.ID, wireID: w.ID, source: source}, payload)
		return nil
	}
	if q := x.Queue(w.To); q != nil {
		in := sqslocal.SendInput{Body: string(payload), SenderID: sqslocal.AccountID}
		if r := x.Rule(w.From); r != nil && q.FIFO {
			// The export's target keeps a rule's events in one group;
			// EventBridge deduplicates by the event's ID unless the
			// queue does by content.
			in.GroupID = r.Name
			if !q.ContentBasedDeduplication {
				var ev struct{ ID string }
				_ = json.Unmarshal(payload, &ev)
				in.DedupID = ev.ID
			}
		}
		_, err := s.sqs.Send(s.queues[q.ID], in)
		if err == nil {
			s.event(apigw.Event{Kind: apigw.EventInvoke, Function: "queue " + q.Name, FunctionID: q.ID, WireIDs: wireIDs(w.ID), Detail: source})
		}
		return err
	}
	return fmt.Errorf("%s: a wire to %s cannot carry events", source, w.To)
}

// wireIDs lists the wire an event went along; none for a rule's target
// kept as the template wrote it, which has no wire.
func wireIDs(id string) []string {
	if id == "" {
		return nil
	}
	return []string{id}
}

// asyncRetries is how often Lambda retries a failed asynchronous
// invocation.
const asyncRetries = 2

// invokeAsync invokes a function as Lambda's asynchronous invocation does:
// in the background, retried twice on failure, a minute and two minutes
// apart on AWS and a second and two here.
func (s *services) invokeAsync(t target, payload []byte) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for attempt := 0; ; attempt++ {
			_, err := s.invoke(t, payload, "1 event")
			if err == nil || s.ctx.Err() != nil {
				return
			}
			if attempt == asyncRetries {
				s.logger.WarnContext(s.ctx, "asynchronous invocation failed after retries", slog.String("source", t.source), slog.String("function", t.function), slog.Any("err", err))
				return
			}
			select {
			case <-s.ctx.Done():
				return
			case <-time.After(time.Duration(attempt+1) * time.Second):
			}
		}
	}()
}

// streams delivers a table's changes to the functions its stream is wired
// to, in order, in batches, as Lambda's event source mapping for a
// DynamoDB stream does (a failed batch is retried until it succeeds or the
// run stops, holding back later records, as on AWS).
type streams struct {
	svc *services
	// byTable maps a table's local name to its stream.
	byTable map[string]*tableStream
}

type tableStream struct {
	arn       string
	functions []target
	mu        sync.Mutex
	pending   []map[string]any
	wake      chan struct{}
	seq       int64
}

// streamBatchSize is Lambda's default batch size for a stream.
const streamBatchSize = 100

func newStreams(svc *services, s *model.Stack, region string) *streams {
	x := model.NewIndex(s)
	st := &streams{svc: svc, byTable: map[string]*tableStream{}}
	for _, t := range s.Tables {
		var fns []target
		for _, w := range x.WiresFromOfKind(t.ID, model.WireStream) {
			if f := x.Function(w.To); f != nil {
				fns = append(fns, target{function: f.Name, functionID: f.ID, wireID: w.ID, source: "stream of table " + t.Name})
			}
		}
		if len(fns) == 0 {
			continue
		}
		name := TableName(s, t)
		st.byTable[name] = &tableStream{functions: fns, wake: make(chan struct{}, 1),
			arn: "arn:aws:dynamodb:" + region + ":" + sqslocal.AccountID + ":table/" + name + "/stream/" + time.Now().UTC().Format("2006-01-02T15:04:05.000")}
	}
	return st
}

// record is told each change of the built-in endpoint; it only queues, as
// the endpoint holds its lock.
func (st *streams) record(c dynamo.Change) {
	ts := st.byTable[c.Table]
	if ts == nil {
		return
	}
	name := "MODIFY"
	switch {
	case c.Old == nil:
		name = "INSERT"
	case c.New == nil:
		name = "REMOVE"
	}
	ts.mu.Lock()
	ts.seq++
	ddb := map[string]any{
		"ApproximateCreationDateTime": c.Time.Unix(), "Keys": c.Keys,
		"SequenceNumber": fmt.Sprintf("%021d", ts.seq), "SizeBytes": size(c), "StreamViewType": "NEW_AND_OLD_IMAGES",
	}
	if c.New != nil {
		ddb["NewImage"] = c.New
	}
	if c.Old != nil {
		ddb["OldImage"] = c.Old
	}
	ts.pending = append(ts.pending, map[string]any{
		"eventID": newUUID(), "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
		"awsRegion": st.svc.region, "dynamodb": ddb, "eventSourceARN": ts.arn,
	})
	ts.mu.Unlock()
	select {
	case ts.wake <- struct{}{}:
	default:
	}
}

func size(c dynamo.Change) int {
	b, _ := json.Marshal([]any{c.Keys, c.Old, c.New})
	return len(b)
}

// start runs one deliverer per table stream and function.
func (st *streams) start() {
	for _, ts := range st.byTable {
		st.svc.wg.Add(1)
		go func() {
			defer st.svc.wg.Done()
			st.deliver(ts)
		}()
	}
}

func (st *streams) deliver(ts *tableStream) {
	s := st.svc
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-ts.wake:
		}
		for {
			ts.mu.Lock()
			n := min(len(ts.pending), streamBatchSize)
			batch := ts.pending[:n:n]
			ts.mu.Unlock()
			if n == 0 {
				break
			}
			payload, _ := json.Marshal(map[string]any{"Records": batch})
			for _, fn := range ts.functions {
				for attempt := 0; s.ctx.Err() == nil; attempt++ {
					if _, err := s.invoke(fn, payload, plural(n, "1 record", fmt.Sprintf("%d records", n))); err == nil {
						break
					} else if attempt%10 == 0 {
						s.logger.WarnContext(s.ctx, "stream's function failed; retrying the batch", slog.String("function", fn.function), slog.Any("err", err))
					}
					select {
					case <-s.ctx.Done():
					case <-time.After(time.Second):
					}
				}
			}
			ts.mu.Lock()
			ts.pending = ts.pending[n:]
			ts.mu.Unlock()
		}
	}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func newRequestID() string { return newUUID() }
