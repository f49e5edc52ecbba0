package lambdaemu

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The invocation stream is Switchboard's own addition to the Runtime API,
// for its Node.js bootstrap: once the handler is loaded, the bootstrap
// posts to streamPath instead of polling /invocation/next, and the
// connection then carries frames, each invocation to the runtime in one
// write and each outcome back in one. An HTTP exchange per invocation
// (a poll answered, a post answered) cost more CPU, in Switchboard and in
// node, than a small handler's call does. It lives under the Runtime API's
// secret prefix like the rest; other runtimes keep the standard API, and
// /init/error and /invocation/{id}/error still work beside the stream.
//
// To the runtime, per invocation:
//
//	uint32 length of meta | meta | uint32 length of event | event
//
// meta being the request id, the deadline in Unix milliseconds, the
// function's ARN and the trace header, each ended by "\n". From the
// runtime, per outcome:
//
//	byte 'R' (result) or 'E' (error) | byte length of id | uint32 length of body | id | body
//
// an error's body being Lambda's {errorType, errorMessage, stackTrace}.
const streamPath = "/invocation/stream"

// Outcome kinds of the stream.
const (
	streamResult = 'R'
	streamError  = 'E'
)

// handleStream serves the invocation stream until the process exits or
// the connection ends.
func (s *sandbox) handleStream(w http.ResponseWriter, r *http.Request) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		writeRuntimeError(w, http.StatusInternalServerError, "StreamUnavailable", err.Error())
		return
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: switchboard-invocations\r\n\r\n"); err != nil {
		return
	}
	// A hijacked connection keeps the server's read deadline for headers.
	_ = conn.SetDeadline(time.Time{})
	// A read waiting for an outcome ends with the process, even if
	// something it started holds the connection open.
	served := make(chan struct{})
	defer close(served)
	go func() {
		select {
		case <-s.exited:
			conn.Close()
		case <-served:
		}
	}()
	s.markReady()
	arn := s.functionARN()
	var frame []byte
	var inv *invocation // the next to send; nil until one is delivered
	var from *waiter    // the waiting call inv was handed on from
	for {
		if inv == nil {
			select {
			case inv = <-s.next:
			case <-s.exited:
				return
			}
		}
		s.begin(inv)
		frame = appendInvocation(frame[:0], inv, arn)
		_, err := conn.Write(frame)
		if from != nil {
			// Delivered, as one the call hands over through s.next is:
			// if the process is gone, await sees it exit.
			from.handed = outcome{state: delivered}
			from.turn <- s
			from = nil
		}
		if err != nil {
			return // the process is gone: await sees it exit
		}
		o, err := s.readOutcome(rw.Reader, inv.id)
		if err != nil {
			return
		}
		// The longest waiting call goes out from here at once: through
		// the finished call's goroutine and the waiting one's, the
		// process would idle while each waits for a CPU.
		w, _ := s.settleAndHandOn(inv.id, o, true)
		inv = nil
		if w != nil {
			w.inv.startClock(s.f.cfg.Timeout)
			inv, from = w.inv, w
		}
	}
}

// appendInvocation appends inv's frame to buf.
func appendInvocation(buf []byte, inv *invocation, arn string) []byte {
	at := len(buf)
	buf = append(buf, 0, 0, 0, 0)
	buf = append(buf, inv.id...)
	buf = append(buf, '\n')
	buf = strconv.AppendInt(buf, inv.deadline.UnixMilli(), 10)
	buf = append(buf, '\n')
	buf = append(buf, arn...)
	buf = append(buf, '\n')
	buf = append(buf, traceID(time.Now())...)
	buf = append(buf, '\n')
	binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(inv.payload)))
	return append(buf, inv.payload...)
}

// errStreamFrame is a frame the runtime should not have sent.
var errStreamFrame = errors.New("lambdaemu: malformed invocation stream frame")

// readOutcome reads frames until one for the invocation id, and returns
// its outcome; one for another id (settled already through
// /invocation/{id}/error) is dropped.
func (s *sandbox) readOutcome(br *bufio.Reader, id string) (outcome, error) {
	for {
		var head [6]byte
		if _, err := io.ReadFull(br, head[:]); err != nil {
			return outcome{}, err
		}
		kind, idLen, size := head[0], int(head[1]), int64(binary.BigEndian.Uint32(head[2:]))
		if kind != streamResult && kind != streamError {
			return outcome{}, fmt.Errorf("%w: kind %q", errStreamFrame, kind)
		}
		idBytes := make([]byte, idLen)
		if _, err := io.ReadFull(br, idBytes); err != nil {
			return outcome{}, err
		}
		got := string(idBytes)
		limit := int64(MaxPayloadBytes)
		if kind == streamError {
			limit = maxErrorBytes
		}
		var body []byte
		if size <= limit {
			body = make([]byte, size)
			if _, err := io.ReadFull(br, body); err != nil {
				return outcome{}, err
			}
		} else {
			// Beyond Lambda's limit: read past it, keep what an error's
			// message may show.
			if kind == streamError {
				body = make([]byte, limit)
				if _, err := io.ReadFull(br, body); err != nil {
					return outcome{}, err
				}
				size -= limit
			}
			if _, err := io.CopyN(io.Discard, br, size); err != nil {
				return outcome{}, err
			}
		}
		var o outcome
		switch {
		case kind == streamError:
			o = outcome{state: finished, err: s.parseError(body, "", got, ErrHandler)}
		case body == nil:
			o = s.tooLarge(got)
		default:
			o = outcome{state: finished, body: body}
		}
		if got == id {
			return o, nil
		}
	}
}
