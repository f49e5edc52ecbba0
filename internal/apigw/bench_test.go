package apigw

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/apigw/wsload"
)

// The benchmarks measure the gateway itself, with an in-process Go echo
// handler; localrun's benchmarks add real Lambda processes.

func benchGateway(b *testing.B) *Gateway {
	b.Helper()
	inv := &echoInvoker{}
	return MustStart(b, testAPIs("$connect", "Conn", "$default!", "Echo"), inv, Options{MaxInflight: 1})
}

// echoInvoker answers every event with its body, like the echo scaffold,
// without the fake invoker's bookkeeping.
type echoInvoker struct{}

func (echoInvoker) Invoke(_ context.Context, _ string, payload []byte) ([]byte, error) {
	// The body is the last field of a message event; a proxy response with
	// it is all a two-way route needs. Decoding with encoding/json would
	// measure the handler, not the gateway.
	i := strings.Index(string(payload), `"body":`)
	if i < 0 {
		return []byte(`{"statusCode":200}`), nil
	}
	j := strings.Index(string(payload[i:]), `,"isBase64Encoded"`)
	return []byte(`{"statusCode":200,"body":` + string(payload[i+7:i+j]) + `}`), nil
}

// BenchmarkEchoRoundTrip times one client's send-to-reply on a two-way
// route, reporting the median and 99th percentile.
func BenchmarkEchoRoundTrip(b *testing.B) {
	g := benchGateway(b)
	c, err := wsload.Dial(context.Background(), g.Endpoints()[0].URL)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg := []byte(`{"action":"echo","data":"hello"}`)
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		if _, err := c.RoundTrip(msg); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkMessages measures round trips per second with 1 and with 50
// connections sending at once.
func BenchmarkMessages(b *testing.B) {
	for _, conns := range []int{1, 50} {
		b.Run("conns="+strconv.Itoa(conns), func(b *testing.B) {
			g := benchGateway(b)
			var res wsload.Result
			for b.Loop() {
				var err error
				res, err = wsload.Run(context.Background(), g.Endpoints()[0].URL, conns, 2000, []byte(`{"data":"hello"}`))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.PerSecond(), "msgs/s")
			b.ReportMetric(float64(res.Percentile(50).Microseconds()), "p50-µs")
			b.ReportMetric(float64(res.Percentile(99).Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkConnect times the upgrade with a $connect handler, to the first
// usable frame.
func BenchmarkConnect(b *testing.B) {
	g := benchGateway(b)
	url := g.Endpoints()[0].URL
	for b.Loop() {
		c, err := wsload.Dial(context.Background(), url)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Close()
	}
}

// BenchmarkIdleConnections reports the resident memory of this process
// (gateway and clients together) holding 1000 idle connections.
func BenchmarkIdleConnections(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc to read resident memory")
	}
	g := benchGateway(b)
	url := g.Endpoints()[0].URL
	before := rssKB(b)
	after := before
	conns := make([]*wsload.Conn, 0, 1000)
	for b.Loop() {
		for range 1000 {
			c, err := wsload.Dial(context.Background(), url)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
		}
		b.StopTimer()
		for g.Connections() < len(conns) {
			time.Sleep(time.Millisecond) // registration follows the handshake by microseconds
		}
		after = max(after, rssKB(b))
		for _, c := range conns {
			_ = c.Close()
		}
		conns = conns[:0]
		b.StartTimer()
	}
	b.ReportMetric(float64(after)/1024, "rss-MB")
	b.ReportMetric(float64(after-before)/1000, "KB/conn")
}

// rssKB reads VmRSS of this process.
func rssKB(tb testing.TB) int {
	tb.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb
		}
	}
	tb.Fatal("no VmRSS in /proc/self/status")
	return 0
}
