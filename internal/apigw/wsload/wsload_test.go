package wsload

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkExternal drives any WebSocket endpoint with an echo-like
// two-way route, to compare the gateway with another emulator on the same
// handlers and machine:
//
//	WSLOAD_URL=ws://127.0.0.1:3001 go test -run '^$' -bench External ./apigw/wsload
//
// WSLOAD_MESSAGE is the message sent (default {"action":"test","data":"hello"}).
func BenchmarkExternal(b *testing.B) {
	url := os.Getenv("WSLOAD_URL")
	if url == "" {
		b.Skip("set WSLOAD_URL to the ws:// URL to load")
	}
	msg := os.Getenv("WSLOAD_MESSAGE")
	if msg == "" {
		msg = `{"action":"test","data":"hello"}`
	}
	for _, conns := range []int{1, 50} {
		b.Run("conns="+strconv.Itoa(conns), func(b *testing.B) {
			var res Result
			for b.Loop() {
				var err error
				if res, err = Run(context.Background(), url, conns, 1000, []byte(msg)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.PerSecond(), "msgs/s")
			b.ReportMetric(float64(res.Percentile(50).Microseconds()), "p50-µs")
			b.ReportMetric(float64(res.Percentile(99).Microseconds()), "p99-µs")
		})
	}
}

func BenchmarkConnectExternal(b *testing.B) {
	url := os.Getenv("WSLOAD_URL")
	if url == "" {
		b.Skip("set WSLOAD_URL to the ws:// URL to load")
	}
	for b.Loop() {
		c, err := Dial(context.Background(), url)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Close()
	}
}

// TestResultAdd: runs added up give the throughput of all their messages
// over all their time, and percentiles over every round trip.
func TestResultAdd(t *testing.T) {
	a := Result{Messages: 2, Elapsed: time.Second, latencies: []time.Duration{1, 9}}
	b := Result{Messages: 3, Elapsed: 4 * time.Second, latencies: []time.Duration{2, 3, 100}}
	var sum Result
	sum.Add(a)
	sum.Add(b)
	if sum.Messages != 5 || sum.PerSecond() != 1 || sum.Percentile(0) != 1 || sum.Percentile(50) != 3 || sum.Percentile(100) != 100 {
		t.Fatalf("sum %+v: %v msgs/s, p0 %v, p50 %v, p100 %v", sum, sum.PerSecond(), sum.Percentile(0), sum.Percentile(50), sum.Percentile(100))
	}
}
