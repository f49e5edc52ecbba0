package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model/modeltest"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// largeStack has 200 resources on the canvas: 180 functions, 18 tables
// and 2 APIs with 100 routes, wired as modeltest.Large wires them.
func largeStack(tb testing.TB) (http.Handler, *store.Store, int64) {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "bench.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	s, err := st.CreateStack(context.Background(), modeltest.Large("large", 180, 100))
	if err != nil {
		tb.Fatal(err)
	}
	if n := len(s.Nodes()); n != 200 {
		tb.Fatalf("large stack has %d resources, want 200", n)
	}
	return server.New(server.Options{Store: st}).Handler(), st, s.ID
}

// percentiles reports p50 and p99 of the samples as metrics.
func percentiles(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	at := func(p float64) float64 {
		return float64(samples[int(float64(len(samples)-1)*p)].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkCanvasRender is GET /stacks/{id} of a 200-resource stack: the
// store read plus the buffered render. Goal: under 20 ms.
func BenchmarkCanvasRender(b *testing.B) {
	h, _, id := largeStack(b)
	path := "/stacks/" + strconv.FormatInt(id, 10)
	var samples []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		samples = append(samples, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s = %d", path, rec.Code)
		}
	}
	percentiles(b, samples)
}

// BenchmarkCanvasTemplate is the templ render alone, without the store.
func BenchmarkCanvasTemplate(b *testing.B) {
	s := modeltest.Large("large", 180, 100)
	s.ID, s.Revision = 1, 1
	b.ReportAllocs()
	for b.Loop() {
		if err := web.CanvasPage(web.NewCanvasView(s)).Render(context.Background(), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNodeMove is one POST …/nodes/{id}/move on the 200-resource
// stack, each based on the revision the previous one produced. Goal: p99
// under 5 ms.
func BenchmarkNodeMove(b *testing.B) {
	h, _, id := largeStack(b)
	base := "/stacks/" + strconv.FormatInt(id, 10)
	rev := int64(1)
	var samples []time.Duration
	i := 0
	for b.Loop() {
		i++
		form := url.Values{"x": {strconv.Itoa(400 + i%50)}, "y": {strconv.Itoa(i % 300)}}
		req := httptest.NewRequest("POST", base+"/nodes/fn1/move", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("X-Base-Revision", strconv.FormatInt(rev, 10))
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		samples = append(samples, time.Since(start))
		if rec.Code != http.StatusNoContent {
			b.Fatalf("move = %d: %s", rec.Code, rec.Body)
		}
		rev, _ = strconv.ParseInt(rec.Header().Get("X-Switchboard-Revision"), 10, 64)
	}
	percentiles(b, samples)
}

// BenchmarkLoad32 has 32 clients at once: each renders the canvas of its
// own 200-resource stack and moves a node on it, as 32 people designing
// would (the stretch goal).
func BenchmarkLoad32(b *testing.B) {
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "load.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	h := server.New(server.Options{Store: st}).Handler()
	const clients = 32
	ids := make([]int64, clients)
	for c := range clients {
		s, err := st.CreateStack(context.Background(), modeltest.Large("large"+strconv.Itoa(c), 180, 100))
		if err != nil {
			b.Fatal(err)
		}
		ids[c] = s.ID
	}
	var mu sync.Mutex
	var samples []time.Duration
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/clients + 1
	for c := range clients {
		wg.Go(func() {
			base := "/stacks/" + strconv.FormatInt(ids[c], 10)
			rev := int64(1)
			for i := range per {
				start := time.Now()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", base, nil))
				form := url.Values{"x": {strconv.Itoa(i)}, "y": {"1"}}
				req := httptest.NewRequest("POST", base+"/nodes/fn1/move", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				req.Header.Set("X-Base-Revision", strconv.FormatInt(rev, 10))
				rec = httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusNoContent {
					b.Errorf("move = %d", rec.Code)
					return
				}
				rev, _ = strconv.ParseInt(rec.Header().Get("X-Switchboard-Revision"), 10, 64)
				mu.Lock()
				samples = append(samples, time.Since(start))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	percentiles(b, samples)
}

// BenchmarkMoveLoopback32 is the load run: 32 clients on loopback,
// each over its own keep-alive connection, moving nodes of its own
// 200-resource stack as fast as the server answers. It reports the move's
// p50 and p99 as the clients see them, and moves per second.
func BenchmarkMoveLoopback32(b *testing.B) {
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "loopback.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	ts := httptest.NewServer(server.New(server.Options{Store: st}).Handler())
	b.Cleanup(ts.Close)
	const clients = 32
	ids := make([]int64, clients)
	for c := range clients {
		s, err := st.CreateStack(context.Background(), modeltest.Large("loop"+strconv.Itoa(c), 180, 100))
		if err != nil {
			b.Fatal(err)
		}
		ids[c] = s.ID
	}
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	b.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Transport: transport}
	var mu sync.Mutex
	var samples []time.Duration
	per := b.N/clients + 1
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rev := int64(1)
			for i := range per {
				form := url.Values{"x": {strconv.Itoa(i % 2000)}, "y": {strconv.Itoa(c)}}
				req, _ := http.NewRequest("POST", ts.URL+"/stacks/"+strconv.FormatInt(ids[c], 10)+"/nodes/fn1/move", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				req.Header.Set("X-Base-Revision", strconv.FormatInt(rev, 10))
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				elapsed := time.Since(start)
				if resp.StatusCode != http.StatusNoContent {
					b.Errorf("move = %d", resp.StatusCode)
					return
				}
				rev, _ = strconv.ParseInt(resp.Header.Get("X-Switchboard-Revision"), 10, 64)
				mu.Lock()
				samples = append(samples, elapsed)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(len(samples))/time.Since(began).Seconds(), "moves/s")
	percentiles(b, samples)
}
