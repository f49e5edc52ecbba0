package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// Close codes and $disconnect reasons. The reason sent to the client on a
// server-side close follows API Gateway ("Going away" on idle and lifetime
// limits, "Message too big" beyond 128 KB); disconnectReason on a client
// close is the client's own reason, or API Gateway's text when its close
// frame has no status.
const (
	reasonGoingAway   = "Going away"
	reasonNoStatus    = "Client-side close frame status not set"
	reasonTooBig      = "Message too big"
	reasonBinary      = "Binary frames are not supported"
	reasonConnLost    = "Connection lost"
	reasonInvalidUTF8 = "Invalid UTF-8 in text frame"
	reasonProtocol    = "Protocol error"
	// statusNoClose is 1006: the connection ended without a close frame.
	statusNoClose ws.StatusCode = 1006
)

// errGone is what a write to a closed or closing connection returns; the
// management API turns it into 410 GoneException.
var errGone = errors.New("connection is gone")

// conn is one client's WebSocket connection.
type conn struct {
	ep         *endpoint
	cr         *connectRequest
	id         string
	nc         net.Conn
	src        io.Reader
	authorizer map[string]any
	log        *slog.Logger

	wmu        sync.Mutex // serializes frame writes
	closeSent  bool       // under wmu: no data frame may follow a close frame
	peerClosed bool       // under wmu: the client's close frame arrived

	lastActive atomic.Int64 // unix nanoseconds
	activity   chan struct{}
	done       chan struct{}
	inflight   chan struct{} // nil unless Options.MaxInflight bounds it
	messages   sync.WaitGroup

	// messageParts are the parts of a MESSAGE event the same for every
	// message of the connection (events.go).
	messageOnce  sync.Once
	messageParts [3][]byte

	endMu     sync.Mutex
	endSet    bool
	endCode   int
	endReason string
	endDetail string
}

func newConn(ep *endpoint, cr *connectRequest, nc net.Conn, src io.Reader, authorizer map[string]any) *conn {
	c := &conn{
		ep: ep, cr: cr, id: cr.id, nc: nc, src: src, authorizer: authorizer,
		log:      ep.g.logger.With(slog.String("api", ep.api.Name), slog.String("connectionId", cr.id)),
		activity: make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	if n := ep.g.opts.MaxInflight; n > 0 {
		c.inflight = make(chan struct{}, n)
	}
	c.lastActive.Store(cr.connectedAt.UnixNano())
	return c
}

// setEnd records why the connection ends; the first cause wins.
func (c *conn) setEnd(code int, reason, detail string) {
	c.endMu.Lock()
	defer c.endMu.Unlock()
	if !c.endSet {
		c.endSet, c.endCode, c.endReason, c.endDetail = true, code, reason, detail
	}
}

func (c *conn) end() (int, string, string) {
	c.endMu.Lock()
	defer c.endMu.Unlock()
	return c.endCode, c.endReason, c.endDetail
}

// serve reads the connection until it ends, then sends $disconnect at
// once, as API Gateway does, while calls for earlier messages may still
// run; it returns when they are done too.
func (c *conn) serve() {
	go c.watch()
	c.readLoop()
	close(c.done)
	_ = c.nc.Close()
	c.ep.forget(c)
	defer c.messages.Wait()

	code, reason, detail := c.end()
	c.log.Info("disconnected", slog.Int("code", code), slog.String("reason", reason), slog.String("detail", detail))
	ev := Event{Kind: EventDisconnect, ConnectionID: c.id, Status: code, Detail: detail}
	if t := c.ep.disconnect; t != nil {
		ev.RouteID, ev.RouteKey = t.route.ID, t.route.Key
		if t.fn != nil {
			ev.FunctionID, ev.Function, ev.WireIDs = t.fn.FunctionID, t.fn.Function, []string{t.fn.WireID}
		}
		now := c.ep.g.opts.Now()
		rc := c.ep.context(c.cr, RouteDisconnect, eventDisconnect, now)
		rc.DisconnectStatusCode, rc.DisconnectReason, rc.Authorizer = &code, &reason, c.authorizer
		e := proxyEvent{
			Headers:           map[string]string{"Host": c.cr.domainName, "X-Forwarded-For": c.cr.sourceIP},
			MultiValueHeaders: map[string][]string{"Host": {c.cr.domainName}, "X-Forwarded-For": {c.cr.sourceIP}},
			RequestContext:    rc,
		}
		// $disconnect is best effort on AWS too: its result is ignored.
		_, _ = c.ep.invoke(context.Background(), t, c.id, e)
	}
	c.ep.publish(ev)
}

// watch enforces the idle timeout and the maximum lifetime and pings the
// client so that a vanished peer is noticed.
func (c *conn) watch() {
	o := c.ep.g.opts
	idle := time.NewTimer(o.IdleTimeout)
	defer idle.Stop()
	life := time.NewTimer(o.MaxLifetime)
	defer life.Stop()
	ping := time.NewTicker(o.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-c.activity:
			if !idle.Stop() {
				select {
				case <-idle.C:
				default:
				}
			}
			idle.Reset(o.IdleTimeout)
		case <-idle.C:
			c.shutdown(ws.StatusGoingAway, reasonGoingAway, "idle timeout "+o.IdleTimeout.String())
			return
		case <-life.C:
			c.shutdown(ws.StatusGoingAway, reasonGoingAway, "maximum connection lifetime "+o.MaxLifetime.String())
			return
		case <-ping.C:
			_ = c.writeFrame(ws.NewPingFrame(nil))
		}
	}
}

// shutdown closes the connection from the server side with the code and
// reason, as API Gateway does on limits and @connections DELETE; the read
// loop then waits briefly for the client's close frame.
func (c *conn) shutdown(code ws.StatusCode, reason, detail string) {
	c.setEnd(int(code), reason, detail)
	c.wmu.Lock()
	if !c.closeSent {
		c.closeSent = true
		_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		_ = writeFrames(c.nc, ws.NewCloseFrame(ws.NewCloseFrameBody(code, reason)))
	}
	c.wmu.Unlock()
	_ = c.nc.SetReadDeadline(time.Now().Add(time.Second))
}

// writeFrame writes one frame unless a close frame went out already.
func (c *conn) writeFrame(f ws.Frame) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent {
		return errGone
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := writeFrames(c.nc, f); err != nil {
		return fmt.Errorf("%w: %w", errGone, err)
	}
	return nil
}

// send writes a message, fragmented into frames of at most MaxFrameSize
// bytes as API Gateway fragments. Valid UTF-8 goes as text, anything else
// as binary.
func (c *conn) send(data []byte) error {
	op := ws.OpText
	if !utf8.Valid(data) {
		op = ws.OpBinary
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent {
		return errGone
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	frames := make([]ws.Frame, 0, len(data)/MaxFrameSize+1)
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), MaxFrameSize)
		fop := op
		if !first {
			fop = ws.OpContinuation
		}
		frames = append(frames, ws.NewFrame(fop, n == len(data), data[:n]))
		data = data[n:]
	}
	if err := writeFrames(c.nc, frames...); err != nil {
		return fmt.Errorf("%w: %w", errGone, err)
	}
	return nil
}

// writeFrames writes the frames in one write. ws.WriteFrame writes a
// frame's header and payload separately: two system calls, and with
// TCP_NODELAY two segments, the client woken for the header alone.
func writeFrames(w io.Writer, frames ...ws.Frame) error {
	size := 0
	for _, f := range frames {
		size += ws.HeaderSize(f.Header) + len(f.Payload)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	for _, f := range frames {
		if err := ws.WriteHeader(buf, f.Header); err != nil {
			return err
		}
		buf.Write(f.Payload)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// readLoop reads messages until the connection ends and records why.
func (c *conn) readLoop() {
	rd := &wsutil.Reader{
		Source:       c.src,
		State:        ws.StateServerSide,
		CheckUTF8:    true,
		MaxFrameSize: MaxFrameSize,
	}
	rd.OnIntermediate = c.control
	// skip is the unread payload of a frame refused for its size; -1 when
	// the reader is at a frame boundary or inside a frame it knows.
	skip := int64(-1)
	defer func() { c.drain(rd, skip) }()
	// Two ping intervals without a frame means the client is gone.
	silence := 2 * c.ep.g.opts.PingInterval
	buf := bytes.NewBuffer(make([]byte, 0, 4096))
	for {
		_ = c.nc.SetReadDeadline(time.Now().Add(silence))
		c.wmu.Lock()
		closing := c.closeSent
		c.wmu.Unlock()
		if closing {
			// Wait only briefly for the client's close frame.
			_ = c.nc.SetReadDeadline(time.Now().Add(time.Second))
		}
		hdr, err := rd.NextFrame()
		if err != nil {
			if errors.Is(err, wsutil.ErrFrameTooLarge) {
				skip = hdr.Length
			}
			c.readFailed(err)
			return
		}
		if hdr.OpCode.IsControl() {
			if err := c.control(hdr, rd); err != nil {
				return
			}
			continue
		}
		switch hdr.OpCode {
		case ws.OpBinary:
			// API Gateway refuses binary frames and disconnects with 1003.
			c.shutdown(ws.StatusUnsupportedData, reasonBinary, "binary frame")
			return
		case ws.OpContinuation:
			c.shutdown(ws.StatusProtocolError, reasonProtocol, "continuation frame without a message")
			return
		}
		buf.Reset()
		n, err := io.Copy(buf, io.LimitReader(rd, MaxMessageSize+1))
		switch {
		case errors.Is(err, wsutil.ErrFrameTooLarge) || n > MaxMessageSize:
			c.shutdown(ws.StatusMessageTooBig, reasonTooBig, "message over 128 KB")
			return
		case errors.Is(err, wsutil.ErrInvalidUTF8):
			c.shutdown(ws.StatusInvalidFramePayloadData, reasonInvalidUTF8, "invalid UTF-8")
			return
		case err != nil:
			var closed wsutil.ClosedError
			if !errors.As(err, &closed) {
				c.readFailed(err)
			}
			return
		}
		if closing {
			continue
		}
		c.lastActive.Store(time.Now().UnixNano())
		select {
		case c.activity <- struct{}{}:
		default:
		}
		body := bytes.Clone(buf.Bytes())
		if c.inflight != nil {
			c.inflight <- struct{}{}
		}
		c.messages.Add(1)
		c.ep.g.workers.run(func() {
			defer func() {
				if c.inflight != nil {
					<-c.inflight
				}
				c.messages.Done()
			}()
			c.handleMessage(body)
		})
	}
}

// drain runs when reading stops: if the server sent a close frame the
// client has not answered, it discards the rest of the message being read
// (skip bytes of a refused frame, else what rd holds) and then whole frames
// until the client's close frame, for a second at most, so the client gets
// the close handshake rather than a connection reset.
func (c *conn) drain(rd *wsutil.Reader, skip int64) {
	c.wmu.Lock()
	waiting := c.closeSent && !c.peerClosed
	c.wmu.Unlock()
	if !waiting {
		return
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(time.Second))
	var err error
	if skip >= 0 {
		_, err = io.CopyN(io.Discard, c.src, skip)
	} else {
		err = rd.Discard()
	}
	for err == nil {
		var h ws.Header
		if h, err = ws.ReadHeader(c.src); err != nil || h.OpCode == ws.OpClose {
			return
		}
		_, err = io.CopyN(io.Discard, c.src, h.Length)
	}
}

// readFailed records how a read ended without a close frame.
func (c *conn) readFailed(err error) {
	switch {
	case errors.Is(err, wsutil.ErrFrameTooLarge):
		c.shutdown(ws.StatusMessageTooBig, reasonTooBig, "frame over 32 KB")
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.setEnd(int(statusNoClose), reasonConnLost, "no answer to pings")
	case errors.As(err, new(ws.ProtocolError)):
		c.shutdown(ws.StatusProtocolError, reasonProtocol, err.Error())
	default:
		c.setEnd(int(statusNoClose), reasonConnLost, err.Error())
	}
}

// control answers a control frame: pong to ping, and the close handshake.
// It returns an error when the connection is closing.
func (c *conn) control(h ws.Header, r io.Reader) error {
	payload := make([]byte, h.Length)
	if _, err := io.ReadFull(r, payload); err != nil {
		return err
	}
	switch h.OpCode {
	case ws.OpPing:
		_ = c.writeFrame(ws.NewPongFrame(payload))
	case ws.OpClose:
		code, reason := ws.ParseCloseFrameData(payload)
		c.wmu.Lock()
		c.peerClosed = true
		if !c.closeSent {
			c.closeSent = true
			_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
			_ = writeFrames(c.nc, ws.NewCloseFrame(ws.NewCloseFrameBody(code, "")))
		}
		c.wmu.Unlock()
		if code.Empty() {
			c.setEnd(int(ws.StatusNoStatusRcvd), reasonNoStatus, "client closed")
		} else {
			c.setEnd(int(code), reason, "client closed")
		}
		return wsutil.ClosedError{Code: code, Reason: reason}
	}
	return nil
}

// handleMessage routes one message and answers as API Gateway would.
func (c *conn) handleMessage(body []byte) {
	ep := c.ep
	t := ep.selectRoute(body)
	now := ep.g.opts.Now()
	rc := ep.context(c.cr, "", eventMessage, now)
	rc.MessageID = newID()
	rc.Authorizer = c.authorizer
	if t == nil {
		ep.publish(Event{Kind: EventMessage, ConnectionID: c.id, Data: eventData(body), Detail: "no route matched and no $default"})
		c.reply(errorFrame("Forbidden", c.id, rc.RequestID), nil)
		return
	}
	rc.RouteKey = t.route.Key
	ep.publish(Event{Kind: EventMessage, ConnectionID: c.id, RouteID: t.route.ID, RouteKey: t.route.Key, Data: eventData(body)})
	result, err := ep.invokePayload(context.Background(), t, c.id, c.messageEvent(&rc, body))
	if err != nil {
		msg := "Internal server error"
		if errors.Is(err, context.DeadlineExceeded) {
			msg = "Endpoint request timed out"
		}
		c.reply(errorFrame(msg, c.id, rc.RequestID), t)
		return
	}
	if !t.route.TwoWay {
		// Without a route response API Gateway discards the result.
		return
	}
	if reply := replyBody(result); reply != nil {
		c.reply(reply, t)
	}
}

func (c *conn) reply(data []byte, t *routeTarget) {
	if err := c.send(data); err != nil {
		c.log.Debug("reply not sent", slog.Any("err", err))
		return
	}
	e := Event{Kind: EventReply, ConnectionID: c.id, Data: eventData(data)}
	if t != nil {
		e.RouteID, e.RouteKey = t.route.ID, t.route.Key
		if t.fn != nil {
			e.FunctionID, e.Function, e.WireIDs = t.fn.FunctionID, t.fn.Function, []string{t.fn.WireID}
		}
	}
	c.ep.publish(e)
}

// errorFrame is API Gateway's JSON error frame, spacing included.
func errorFrame(message, connectionID, requestID string) []byte {
	return fmt.Appendf(nil, `{"message": %s, "connectionId":%s, "requestId":%s}`,
		strconv.Quote(message), strconv.Quote(connectionID), strconv.Quote(requestID))
}

// replyBody is what a two-way route sends back: the body of a proxy
// response, or the whole result when it is not one; nil for nothing.
func replyBody(result []byte) []byte {
	if resp, ok := parseProxyResponse(result); ok {
		if resp.Body == nil || *resp.Body == "" {
			return nil
		}
		return []byte(*resp.Body)
	}
	result = bytes.TrimSpace(result)
	if len(result) == 0 || string(result) == "null" {
		return nil
	}
	return result
}

// selectRoute evaluates the route selection expression on a message: the
// route whose key equals the selected value, else $default, else nil.
func (ep *endpoint) selectRoute(body []byte) *routeTarget {
	if key, ok := selectKey(ep.selection, body); ok {
		if t := ep.routes[key]; t != nil {
			return t
		}
	}
	return ep.deflt
}

func selectKey(path []string, body []byte) (string, bool) {
	if path == nil {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = m[p]; !ok {
			return "", false
		}
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}
