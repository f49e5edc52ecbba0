package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/localrun"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// RunOptions configure Run locally.
type RunOptions struct {
	// DynamoDBEndpoint is the local DynamoDB-compatible endpoint the
	// stack's tables are created on; empty runs a built-in one per run.
	DynamoDBEndpoint string
	// DataDir keeps the built-in DynamoDB's tables between runs, each
	// stack's in a subfolder named after its ID; empty keeps them in
	// memory only.
	DataDir string
	// CADir is the local CA's folder, for the runs' HTTPS; the user's
	// cache folder when empty.
	CADir string
	// NodePath is a node_modules folder handlers may import from, such as
	// one holding the AWS SDK for JavaScript v3.
	NodePath string
	// AllowOrigins are browser origins besides loopback ones and the app's
	// own that may open a WebSocket to a running stack.
	AllowOrigins []string
	// MaxConnections caps each run's WebSocket connections;
	// localrun.DefaultMaxConnections when zero.
	MaxConnections int
	// SDK says where the AWS SDK the functions import is cached and
	// installed from on first need.
	SDK localrun.SDKOptions
}

// runConfig is how the stack runs for a page at appOrigin: codeDir, when
// not empty, is the folder the functions' code paths are relative to, and
// the page's test client may connect from appOrigin.
func (o RunOptions) runConfig(st *model.Stack, codeDir, appOrigin string) localrun.Config {
	origins := slices.Clone(o.AllowOrigins)
	if appOrigin != "" {
		origins = append(origins, appOrigin)
	}
	return localrun.Config{
		Stack:            st,
		CodeDir:          codeDir,
		DynamoDBEndpoint: o.DynamoDBEndpoint,
		NodePath:         o.NodePath,
		CADir:            o.CADir,
		DataDir:          o.stackDataDir(st),
		SDK:              o.SDK,
		Gateway:          localrun.GatewayOptions{AllowOrigins: origins, MaxConnections: o.MaxConnections},
	}
}

// stackDataDir is the folder keeping the stack's tables, or "".
func (o RunOptions) stackDataDir(st *model.Stack) string {
	if o.DataDir == "" {
		return ""
	}
	return filepath.Join(o.DataDir, strconv.FormatInt(st.ID, 10))
}

// stopRun stops the stack's run, if any; what fails to close is only
// logged, since the run is gone either way.
func (s *Server) stopRun(id int64) {
	if err := s.runs.Stop(id); err != nil {
		s.log.Warn("stopping a local run", slog.Int64("stack", id), slog.Any("error", err))
	}
}

func (s *Server) runView(r *http.Request, st *model.Stack, run *localrun.Run, errText string) web.RunView {
	v := web.RunView{Base: "/stacks/" + strconv.FormatInt(st.ID, 10), Error: errText, SampleMessage: sampleMessage(st)}
	if run != nil {
		v.Data = s.runDataView(r, st, run, runPage{})
		v.Running = true
		v.CodeDir = run.CodeDir()
		v.DynamoDBEndpoint = run.DynamoDBEndpoint()
		v.SQSEndpoint = run.SQSEndpoint()
		if len(st.Buses)+len(st.Rules) > 0 {
			v.EventBridgeEndpoint = run.EventBridgeEndpoint()
		}
		for _, ep := range run.Endpoints() {
			v.Endpoints = append(v.Endpoints, web.RunEndpoint{Name: ep.Name, URL: ep.URL, ConnectionsURL: ep.ConnectionsURL})
		}
	}
	return v
}

// sampleMessage is a first message to send: one that selects the stack's
// first custom route, if the expression reads a top-level field.
func sampleMessage(st *model.Stack) string {
	for _, a := range st.APIs {
		field, ok := strings.CutPrefix(a.RouteSelectionExpression, "$request.body.")
		if !ok || strings.Contains(field, ".") {
			continue
		}
		for _, r := range a.Routes {
			if !strings.HasPrefix(r.Key, "$") {
				b, _ := json.Marshal(map[string]string{field: r.Key, "data": "hello"})
				return string(b)
			}
		}
	}
	return `{"data":"hello"}`
}

// handleRunPanel shows the Run tab: a start button, or the running stack's
// URLs, test client and log.
func (s *Server) handleRunPanel(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	s.renderRunPanel(w, r, st, s.runs.Status(st.ID))
}

// runStartWait is how long a start request waits for the run before it
// answers with the start under way: a start with the SDK cached takes a
// fraction of a second and shows the running stack at once; one installing
// the SDK (a minute on a slow network) shows its progress instead of
// holding the request past the server's timeouts.
const runStartWait = 2 * time.Second

// renderRunPanel shows the Run tab for the run's status: starting (its
// progress, polling until it is up), running, failed or none.
func (s *Server) renderRunPanel(w http.ResponseWriter, r *http.Request, st *model.Stack, status localrun.Status) {
	switch status.State {
	case localrun.Starting:
		v := s.runView(r, st, nil, "")
		v.Starting, v.Setup = true, status.Setup
		s.render(w, r, http.StatusOK, web.RunPanel(v))
	case localrun.Running:
		s.render(w, r, http.StatusOK, web.RunPanel(s.runView(r, st, status.Run, "")))
	case localrun.Failed:
		s.render(w, r, http.StatusOK, web.RunPanel(s.runView(r, st, nil, runErrorText(failureOf(status.Err), status.Err))))
	default:
		s.render(w, r, http.StatusOK, web.RunPanel(s.runView(r, st, nil, "")))
	}
}

// handleRunStart runs the stack's current revision locally, or shows the
// run already starting or running; restart=yes in the body stops that run
// first, so the stack and its code as they are now run.
func (s *Server) handleRunStart(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	env, values, missing, err := runParameters(r.Context(), st, r)
	if err != nil {
		s.render(w, r, http.StatusUnprocessableEntity, web.RunPanel(s.runView(r, st, s.runs.Get(st.ID), runErrorText(s.failed(r, err), err))))
		return
	}
	if len(missing) > 0 {
		// Asked for on the page, as the command line refuses naming them.
		s.render(w, r, http.StatusOK, web.RunParams(web.RunParamsView{Base: web.StackURL(st.ID), Env: env, Missing: missing, Given: values}))
		return
	}
	if r.PostFormValue("restart") == "yes" {
		s.stopRun(st.ID)
	}
	// The linked repository's code when it is on this machine, else the
	// folder the stack was imported from; a function whose folder is not
	// there runs a starter handler, which the run's feed names.
	codeDir, ok := s.publish.LocalCodeDir(r.Context(), st)
	if !ok {
		codeDir = st.ImportedFrom
	}
	// The page asking is the app itself (its Host passed the server's
	// check), so its test client may connect from this origin.
	cfg := s.runOpts.runConfig(st, codeDir, "http://"+r.Host)
	cfg.Parameters = values
	// The run outlives the request, which waits runStartWait at most; the
	// panel then polls for the start that goes on.
	wait, cancel := context.WithTimeout(r.Context(), runStartWait)
	defer cancel()
	run, err := s.runs.Start(wait, cfg)
	switch {
	case err == nil:
		s.render(w, r, http.StatusOK, web.RunPanel(s.runView(r, st, run, "")))
	case wait.Err() != nil && r.Context().Err() == nil:
		s.renderRunPanel(w, r, st, s.runs.Status(st.ID))
	default:
		// The panel says why, next to the button that tries again: 422
		// whatever the failure, since htmx swaps in no other error.
		s.render(w, r, http.StatusUnprocessableEntity, web.RunPanel(s.runView(r, st, nil, runErrorText(s.failed(r, err), err))))
	}
}

// runErrorText is what the panel says about a failed start: a user error as
// it is, and for anything else the chain, which names the tool or port at
// fault on the user's own machine.
func runErrorText(f failure, err error) string {
	if f.internal {
		return fmt.Sprintf("Could not run the stack: %v", err)
	}
	return f.message
}

// handleRunStop stops the stack's run.
func (s *Server) handleRunStop(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	s.stopRun(st.ID)
	s.render(w, r, http.StatusOK, web.RunPanel(s.runView(r, st, nil, "")))
}

// runStreamFor bounds one event stream response: the router's timeout ends
// every request after 30 seconds, so the stream ends first and the browser's
// EventSource reconnects with Last-Event-ID, missing nothing.
const runStreamFor = 20 * time.Second

// handleRunEvents streams the run's gateway events and function logs as
// server-sent events.
func (s *Server) handleRunEvents(w http.ResponseWriter, r *http.Request) {
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	rc := http.NewResponseController(w)
	run := s.runs.Get(id)
	if run == nil {
		// Not running: tell the page to stop reconnecting.
		w.WriteHeader(http.StatusOK)
		_, _ = fmt.Fprint(w, "event: end\ndata: {}\n\n")
		return
	}
	last, _ := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, "retry: 500\n\n")
	timer := time.NewTimer(runStreamFor)
	defer timer.Stop()
	for {
		items, wake, closed := run.Feed().Since(last)
		for _, it := range items {
			_, _ = fmt.Fprintf(w, "id: %d\ndata: %s\n\n", it.ID, it.JSON)
			last = it.ID
		}
		if closed {
			_, _ = fmt.Fprint(w, "event: end\ndata: {}\n\n")
		}
		if err := rc.Flush(); err != nil || closed {
			return
		}
		select {
		case <-wake:
		case <-timer.C:
			return
		case <-r.Context().Done():
			return
		}
	}
}
