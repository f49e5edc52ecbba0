package server

import (
	"fmt"
	"io/fs"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/switchboard-dev/switchboard/internal/web"
)

// routes is the whole URL surface of the server (miniflux ui/ui.go).
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(s.logRequests)
	r.Use(s.recoverPanics)
	r.Use(middleware.Timeout(30 * time.Second))
	r.Use(limitBodies)
	r.Use(securityHeaders)
	r.Use(compressUnlessLive)
	// Cross-origin protection rejects state-changing requests from other
	// origins (Fetch metadata and Origin checks), Go 1.25's CSRF defence.
	r.Use(http.NewCrossOriginProtection().Handler)

	// Static assets, content-hashed so they can be cached for good.
	r.Get("/static/{hash}/*", s.handleStatic) // GET /static/3f9c…/app.css
	r.Get("/favicon.ico", s.handleFavicon)    // GET /favicon.ico (the SVG icon, for browsers that ask before reading the page)

	// Stacks.
	r.Get("/", s.handleStackIndex)                      // GET /
	r.Post("/stacks", s.handleStackCreate)              // POST /stacks
	r.Post("/stacks/open", s.handleStackOpen)           // POST /stacks/open (from a Git repository)
	r.Get("/stacks/open/jobs/{jobID}", s.handleOpenJob) // GET /stacks/open/jobs/3f9c… (its progress, then the stack)
	r.Post("/stacks/open/jobs/{jobID}/cancel", s.handleOpenJobCancel)
	r.Post("/stacks/import", s.handleImportPreview)       // POST /stacks/import (a file; answers a preview)
	r.Post("/stacks/import/create", s.handleImportCreate) // POST /stacks/import/create (from the preview)
	r.Route("/stacks/{stackID}", func(r chi.Router) {
		r.Use(recordEdits)
		r.Get("/", s.handleCanvas)                            // GET /stacks/12 or /stacks/chat
		r.Post("/rename", s.handleStackRename)                // POST /stacks/12/rename
		r.Post("/duplicate", s.handleStackDuplicate)          // POST /stacks/12/duplicate
		r.Get("/delete", s.handleStackDelete)                 // GET /stacks/12/delete (asks)
		r.Post("/delete", s.handleStackDelete)                // POST /stacks/12/delete
		r.Post("/undo", s.handleUndo)                         // POST /stacks/12/undo
		r.Post("/redo", s.handleRedo)                         // POST /stacks/12/redo
		r.Post("/arrange", s.handleArrange)                   // POST /stacks/12/arrange (every node's position, from Arrange)
		r.Get("/template", s.handleTemplate)                  // GET /stacks/12/template?format=yaml
		r.Post("/template", s.handleTemplateEdit)             // POST /stacks/12/template (text=…: the edited template, one revision)
		r.Get("/template.{format}", s.handleTemplateDownload) // GET /stacks/12/template.yaml
		r.Get("/problems", s.handleProblems)                  // GET /stacks/12/problems
		r.Get("/folder", s.handleFolderOffer)                 // GET /stacks/12/folder?seen=… (what the working folder would change; 204 when the page shows it already)
		r.Post("/folder/load", s.handleFolderLoad)            // POST /stacks/12/folder/load (the working folder's files as one revision)
		r.Post("/folder/ignore", s.handleFolderIgnore)        // POST /stacks/12/folder/ignore (until the files change again)
		r.Get("/live", s.handleLive)                          // GET /stacks/12/live?view=v3f9c (server-sent events: revisions, presence)
		r.Get("/changes", s.handleChanges)                    // GET /stacks/12/changes?since=41 (what changed on the canvas since)
		r.Post("/presence", s.handlePresence)                 // POST /stacks/12/presence (view=v3f9c&selected=node-fn3)
		r.Post("/resolve", s.handleResolve)                   // POST /stacks/12/resolve (path=/functions/fn3/memorySize&value=512: keep my value of a conflict)

		// The Stack panel (design.go): one form a request, one revision each.
		r.Get("/design", s.handleStackPanel)                    // GET /stacks/12/design
		r.Post("/design/parameters", s.handleParameterSave)     // POST /stacks/12/design/parameters (one parameter: add, edit, remove)
		r.Post("/design/environments", s.handleEnvironmentSave) // POST /stacks/12/design/environments (one environment)
		r.Post("/design/sections", s.handleSectionSave)         // POST /stacks/12/design/sections (one condition, mapping or output, as YAML)

		// Commit to repo.
		r.Get("/git", s.handleGitPage)             // GET /stacks/12/git
		r.Post("/git/link", s.handleGitLinkSave)   // POST /stacks/12/git/link
		r.Post("/git/unlink", s.handleGitUnlink)   // POST /stacks/12/git/unlink
		r.Get("/git/preview", s.handleGitPreview)  // GET /stacks/12/git/preview?overwrite=1
		r.Post("/git/commit", s.handleGitCommit)   // POST /stacks/12/git/commit
		r.Get("/git/history", s.handleGitHistory)  // GET /stacks/12/git/history
		r.Get("/git/jobs/{jobID}", s.handleGitJob) // GET /stacks/12/git/jobs/3f9c… (a preview or commit running in the background)
		r.Post("/git/jobs/{jobID}/cancel", s.handleGitJobCancel)

		// Run locally.
		r.Get("/run", s.handleRunPanel)         // GET /stacks/12/run
		r.Post("/run", s.handleRunStart)        // POST /stacks/12/run
		r.Post("/run/stop", s.handleRunStop)    // POST /stacks/12/run/stop
		r.Get("/run/events", s.handleRunEvents) // GET /stacks/12/run/events (server-sent events)
		r.Get("/run/data", s.handleRunData)     // GET /stacks/12/run/data?table=Connections&start=…&offset=25
		r.Post("/run/connections/send", s.handleRunConnection(false))
		r.Post("/run/connections/disconnect", s.handleRunConnection(true))

		// Nodes: APIs, functions and tables.
		r.Post("/nodes", s.handleNodeCreate)            // POST /stacks/12/nodes (kind=other&type=AWS::Kinesis::Stream: a generic node)
		r.Get("/resource-types", s.handleResourceTypes) // GET /stacks/12/resource-types?q=Kinesis::Stream (the picker's search)
		r.Route("/nodes/{nodeID}", func(r chi.Router) {
			r.Use(s.requireValidID("nodeID", "node"))
			r.Get("/", s.handleNodePanel)          // GET /stacks/12/nodes/fn3
			r.Post("/", s.handleNodeSave)          // POST /stacks/12/nodes/fn3
			r.Delete("/", s.handleNodeDelete)      // DELETE /stacks/12/nodes/fn3
			r.Post("/move", s.handleNodeMove)      // POST /stacks/12/nodes/fn3/move
			r.Post("/routes", s.handleRouteCreate) // POST /stacks/12/nodes/api1/routes
			r.Post("/code-move", s.handleCodeMove) // POST /stacks/12/nodes/fn3/code-move (after a rename: move its folder in the next commit)

			r.Post("/params", s.handleNodeParams) // POST /stacks/12/nodes/fn3/params (param.memorySize=Memory: fields that take a parameter)
		})

		// Routes of an API; renamed in the API's form.
		r.With(s.requireValidID("routeID", "route")).Delete("/routes/{routeID}", s.handleRouteDelete) // DELETE /stacks/12/routes/rt4

		// Wires.
		r.Post("/wires", s.handleWireCreate) // POST /stacks/12/wires
		r.Route("/wires/{wireID}", func(r chi.Router) {
			r.Use(s.requireValidID("wireID", "wire"))
			r.Get("/", s.handleWirePanel)     // GET /stacks/12/wires/w9
			r.Post("/", s.handleWireSave)     // POST /stacks/12/wires/w9
			r.Delete("/", s.handleWireDelete) // DELETE /stacks/12/wires/w9
		})

		// A selection of many nodes and wires: each edit one revision.
		r.Post("/selection/move", s.handleSelectionMove)           // POST /stacks/12/selection/move (node=fn3&x=100&y=40, repeated)
		r.Post("/selection/delete", s.handleSelectionDelete)       // POST /stacks/12/selection/delete (node=fn3&wire=w9…)
		r.Post("/selection/duplicate", s.handleSelectionDuplicate) // POST /stacks/12/selection/duplicate (node=fn3…)
		r.Get("/fragment", s.handleFragment)                       // GET /stacks/12/fragment?node=fn3&node=tbl4 (JSON for the clipboard)
		r.Post("/paste", s.handlePaste)                            // POST /stacks/12/paste (fragment=…&x=&y=)
	})

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

// handleFavicon serves the SVG icon at the address browsers try on their
// own. Pages link the hashed asset; this one is cached for a day only, so a
// new icon shows up.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	icon, err := fs.ReadFile(web.Static, "favicon.svg")
	if err != nil {
		s.error(w, r, fmt.Errorf("read favicon: %w", err))
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(icon)
}
