package server

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/switchboard-dev/switchboard/internal/web"
)

// logRequests logs each request once, after it is served. The query string is
// left out: it may one day carry a token.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		next.ServeHTTP(ww, r)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", ww.Status()),
			slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("duration", time.Since(start)),
			slog.String("request_id", middleware.GetReqID(r.Context())),
		)
	})
}

// recoverPanics turns a panic into a logged 500, so one bad request cannot
// take the server down or show a stack trace to the user.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", slog.Any("panic", v), slog.String("stack", string(debug.Stack())), slog.String("path", r.URL.Path))
				s.errorPage(w, r, http.StatusInternalServerError, "Internal error.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets a strict Content Security Policy: every script and
// style comes from this server, never inline and never from a CDN. The
// exceptions: connect-src for WebSockets to loopback, where Run locally
// serves the stack's APIs for the test client; and style elements carrying
// the page's nonce, which the Template tab's editor (CodeMirror) creates
// for its theme, given the nonce the page names (web.StyleNonce). Scripts
// get no nonce, and style attributes stay forbidden.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		nonce := styleNonce()
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'nonce-"+nonce+"'; connect-src 'self' ws://127.0.0.1:*; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		r = r.WithContext(web.WithStyleNonce(r.Context(), nonce))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// compressibleTypes are the responses worth gzipping: pages, fragments,
// JSON, templates, scripts, styles, SVG and the Run tab's event stream.
// Already-compressed images (PNG, JPEG) are left alone. The event stream
// still arrives event by event: chi's compressing writer flushes the gzip
// stream whenever the handler flushes (TestSSEFlushesUnderGzip).
var compressibleTypes = []string{
	"text/html",
	"text/css",
	"text/plain",
	"text/javascript",
	"application/javascript",
	"application/json",
	"application/yaml",
	"image/svg+xml",
	"text/event-stream",
}

// compress gzips (or deflates) what the client accepts. Level 5 is chi's
// advice: most of the saving for little CPU.
var compress = middleware.Compress(compressLevel, compressibleTypes...)

const compressLevel = 5

// compressUnlessLive is compress for every answer but a canvas's live
// stream (handleLive): its events are a few dozen bytes, which gzip's flush
// after each does not make smaller, and the compressor a stream would hold
// for as long as the canvas is open costs most of a megabyte of memory
// (level 5's hash tables) per open view.
func compressUnlessLive(next http.Handler) http.Handler {
	zipped := compress(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && isLiveStream(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		zipped.ServeHTTP(w, r)
	})
}

// isLiveStream reports whether path is a stack's live stream,
// /stacks/{stackID}/live (routes).
func isLiveStream(path string) bool {
	rest, ok := strings.CutPrefix(path, "/stacks/")
	id, tail, _ := strings.Cut(rest, "/")
	return ok && id != "" && tail == "live"
}

// styleNonce is a fresh nonce for one response's style elements: 128
// random bits, so a page cannot be made to carry a style element that
// was not the editor's.
func styleNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
