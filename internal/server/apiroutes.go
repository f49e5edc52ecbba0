package server

import (
	"errors"
	"net/http"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// handleRouteCreate adds a route to an API. A refused key comes back in
// the API's panel, 422, with the reason next to it.
func (s *Server) handleRouteCreate(w http.ResponseWriter, r *http.Request) {
	var f routeCreateForm
	if !s.readForm(w, r, &f) {
		return
	}
	apiID := r.PathValue("nodeID")
	form := &nodeForm{id: apiID, newRoute: f.Key, errors: map[string]string{}}
	st, problems, err := s.edit(r, func(st *model.Stack) error {
		a := st.API(apiID)
		if a == nil {
			return model.Errorf(model.ENOTFOUND, "No such API.")
		}
		form.stack = st
		if f.Key == "" {
			form.errors["newRoute"] = "Type the route key, like $connect or sendMessage."
			return errFormInvalid
		}
		form.newRouteID = st.NewID("rt")
		a.Routes = append(a.Routes, &model.Route{ID: form.newRouteID, Key: f.Key})
		return nil
	}, store.Describe("add route "+f.Key))
	if err == nil {
		p := newPanel(st, problems, apiID)
		p.Saved = true
		s.changed(w, r, st, nil, web.NodePanel(p))
		return
	}
	if form.stack == nil || (!errors.Is(err, errFormInvalid) && problemsOf(err) == nil) {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, web.NodePanel(form.panel(problemsOf(err))))
}

// handleRouteDelete removes a route of an API and its integration wire.
// Routes are renamed through the API's properties form.
func (s *Server) handleRouteDelete(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r, noForm{}) {
		return
	}
	routeID := r.PathValue("routeID")
	var apiID, key string
	st, problems, err := s.edit(r, func(st *model.Stack) error {
		a, rt := st.Route(routeID)
		if a == nil {
			return model.Errorf(model.ENOTFOUND, "No such route.")
		}
		apiID, key = a.ID, rt.Key
		st.RemoveRoute(routeID)
		return nil
	}, store.DescribeAfter(func() string { return "remove route " + key }))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.changed(w, r, st, nil, web.NodePanel(newPanel(st, problems, apiID)))
}
