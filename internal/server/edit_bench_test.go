package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkFormSave is a properties form save on the 200-resource stack
// and the problems tab refresh it triggers, each save based on the revision
// the previous one produced: what a user waits for after changing a field.
func BenchmarkFormSave(b *testing.B) {
	h, _, id := largeStack(b)
	base := "/stacks/" + strconv.FormatInt(id, 10)
	rev := int64(1)
	var samples []time.Duration
	i := 0
	for b.Loop() {
		i++
		form := url.Values{"description": {"saved " + strconv.Itoa(i)}}
		req := httptest.NewRequest("POST", base+"/nodes/fn1", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Hx-Request", "true")
		req.Header.Set("X-Base-Revision", strconv.FormatInt(rev, 10))
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("save = %d: %s", rec.Code, rec.Body)
		}
		problems := httptest.NewRecorder()
		h.ServeHTTP(problems, httptest.NewRequest("GET", base+"/problems", nil))
		samples = append(samples, time.Since(start))
		if problems.Code != http.StatusOK {
			b.Fatalf("problems = %d", problems.Code)
		}
		rev, _ = strconv.ParseInt(rec.Header().Get("X-Switchboard-Revision"), 10, 64)
	}
	percentiles(b, samples)
}
