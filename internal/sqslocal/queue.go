// Package sqslocal is an SQS-compatible queue service in process, for a
// local run: the stack's queues with SQS's delivery rules (visibility
// timeout, receive counts, redrive to a dead-letter queue after
// maxReceiveCount, FIFO order per message group, deduplication) and an
// endpoint on loopback that speaks SQS's JSON protocol, so handlers' SDK
// clients and the AWS CLI reach it. It imports nothing of the project but
// internal/ helpers; the local runner tells it the queues.
package sqslocal

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// QueueConfig is one queue as the service keeps it.
type QueueConfig struct {
	// Name is the queue's name (a FIFO queue's ends in .fifo).
	Name string
	FIFO bool
	// ContentBasedDeduplication deduplicates a FIFO queue's messages by
	// their body's SHA-256 when the sender gives no deduplication ID.
	ContentBasedDeduplication bool
	// VisibilityTimeout hides a received message from other receivers
	// until it is deleted or the time is up.
	VisibilityTimeout time.Duration
	// Retention drops messages older than it; 0 keeps them.
	Retention time.Duration
	// DeadLetter names the queue a message moves to when it has been
	// received MaxReceiveCount times and is received again; empty for
	// none.
	DeadLetter      string
	MaxReceiveCount int
}

// dedupWindow is how long SQS remembers a FIFO deduplication ID.
const dedupWindow = 5 * time.Minute

// Maximum sizes and counts SQS enforces.
const (
	MaxMessageBytes = 256 * 1024
	MaxReceive      = 10
	MaxWait         = 20 * time.Second
)

// Message is a message as a receiver gets it.
type Message struct {
	MessageID     string
	ReceiptHandle string
	Body          string
	MD5OfBody     string
	// Attributes are SQS's system attributes: ApproximateReceiveCount,
	// SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp and, for
	// FIFO queues, MessageGroupId, MessageDeduplicationId, SequenceNumber.
	Attributes map[string]string
	// MessageAttributes are the sender's, as SQS's JSON protocol has them.
	MessageAttributes map[string]MessageAttribute
}

// MessageAttribute is a sender's message attribute.
type MessageAttribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

// SendInput is what a sender gives.
type SendInput struct {
	Body              string
	Delay             time.Duration
	GroupID, DedupID  string
	MessageAttributes map[string]MessageAttribute
	SenderID          string
}

// Sent is what a send returns.
type Sent struct {
	MessageID, MD5OfBody, SequenceNumber string
}

// Error is an SQS error: its code is the JSON protocol's __type.
type Error struct {
	Code, Message string
	// Status is the HTTP status the endpoint answers with.
	Status int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errQueueMissing(name string) error {
	return &Error{Code: "QueueDoesNotExist", Message: fmt.Sprintf("The specified queue %s does not exist.", name), Status: 400}
}

func errInvalid(format string, a ...any) error {
	return &Error{Code: "InvalidParameterValue", Message: fmt.Sprintf(format, a...), Status: 400}
}

// Service holds the queues.
type Service struct {
	mu     sync.Mutex
	queues map[string]*queue
	now    func() time.Time
	seq    int64
}

type queue struct {
	cfg QueueConfig
	// msgs in the order they were sent: FIFO order per group, and the
	// order a standard queue also tries to keep.
	msgs []*message
	// dedup maps a FIFO deduplication ID to when it was first seen.
	dedup map[string]time.Time
	// wake is closed and renewed when a message may have become
	// receivable, for long polls.
	wake chan struct{}
}

type message struct {
	id, body, md5      string
	attrs              map[string]MessageAttribute
	sent, firstReceive time.Time
	visibleAt          time.Time
	receives           int
	handle             string
	group, dedup, seq  string
	sender             string
}

// New returns a service holding the queues. A dead-letter queue must be one
// of them.
func New(queues []QueueConfig) (*Service, error) {
	s := &Service{queues: map[string]*queue{}, now: time.Now}
	for _, c := range queues {
		if _, dup := s.queues[c.Name]; dup {
			return nil, fmt.Errorf("sqslocal: queue %s given twice", c.Name)
		}
		s.queues[c.Name] = &queue{cfg: c, dedup: map[string]time.Time{}, wake: make(chan struct{})}
	}
	for _, c := range queues {
		if c.DeadLetter != "" && s.queues[c.DeadLetter] == nil {
			return nil, fmt.Errorf("sqslocal: dead-letter queue %s of %s is not a queue of the run", c.DeadLetter, c.Name)
		}
	}
	return s, nil
}

// Names lists the queues.
func (s *Service) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.queues))
	for n := range s.queues {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Config returns a queue's configuration.
func (s *Service) Config(name string) (QueueConfig, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return QueueConfig{}, false
	}
	return q.cfg, true
}

// Send puts a message on the queue, as SendMessage does.
func (s *Service) Send(name string, in SendInput) (Sent, error) {
	if in.Body == "" {
		return Sent{}, &Error{Code: "MissingParameter", Message: "The request must contain the parameter MessageBody.", Status: 400}
	}
	if len(in.Body) > MaxMessageBytes {
		return Sent{}, errInvalid("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", MaxMessageBytes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return Sent{}, errQueueMissing(name)
	}
	now := s.now()
	m := &message{id: newUUID(), body: in.Body, md5: md5Hex(in.Body), attrs: in.MessageAttributes, sent: now, visibleAt: now.Add(in.Delay), sender: in.SenderID}
	if q.cfg.FIFO {
		if in.GroupID == "" {
			return Sent{}, &Error{Code: "MissingParameter", Message: "The request must contain the parameter MessageGroupId.", Status: 400}
		}
		if in.Delay > 0 {
			return Sent{}, errInvalid("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", int(in.Delay.Seconds()))
		}
		dedup := in.DedupID
		if dedup == "" {
			if !q.cfg.ContentBasedDeduplication {
				return Sent{}, errInvalid("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			dedup = sha256Hex(in.Body)
		}
		for id, at := range q.dedup {
			if now.Sub(at) > dedupWindow {
				delete(q.dedup, id)
			}
		}
		s.seq++
		m.group, m.dedup, m.seq = in.GroupID, dedup, fmt.Sprintf("%020d", s.seq)
		if _, seen := q.dedup[dedup]; seen {
			// SQS accepts a duplicate and does not deliver it.
			return Sent{MessageID: m.id, MD5OfBody: m.md5, SequenceNumber: m.seq}, nil
		}
		q.dedup[dedup] = now
	} else if in.GroupID != "" || in.DedupID != "" {
		return Sent{}, errInvalid("The request include parameter MessageGroupId or MessageDeduplicationId that is not valid for this queue type")
	}
	q.msgs = append(q.msgs, m)
	q.notify()
	return Sent{MessageID: m.id, MD5OfBody: m.md5, SequenceNumber: m.seq}, nil
}

func (q *queue) notify() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// Receive returns up to max messages that are visible, waiting up to wait
// for one (long polling). Each returned message is hidden for the queue's
// visibility timeout (or visibility, when positive). A message received
// MaxReceiveCount times already moves to the dead-letter queue instead.
func (s *Service) Receive(ctx context.Context, name string, max int, wait, visibility time.Duration) ([]Message, error) {
	if max <= 0 {
		max = 1
	}
	if max > MaxReceive {
		return nil, errInvalid("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)
	}
	deadline := s.now().Add(min(wait, MaxWait))
	for {
		s.mu.Lock()
		q := s.queues[name]
		if q == nil {
			s.mu.Unlock()
			return nil, errQueueMissing(name)
		}
		out, next := s.take(q, max, visibility)
		wake := q.wake
		s.mu.Unlock()
		now := s.now()
		if len(out) > 0 || !now.Before(deadline) {
			return out, nil
		}
		until := deadline.Sub(now)
		if !next.IsZero() && next.Sub(now) < until {
			until = next.Sub(now)
		}
		t := time.NewTimer(until)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// take picks the receivable messages, under s.mu; next is when the
// earliest hidden message becomes visible again (zero for none).
func (s *Service) take(q *queue, max int, visibility time.Duration) (out []Message, next time.Time) {
	now := s.now()
	if visibility <= 0 {
		visibility = q.cfg.VisibilityTimeout
	}
	if q.cfg.Retention > 0 {
		q.msgs = slices.DeleteFunc(q.msgs, func(m *message) bool { return now.Sub(m.sent) > q.cfg.Retention })
	}
	// A FIFO group with a message in flight, or whose first message is
	// not yet visible, delivers nothing more until it is done.
	blocked := map[string]bool{}
	var moved []*message
	for _, m := range q.msgs {
		if len(out) == max {
			break
		}
		if q.cfg.FIFO && blocked[m.group] {
			continue
		}
		if m.visibleAt.After(now) {
			if next.IsZero() || m.visibleAt.Before(next) {
				next = m.visibleAt
			}
			if q.cfg.FIFO {
				blocked[m.group] = true
			}
			continue
		}
		if q.cfg.DeadLetter != "" && q.cfg.MaxReceiveCount > 0 && m.receives >= q.cfg.MaxReceiveCount {
			moved = append(moved, m)
			continue
		}
		m.receives++
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.visibleAt = now.Add(visibility)
		m.handle = newHandle(m.id)
		// A FIFO group's later messages may follow in the same batch,
		// in order, as SQS hands them.
		out = append(out, m.received())
	}
	if len(moved) > 0 {
		dlq := s.queues[q.cfg.DeadLetter]
		q.msgs = slices.DeleteFunc(q.msgs, func(m *message) bool { return slices.Contains(moved, m) })
		for _, m := range moved {
			// The message keeps its ID, body, attributes and receive
			// count, as SQS's redrive does; it is visible at once.
			m.visibleAt, m.handle = now, ""
			dlq.msgs = append(dlq.msgs, m)
		}
		dlq.notify()
	}
	return out, next
}

func (m *message) received() Message {
	attrs := map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.receives),
		"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
		"SenderId":                         m.sender,
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstReceive.UnixMilli(), 10),
	}
	if m.group != "" {
		attrs["MessageGroupId"] = m.group
		attrs["MessageDeduplicationId"] = m.dedup
		attrs["SequenceNumber"] = m.seq
	}
	return Message{MessageID: m.id, ReceiptHandle: m.handle, Body: m.body, MD5OfBody: m.md5, Attributes: attrs, MessageAttributes: m.attrs}
}

// Delete removes a received message by its receipt handle. A handle of a
// message already gone is accepted, as SQS does.
func (s *Service) Delete(name, handle string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return errQueueMissing(name)
	}
	if handle == "" {
		return &Error{Code: "ReceiptHandleIsInvalid", Message: "The input receipt handle is invalid.", Status: 400}
	}
	n := len(q.msgs)
	q.msgs = slices.DeleteFunc(q.msgs, func(m *message) bool { return m.handle == handle })
	if len(q.msgs) != n {
		q.notify() // a FIFO group may be free now
	}
	return nil
}

// ChangeVisibility hides a received message for timeout from now (0 makes
// it visible at once, as a failed batch item is).
func (s *Service) ChangeVisibility(name, handle string, timeout time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return errQueueMissing(name)
	}
	for _, m := range q.msgs {
		if m.handle == handle && handle != "" {
			m.visibleAt = s.now().Add(timeout)
			q.notify()
			return nil
		}
	}
	return &Error{Code: "MessageNotInflight", Message: "The message referred to isn't in flight.", Status: 400}
}

// Purge deletes every message of the queue.
func (s *Service) Purge(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return errQueueMissing(name)
	}
	q.msgs = nil
	return nil
}

// Counts returns how many messages are visible, in flight and delayed.
func (s *Service) Counts(name string) (visible, inFlight, delayed int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return 0, 0, 0, errQueueMissing(name)
	}
	now := s.now()
	for _, m := range q.msgs {
		switch {
		case !m.visibleAt.After(now):
			visible++
		case m.receives > 0:
			inFlight++
		default:
			delayed++
		}
	}
	return visible, inFlight, delayed, nil
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func newHandle(id string) string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return id + "#" + hex.EncodeToString(b[:])
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
