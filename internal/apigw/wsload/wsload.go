// Package wsload is a small WebSocket load client for benchmarks: it opens
// connections to a two-way route, sends messages and times each round trip
// from send to reply.
package wsload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// Conn is one client connection that sends text and reads replies.
type Conn struct {
	nc  net.Conn
	src io.Reader
}

// Dial opens a connection to url.
func Dial(ctx context.Context, url string) (*Conn, error) {
	nc, br, _, err := ws.Dialer{Timeout: 10 * time.Second}.Dial(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("wsload: dial %s: %w", url, err)
	}
	c := &Conn{nc: nc, src: nc}
	if br != nil {
		c.src = io.MultiReader(br, nc)
	}
	return c, nil
}

// Close closes the connection with a close frame.
func (c *Conn) Close() error {
	_ = wsutil.WriteClientMessage(c.nc, ws.OpClose, ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))
	return c.nc.Close()
}

// Send sends msg as one text frame, in one write as browsers do
// (wsutil writes a frame's header and payload separately).
func (c *Conn) Send(msg []byte) error {
	f := ws.MaskFrame(ws.NewTextFrame(msg)) // masks a copy: msg is the caller's
	buf := bytes.NewBuffer(make([]byte, 0, ws.HeaderSize(f.Header)+len(f.Payload)))
	if err := ws.WriteHeader(buf, f.Header); err != nil {
		return err
	}
	buf.Write(f.Payload)
	_, err := c.nc.Write(buf.Bytes())
	return err
}

// Abort drops the TCP connection without a close frame, as a client that
// vanishes does.
func (c *Conn) Abort() error { return c.nc.Close() }

// RoundTrip sends msg and returns the next data message.
func (c *Conn) RoundTrip(msg []byte) ([]byte, error) {
	if err := c.Send(msg); err != nil {
		return nil, err
	}
	return c.Read()
}

// Read returns the next data message, answering pings. When the server
// closes, the error is a wsutil.ClosedError with its code and reason.
func (c *Conn) Read() ([]byte, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		data, op, err := wsutil.ReadServerData(struct {
			io.Reader
			io.Writer
		}{c.src, c.nc})
		if err != nil {
			return nil, err
		}
		if op == ws.OpText || op == ws.OpBinary {
			return data, nil
		}
	}
}

// Result sums up a run.
type Result struct {
	Messages  int
	Elapsed   time.Duration
	latencies []time.Duration
}

// PerSecond is the throughput: round trips per second over all connections.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Messages) / r.Elapsed.Seconds()
}

// Add sums o into r, as one run of both: messages and time add up, and the
// percentiles are over every round trip of both.
func (r *Result) Add(o Result) {
	r.Messages += o.Messages
	r.Elapsed += o.Elapsed
	r.latencies = append(r.latencies, o.latencies...)
	slices.Sort(r.latencies)
}

// Percentile returns the p-th percentile round trip (p in 0..100).
func (r Result) Percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.latencies)-1) * p / 100)
	return r.latencies[i]
}

// Run opens conns connections to url, sends messages round trips spread
// over them (each connection one at a time, all connections at once) and
// times each.
func Run(ctx context.Context, url string, conns, messages int, payload []byte) (Result, error) {
	if conns <= 0 || messages <= 0 {
		return Result{}, errors.New("wsload: conns and messages must be positive")
	}
	cs := make([]*Conn, 0, conns)
	defer func() {
		for _, c := range cs {
			_ = c.Close()
		}
	}()
	for range conns {
		c, err := Dial(ctx, url)
		if err != nil {
			return Result{}, err
		}
		cs = append(cs, c)
	}
	var (
		mu   sync.Mutex
		lat  = make([]time.Duration, 0, messages)
		wg   sync.WaitGroup
		errs = make(chan error, conns)
	)
	start := time.Now()
	for i, c := range cs {
		n := messages / conns
		if i < messages%conns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, n)
			for range n {
				t0 := time.Now()
				if _, err := c.RoundTrip(payload); err != nil {
					errs <- err
					return
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return Result{}, fmt.Errorf("wsload: round trip: %w", err)
	}
	slices.Sort(lat)
	return Result{Messages: len(lat), Elapsed: elapsed, latencies: lat}, nil
}
