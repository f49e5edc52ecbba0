package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// handleStackIndex lists the stacks a page at a time: ?q= searches names,
// ?after= and ?before= are keyset cursors (a name on the page before or
// after). The search box asks for the list alone (HX-Target stack-list).
func (s *Server) handleStackIndex(w http.ResponseWriter, r *http.Request) {
	if isHTMX(r) && r.Header.Get("HX-Target") == "stack-list" {
		v, err := s.stacksView(r, web.StacksView{})
		if err != nil {
			s.error(w, r, err)
			return
		}
		w.Header().Set("Vary", "HX-Request, HX-Target")
		s.render(w, r, http.StatusOK, web.StackList(v))
		return
	}
	s.renderStacks(w, r, http.StatusOK, web.StacksView{})
}

// renderStacks renders the stacks page; v carries a failed form, if any.
func (s *Server) renderStacks(w http.ResponseWriter, r *http.Request, status int, v web.StacksView) {
	v, err := s.stacksView(r, v)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, status, web.StacksPage(v))
}

// stacksView fills v with the page of stacks the request's URL asks for.
func (s *Server) stacksView(r *http.Request, v web.StacksView) (web.StacksView, error) {
	q := r.URL.Query()
	query := store.StackQuery{Search: strings.TrimSpace(q.Get("q")), After: q.Get("after"), Before: q.Get("before")}
	if query.After != "" {
		query.Before = ""
	}
	page, err := s.store.ListStacks(r.Context(), query)
	if err != nil {
		return v, err
	}
	v.Rows = stackRows(page.Stacks)
	v.Search, v.Total, v.HasPrev, v.HasNext = query.Search, page.Total, page.HasPrev, page.HasNext
	return v, nil
}

func stackRows(summaries []store.StackSummary) []web.StackRow {
	rows := make([]web.StackRow, len(summaries))
	for i, st := range summaries {
		rows[i] = web.StackRow{ID: st.ID, Name: st.Name, Description: st.Description, Resources: st.Resources, Revision: st.Revision, UpdatedAt: st.UpdatedAt}
	}
	return rows
}

// formFailed re-renders the stacks page with the error next to the form,
// for the errors a user can fix; others go to s.error.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, form, name, example string, err error) {
	f := failureOf(err)
	switch {
	case errors.Is(err, store.ErrStale), errors.As(err, new(*model.MergeConflictError)):
		f.message = "The stack changed since this page was loaded; the list now shows it as it is."
	case f.status == http.StatusConflict:
		// A taken name is a conflict in the store's terms, but for the
		// person typing it, it is a field error like any other.
		f.status = http.StatusUnprocessableEntity
	case f.status != http.StatusUnprocessableEntity:
		s.error(w, r, err)
		return
	}
	s.renderStacks(w, r, f.status, web.StacksView{Form: form, Name: name, Example: example, Error: f.message})
}

// handleStackCreate creates a blank stack or one from an example, then
// opens its canvas.
func (s *Server) handleStackCreate(w http.ResponseWriter, r *http.Request) {
	var f stackForm
	if !s.readForm(w, r, &f) {
		return
	}
	st := &model.Stack{Name: f.Name}
	if f.Example != "" {
		var err error
		if st, err = model.Example(f.Example, f.Name); err != nil {
			s.formFailed(w, r, "create", f.Name, f.Example, err)
			return
		}
	}
	created, err := s.store.CreateStack(r.Context(), st)
	if err != nil {
		s.formFailed(w, r, "create", f.Name, f.Example, err)
		return
	}
	if isHTMX(r) {
		// A boosted form would swap the canvas into the stacks page's
		// body, where its script never started: load it as a page.
		w.Header().Set("HX-Redirect", web.StackURL(created.ID))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, web.StackURL(created.ID), http.StatusSeeOther)
}

// handleStackRename renames a stack: an edit like any other, refused when
// the page showed an older revision.
func (s *Server) handleStackRename(w http.ResponseWriter, r *http.Request) {
	var f stackForm
	if !s.readForm(w, r, &f) {
		return
	}
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if f.Base == 0 {
		s.error(w, r, badRequest("The request does not say which revision it renames; reload the page."))
		return
	}
	_, _, err = s.store.Edit(r.Context(), id, f.Base, func(st *model.Stack) error {
		st.Name = f.Name
		return nil
	}, store.Describe("rename the stack to "+f.Name))
	if err != nil {
		s.formFailed(w, r, "rename-"+strconv.FormatInt(id, 10), f.Name, "", err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// handleStackDuplicate copies a stack, as it is now, under a new name.
func (s *Server) handleStackDuplicate(w http.ResponseWriter, r *http.Request) {
	var f stackForm
	if !s.readForm(w, r, &f) {
		return
	}
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	st.Name = f.Name
	if _, err := s.store.CreateStack(r.Context(), st); err != nil {
		s.formFailed(w, r, "duplicate-"+strconv.FormatInt(st.ID, 10), f.Name, "", err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// handleStackDelete deletes a stack once confirmed. Without confirm=yes in
// the POST body (a GET, or a browser that ran no script to ask) it asks on
// a page of its own. The query string never confirms: a URL is what a
// crafted link or a node ID spliced into a path can supply.
func (s *Server) handleStackDelete(w http.ResponseWriter, r *http.Request) {
	var f deleteForm
	if !s.readForm(w, r, &f) {
		return
	}
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	if !f.Confirmed {
		s.render(w, r, http.StatusOK, web.ConfirmDeletePage(web.StackRow{ID: st.ID, Name: st.Name}))
		return
	}
	// The store removes a linked stack's token file with it.
	if err := s.store.DeleteStack(r.Context(), st.ID); err != nil {
		s.error(w, r, err)
		return
	}
	s.stopRun(st.ID) // a deleted stack's run would have no page left to stop it
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
