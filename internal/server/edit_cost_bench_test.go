package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/server"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// bigStack opens a store holding the big stack (bigStackModel:
// 3,013 CloudFormation resources once exported, the shape the export
// benchmarks measure), created once per test process.
func bigStack(tb testing.TB) (*store.Store, *model.Stack) {
	tb.Helper()
	st, err := store.Open(context.Background(), storetest.PathWith(tb, "big.db", "big", bigStackModel))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	s, err := st.StackByName(context.Background(), "big")
	if err != nil {
		tb.Fatal(err)
	}
	return st, s
}

// editRequest is an htmx edit of the stack at base, as canvas.js sends it.
func editRequest(method, path string, form url.Values, rev int64) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Hx-Request", "true")
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("X-Base-Revision", strconv.FormatInt(rev, 10))
	return req
}

// plainSize is the size of a response body once decompressed.
func plainSize(tb testing.TB, rec *httptest.ResponseRecorder) int {
	tb.Helper()
	if rec.Header().Get("Content-Encoding") != "gzip" {
		return rec.Body.Len()
	}
	zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		tb.Fatal(err)
	}
	n, err := io.Copy(io.Discard, zr)
	if err != nil {
		tb.Fatal(err)
	}
	return int(n)
}

// BenchmarkBigStackEdit is the answer to one edit of the 3,013-resource
// stack, as the server sends it: time, bytes on the wire (gzip, as the
// browser asks) and bytes of HTML. Each edit is based on the revision the
// one before produced. Goal (issue 14): under 20 KB on the wire.
func BenchmarkBigStackEdit(b *testing.B) {
	edits := []struct {
		name string
		// next returns the i-th request of the edit on the stack at base.
		next func(s *model.Stack, base string, i int, rev int64) *http.Request
	}{
		{"rename-function", func(s *model.Stack, base string, i int, rev int64) *http.Request {
			return editRequest("POST", base+"/nodes/"+s.Functions[0].ID, url.Values{"name": {"Renamed" + strconv.Itoa(i)}}, rev)
		}},
		{"add-route", func(s *model.Stack, base string, i int, rev int64) *http.Request {
			return editRequest("POST", base+"/nodes/"+s.APIs[0].ID+"/routes", url.Values{"key": {"extra" + strconv.Itoa(i)}}, rev)
		}},
		{"add-function", func(s *model.Stack, base string, i int, rev int64) *http.Request {
			return editRequest("POST", base+"/nodes", url.Values{"kind": {"function"}, "x": {strconv.Itoa(1200 + i)}, "y": {"40"}}, rev)
		}},
	}
	for _, e := range edits {
		b.Run(e.name, func(b *testing.B) {
			st, stack := bigStack(b)
			h := server.New(server.Options{Store: st}).Handler()
			base := "/stacks/" + strconv.FormatInt(stack.ID, 10)
			rev := int64(1)
			var samples []time.Duration
			var wire, plain int
			i := 0
			for b.Loop() {
				i++
				req := e.next(stack, base, i, rev)
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				samples = append(samples, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s = %d: %.300s", e.name, rec.Code, rec.Body)
				}
				wire += rec.Body.Len()
				plain += plainSize(b, rec)
				rev, _ = strconv.ParseInt(rec.Header().Get("X-Switchboard-Revision"), 10, 64)
			}
			b.ReportMetric(float64(wire)/float64(i), "wire-B/op")
			b.ReportMetric(float64(plain)/float64(i), "html-B/op")
			percentiles(b, samples)
		})
	}
}

// BenchmarkBigStackUndo is an undo and a redo of a rename on the big
// stack: the answer to each.
func BenchmarkBigStackUndo(b *testing.B) {
	st, stack := bigStack(b)
	h := server.New(server.Options{Store: st}).Handler()
	base := "/stacks/" + strconv.FormatInt(stack.ID, 10)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, editRequest("POST", base+"/nodes/"+stack.Functions[0].ID, url.Values{"name": {"Renamed"}}, 1))
	rev, _ := strconv.ParseInt(rec.Header().Get("X-Switchboard-Revision"), 10, 64)
	var samples []time.Duration
	var wire, n int
	for b.Loop() {
		for _, step := range []string{"/undo", "/redo"} {
			rec := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(rec, editRequest("POST", base+step, url.Values{}, rev))
			samples = append(samples, time.Since(start))
			if rec.Code != http.StatusOK {
				b.Fatalf("%s = %d: %.300s", step, rec.Code, rec.Body)
			}
			wire += rec.Body.Len()
			n++
			rev, _ = strconv.ParseInt(rec.Header().Get("X-Switchboard-Revision"), 10, 64)
		}
	}
	b.ReportMetric(float64(wire)/float64(n), "wire-B/op")
	percentiles(b, samples)
}
