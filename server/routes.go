package server

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/switchboard-dev/switchboard/web"
)

// routes is the whole URL surface of the server (miniflux ui/ui.go).
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(s.logRequests)
	r.Use(s.recoverPanics)
	r.Use(middleware.Timeout(30 * time.Second))
	r.Use(middleware.RequestSize(MaxBodyBytes))
	r.Use(securityHeaders)
	// Cross-origin protection rejects state-changing requests from other
	// origins (Fetch metadata and Origin checks), Go 1.25's CSRF defence.
	r.Use(http.NewCrossOriginProtection().Handler)

	// Static assets, content-hashed so they can be cached for good.
	r.Get("/static/{hash}/*", s.handleStatic) // GET /static/3f9c…/app.css

	// Stacks.
	r.Get("/", s.handleStackIndex) // GET /

	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusNotFound, "No such page.")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusMethodNotAllowed, "That method is not allowed here.")
	})
	return r
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("hash") != web.AssetHash() {
		// An old page asking for old assets: send it to the current ones.
		http.Redirect(w, r, web.Asset(chi.URLParam(r, "*")), http.StatusFound)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.StripPrefix("/static/"+web.AssetHash()+"/", http.FileServerFS(web.Static)).ServeHTTP(w, r)
}

