package hostguard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAllowed(t *testing.T) {
	g := New("127.0.0.1:8080", "box.lan")
	for host, want := range map[string]bool{
		"127.0.0.1:8080":  true,
		"localhost:8080":  true,
		"LOCALHOST:8080":  true,
		"[::1]:8080":      true,
		"box.lan:8080":    true,
		"127.0.0.1:8081":  false,
		"127.0.0.1":       false,
		"localhost":       false,
		"evil.test:8080":  false,
		"evil.test":       false,
		"":                false,
		"127.0.0.2:8080":  false,
		"localhost.:8080": false,
		"[::2]:8080":      false,
		"box.lan:80":      false,
	} {
		if got := g.Allowed(host); got != want {
			t.Errorf("Allowed(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestHandlerRefusesBeforeRouting(t *testing.T) {
	reached := false
	h := New("127.0.0.1:8080").Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	r := httptest.NewRequest(http.MethodPost, "/stacks", nil)
	r.Host = "evil.test:8080"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusMisdirectedRequest || reached {
		t.Fatalf("status %d, reached %v; want 421 and not reached", w.Code, reached)
	}
	r.Host = "127.0.0.1:8080"
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if !reached {
		t.Fatal("a loopback Host did not reach the handler")
	}
}
