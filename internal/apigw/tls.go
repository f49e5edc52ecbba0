package apigw

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"
)

// API Gateway answers wss:// and https:// on the API's host, and handlers
// build https://${domainName}/${stage} from the event to reach
// @connections. With Options.TLS, each API's one port answers both: a
// connection that opens with a TLS handshake record is served over TLS,
// any other as plain HTTP, so domainName is the same for ws:// and wss://
// clients and the management API is reached either way.

// tlsHandshake is the first byte of a TLS record carrying a handshake.
const tlsHandshake = 0x16

// sniffWait bounds how long a connection may take to send its first byte.
const sniffWait = 10 * time.Second

// sniffListener hands out each accepted connection as plain or TLS, as its
// first byte says. Sniffing happens off the accept loop, so a client that
// sends nothing holds up no one else.
type sniffListener struct {
	net.Listener
	tls   *tls.Config
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	err   error
}

func newSniffListener(ln net.Listener, cfg *tls.Config) *sniffListener {
	l := &sniffListener{Listener: ln, tls: cfg, conns: make(chan net.Conn), done: make(chan struct{})}
	go l.acceptLoop()
	return l
}

func (l *sniffListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			l.closeWith(err)
			return
		}
		go l.sniff(c)
	}
}

func (l *sniffListener) sniff(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(sniffWait))
	br := bufio.NewReaderSize(c, 1024)
	first, err := br.Peek(1)
	_ = c.SetReadDeadline(time.Time{})
	if err != nil {
		c.Close()
		return
	}
	var out net.Conn = &peekedConn{Conn: c, r: br}
	if first[0] == tlsHandshake {
		out = tls.Server(out, l.tls)
	}
	select {
	case l.conns <- out:
	case <-l.done:
		c.Close()
	}
}

// Accept returns the next sniffed connection.
func (l *sniffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		if l.err != nil {
			return nil, l.err
		}
		return nil, net.ErrClosed
	}
}

// Close stops accepting.
func (l *sniffListener) Close() error { return l.closeWith(nil) }

// closeWith stops accepting; Accept then returns why, or net.ErrClosed.
func (l *sniffListener) closeWith(why error) error {
	var err error
	l.once.Do(func() {
		l.err = why
		close(l.done)
		err = l.Listener.Close()
	})
	return err
}

// peekedConn reads first what sniffing buffered.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
