package sqslocal

import (
	"context"
	"errors"
	"testing"
	"time"
)

// clock is a settable time for the service, so visibility timeouts pass
// without sleeping.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T, queues ...QueueConfig) (*Service, *clock) {
	t.Helper()
	s, err := New(queues)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s.now = c.now
	return s, c
}

func receive(t *testing.T, s *Service, q string, max int) []Message {
	t.Helper()
	msgs, err := s.Receive(context.Background(), q, max, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func bodies(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Body)
	}
	return out
}

func TestVisibilityTimeoutAndRedrive(t *testing.T) {
	t.Parallel()
	s, c := newService(t,
		QueueConfig{Name: "jobs", VisibilityTimeout: 30 * time.Second, DeadLetter: "dead", MaxReceiveCount: 2},
		QueueConfig{Name: "dead", VisibilityTimeout: 30 * time.Second})
	if _, err := s.Send("jobs", SendInput{Body: "poison"}); err != nil {
		t.Fatal(err)
	}
	first := receive(t, s, "jobs", 10)
	if len(first) != 1 || first[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive = %+v", first)
	}
	if got := receive(t, s, "jobs", 10); len(got) != 0 {
		t.Fatalf("an in-flight message was received again: %v", bodies(got))
	}
	c.t = c.t.Add(31 * time.Second)
	second := receive(t, s, "jobs", 10)
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" || second[0].ReceiptHandle == first[0].ReceiptHandle {
		t.Fatalf("second receive = %+v", second)
	}
	c.t = c.t.Add(31 * time.Second)
	// Received maxReceiveCount times: the next receive moves it instead.
	if got := receive(t, s, "jobs", 10); len(got) != 0 {
		t.Fatalf("third receive = %v, want the message moved to the dead-letter queue", bodies(got))
	}
	dead := receive(t, s, "dead", 10)
	if len(dead) != 1 || dead[0].Body != "poison" || dead[0].MessageID != first[0].MessageID {
		t.Fatalf("dead-letter queue holds %+v", dead)
	}
}

func TestDeleteAndChangeVisibility(t *testing.T) {
	t.Parallel()
	s, _ := newService(t, QueueConfig{Name: "jobs", VisibilityTimeout: time.Minute})
	_, _ = s.Send("jobs", SendInput{Body: "a"})
	_, _ = s.Send("jobs", SendInput{Body: "b"})
	got := receive(t, s, "jobs", 10)
	if len(got) != 2 {
		t.Fatalf("got %v", bodies(got))
	}
	if err := s.Delete("jobs", got[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeVisibility("jobs", got[1].ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	if again := receive(t, s, "jobs", 10); len(again) != 1 || again[0].Body != "b" {
		t.Fatalf("after delete and visibility 0: %v", bodies(again))
	}
	var se *Error
	if err := s.ChangeVisibility("jobs", got[0].ReceiptHandle, 0); !errors.As(err, &se) || se.Code != "MessageNotInflight" {
		t.Fatalf("visibility of a deleted message: %v", err)
	}
}

func TestFIFOOrderPerGroup(t *testing.T) {
	t.Parallel()
	s, c := newService(t, QueueConfig{Name: "jobs.fifo", FIFO: true, VisibilityTimeout: 30 * time.Second})
	for i, m := range []struct{ group, body string }{{"a", "a1"}, {"b", "b1"}, {"a", "a2"}, {"b", "b2"}, {"a", "a3"}} {
		if _, err := s.Send("jobs.fifo", SendInput{Body: m.body, GroupID: m.group, DedupID: m.body}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	// One at a time: each group hands out its first message, and nothing
	// more of a group while that one is in flight.
	first := receive(t, s, "jobs.fifo", 1)
	second := receive(t, s, "jobs.fifo", 1)
	if bodies(first)[0] != "a1" || bodies(second)[0] != "b1" {
		t.Fatalf("got %v then %v, want a1 then b1", bodies(first), bodies(second))
	}
	if got := receive(t, s, "jobs.fifo", 10); len(got) != 0 {
		t.Fatalf("both groups are in flight, yet got %v", bodies(got))
	}
	// a1 fails (its visibility runs out): a1 again, before a2.
	c.t = c.t.Add(31 * time.Second)
	_ = s.Delete("jobs.fifo", second[0].ReceiptHandle)
	got := receive(t, s, "jobs.fifo", 10)
	if want := []string{"a1", "a2", "b2", "a3"}; !equal(bodies(got), want) {
		t.Fatalf("got %v, want %v (a1 again before the rest of its group, each group in order)", bodies(got), want)
	}
	// A deduplication ID seen in the last five minutes is not delivered
	// again; content-based deduplication needs the queue's setting.
	if _, err := s.Send("jobs.fifo", SendInput{Body: "x", GroupID: "a", DedupID: "a1"}); err != nil {
		t.Fatal(err)
	}
	var se *Error
	if _, err := s.Send("jobs.fifo", SendInput{Body: "x", GroupID: "a"}); !errors.As(err, &se) || se.Code != "InvalidParameterValue" {
		t.Fatalf("send without a deduplication ID: %v", err)
	}
	if _, err := s.Send("jobs.fifo", SendInput{Body: "x"}); !errors.As(err, &se) || se.Code != "MissingParameter" {
		t.Fatalf("send without a group: %v", err)
	}
	for _, m := range got {
		_ = s.Delete("jobs.fifo", m.ReceiptHandle)
	}
	if rest := receive(t, s, "jobs.fifo", 10); len(rest) != 0 {
		t.Fatalf("a duplicate was delivered: %v", bodies(rest))
	}
}

func TestLongPollWakesOnSend(t *testing.T) {
	t.Parallel()
	s, err := New([]QueueConfig{{Name: "jobs", VisibilityTimeout: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []Message)
	go func() {
		msgs, _ := s.Receive(context.Background(), "jobs", 1, MaxWait, 0)
		got <- msgs
	}()
	time.Sleep(10 * time.Millisecond) // let the poll start waiting
	if _, err := s.Send("jobs", SendInput{Body: "late"}); err != nil {
		t.Fatal(err)
	}
	select {
	case msgs := <-got:
		if len(msgs) != 1 || msgs[0].Body != "late" {
			t.Fatalf("long poll got %v", bodies(msgs))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not wake on a send")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
