package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/switchboard-dev/switchboard/internal/localrun"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// runItemsPage is how many items of a table the Run tab shows at once.
const runItemsPage = 25

// runPage names a page of a table's items: the cursor it starts at, how
// many items come before it, and the earlier pages' cursors.
type runPage struct {
	table, start string
	offset       int
	back         []string
}

// maxBack bounds the earlier pages a request may name.
const maxBack = 1000

// readRunPage reads the page a request names (query or form); what does
// not parse is the first page.
func readRunPage(get func(string) string) runPage {
	p := runPage{table: get("table"), start: get("start")}
	p.offset, _ = strconv.Atoi(get("offset"))
	if json.Unmarshal([]byte(get("back")), &p.back) != nil || len(p.back) > maxBack {
		p.back = nil
	}
	return p
}

// runDataView reads what the run holds: its open connections, and the page
// of the table (the first when empty).
func (s *Server) runDataView(r *http.Request, st *model.Stack, run *localrun.Run, p runPage) web.RunDataView {
	table, start, offset := p.table, p.start, p.offset
	v := web.RunDataView{Base: "/stacks/" + strconv.FormatInt(st.ID, 10), Total: -1, PageSize: runItemsPage}
	if run == nil {
		return v
	}
	for _, c := range run.OpenConnections() {
		v.Connections = append(v.Connections, web.RunConnection{
			APIID: c.APIID, API: c.API, ID: c.ID,
			Since: c.ConnectedAt.Local().Format(time.TimeOnly), SinceISO: c.ConnectedAt.UTC().Format(time.RFC3339),
			LastRoute: c.LastRoute, LastMessage: c.LastMessage,
		})
	}
	v.Tables = run.TableNames()
	if len(v.Tables) == 0 {
		return v
	}
	if !slices.Contains(v.Tables, table) {
		table, start, offset, p.back = v.Tables[0], "", 0, nil
	}
	v.Table, v.Start, v.Offset, v.Back = table, start, max(offset, 0), p.back
	page, err := run.TableItems(r.Context(), table, start, runItemsPage)
	if err != nil {
		v.Error = runErrorText(s.failed(r, err), err)
		return v
	}
	v.Columns, v.Rows, v.Next, v.Total = page.Columns, page.Rows, page.Next, page.Total
	return v
}

// handleRunData shows the run's connections and a page of a table's
// items; the Run tab refreshes it as the run's feed tells of changes.
func (s *Server) handleRunData(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, web.RunData(s.runDataView(r, st, s.runs.Get(st.ID), readRunPage(r.URL.Query().Get))))
}

// handleRunConnection sends the form's message to a connection through
// @connections, or disconnects it, then shows the data afresh.
func (s *Server) handleRunConnection(disconnect bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parseForm(w, r) {
			return
		}
		st, ok := s.loadStack(w, r)
		if !ok {
			return
		}
		run := s.runs.Get(st.ID)
		if run == nil {
			s.error(w, r, model.Errorf(model.ECONFLICT, "The stack is not running."))
			return
		}
		api, id := r.PostFormValue("api"), r.PostFormValue("id")
		var err error
		if disconnect {
			err = run.Disconnect(r.Context(), api, id)
		} else {
			err = run.PostToConnection(r.Context(), api, id, []byte(r.PostFormValue("message")))
		}
		v := s.runDataView(r, st, run, readRunPage(r.PostFormValue))
		if err != nil {
			if errors.Is(err, localrun.ErrConnectionGone) {
				v.Error = "That connection is gone."
			} else {
				v.Error = runErrorText(s.failed(r, err), err)
			}
		}
		s.render(w, r, http.StatusOK, web.RunData(v))
	}
}
