package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// The Stack panel: the stack's parameters, environments, conditions,
// mappings and outputs, each form saved as one revision through store.Edit.

// errRefused is a form the panel refuses; its message is shown in the form.
type errRefused struct{ msg string }

func (e *errRefused) Error() string { return e.msg }

func refuse(format string, args ...any) error { return &errRefused{fmt.Sprintf(format, args...)} }

// handleStackPanel shows the Stack panel.
func (s *Server) handleStackPanel(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, web.StackPanel(web.StackPanelView{Base: web.StackURL(st.ID), Stack: st}))
}

// designEdit applies one form of the Stack panel and answers with the
// panel: saved, or the form's refusal next to what it sent.
func (s *Server) designEdit(w http.ResponseWriter, r *http.Request, describe string, change func(st *model.Stack) error) {
	if !s.parseForm(w, r) {
		return
	}
	form := r.PostForm.Get("form")
	st, _, err := s.edit(r, change, store.Describe(describe))
	if err == nil {
		s.changed(w, r, st, nil, web.StackPanel(web.StackPanelView{Base: web.StackURL(st.ID), Stack: st, Form: savedForm(r, form), Saved: true}),
			web.RunEnvPickerOOB(st))
		return
	}
	var refused *errRefused
	msg := ""
	switch {
	case errors.As(err, &refused):
		msg = refused.msg
	case problemsOf(err) != nil:
		var msgs []string
		for _, p := range problemsOf(err) {
			msgs = append(msgs, p.Message)
		}
		msg = strings.Join(msgs, "; ")
	default:
		s.error(w, r, err)
		return
	}
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	draft := map[string]string{}
	for k, v := range r.PostForm {
		draft[k] = v[0]
	}
	s.render(w, r, http.StatusUnprocessableEntity, web.StackPanel(web.StackPanelView{Base: web.StackURL(st.ID), Stack: st,
		Form: form, Error: msg, Draft: draft}))
}

// savedForm is the form a saved request now is: a new entry's under its
// name.
func savedForm(r *http.Request, form string) string {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	switch {
	case r.PostForm.Get("op") == "remove":
		return ""
	case form == "new-parameter":
		return "parameter:" + name
	case form == "new-environment":
		return "environment:" + name
	case strings.HasPrefix(form, "new-section:"):
		return "section:" + r.PostForm.Get("section") + ":" + strings.TrimSpace(r.PostForm.Get("key"))
	case strings.HasPrefix(form, "parameter:"):
		return "parameter:" + name
	case strings.HasPrefix(form, "environment:"):
		return "environment:" + name
	case strings.HasPrefix(form, "section:"):
		return "section:" + r.PostForm.Get("section") + ":" + strings.TrimSpace(r.PostForm.Get("key"))
	}
	return form
}

// handleParameterSave adds, changes or removes one of the stack's
// parameters; a rename follows every use of it.
func (s *Server) handleParameterSave(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	v := r.PostForm
	original, name := v.Get("original"), strings.TrimSpace(v.Get("name"))
	describe := "edit parameter " + name
	if v.Get("op") == "remove" {
		describe = "remove parameter " + original
	} else if original == "" {
		describe = "add parameter " + name
	}
	s.designEdit(w, r, describe, func(st *model.Stack) error {
		if v.Get("op") == "remove" {
			if st.Parameter(original) == nil {
				return refuse("The stack has no parameter %s.", original)
			}
			if users := parameterUsers(st, original); len(users) > 0 {
				return refuse("Parameter %s is used by %s; change those first.", original, strings.Join(users, ", "))
			}
			st.Parameters = slices.DeleteFunc(st.Parameters, func(p *model.Parameter) bool { return p.Name == original })
			for _, e := range st.Environments {
				delete(e.Values, original)
			}
			return nil
		}
		if name == "" {
			return refuse("A parameter needs a name.")
		}
		if name != original && st.HasParameter(name) {
			return refuse("The stack already has a parameter %s.", name)
		}
		if slices.ContainsFunc(st.Nodes(), func(n model.NodeRef) bool { return n.Name == name }) {
			return refuse("%s is the name of a resource; a parameter needs a name of its own.", name)
		}
		p := st.Parameter(original)
		if p == nil {
			if original != "" {
				return refuse("The stack has no parameter %s.", original)
			}
			p = &model.Parameter{Name: name}
			st.Parameters = append(st.Parameters, p)
		} else {
			st.RenameParameter(original, name)
		}
		p.Type = v.Get("type")
		if p.Type == "String" {
			p.Type = ""
		}
		p.Default = nil
		if v.Get("required") == "" {
			d := v.Get("default")
			p.Default = &d
		}
		p.Description = strings.TrimSpace(v.Get("description"))
		p.AllowedValues = nil
		for _, a := range strings.Split(v.Get("allowed"), ",") {
			if a = strings.TrimSpace(a); a != "" {
				p.AllowedValues = append(p.AllowedValues, a)
			}
		}
		p.NoEcho = v.Get("noEcho") != ""
		return nil
	})
}

// parameterUsers names what uses the parameter: nodes' fields and
// environment variables.
func parameterUsers(st *model.Stack, name string) []string {
	var users []string
	for _, n := range st.Nodes() {
		for _, r := range n.Params {
			if r.Parameter == name {
				users = append(users, n.Name)
			}
		}
	}
	for _, f := range st.Functions {
		for _, k := range model.Sorted(f.Environment) {
			if slices.Contains(st.ParameterRefs(f.Environment[k]), name) {
				users = append(users, f.Name+" "+k)
			}
		}
	}
	return users
}

// handleEnvironmentSave adds, changes or removes one of the stack's
// environments.
func (s *Server) handleEnvironmentSave(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	v := r.PostForm
	original, name := v.Get("original"), strings.TrimSpace(v.Get("name"))
	describe := "edit environment " + name
	if v.Get("op") == "remove" {
		describe = "remove environment " + original
	} else if original == "" {
		describe = "add environment " + name
	}
	s.designEdit(w, r, describe, func(st *model.Stack) error {
		if v.Get("op") == "remove" {
			n := len(st.Environments)
			st.Environments = slices.DeleteFunc(st.Environments, func(e *model.Environment) bool { return e.Name == original })
			if len(st.Environments) == n {
				return refuse("The stack has no environment %s.", original)
			}
			return nil
		}
		if !model.ValidEnvironmentName(name) {
			return refuse("An environment's name is a letter then up to 63 letters, digits, - or _ (dev, prod).")
		}
		if name != original && st.Environment(name) != nil {
			return refuse("The stack already has an environment %s.", name)
		}
		e := st.Environment(original)
		if e == nil {
			if original != "" {
				return refuse("The stack has no environment %s.", original)
			}
			e = &model.Environment{Name: name}
			st.Environments = append(st.Environments, e)
		}
		e.Name = name
		if original == "" {
			return nil
		}
		e.Values = nil
		for key, vals := range v {
			param, ok := strings.CutPrefix(key, "value.")
			if !ok || vals[0] == "" {
				continue
			}
			if e.Values == nil {
				e.Values = map[string]string{}
			}
			e.Values[param] = vals[0]
		}
		return nil
	})
}

// handleSectionSave adds, changes or removes one entry of a template
// section (a condition, a mapping, an output, a parameter kept as written):
// its body is YAML with intrinsic functions, and it may refer only to
// what the template defines.
func (s *Server) handleSectionSave(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	v := r.PostForm
	section, original, key := v.Get("section"), v.Get("original"), strings.TrimSpace(v.Get("key"))
	if !slices.Contains(web.EditedSections, section) && section != "Parameters" {
		s.error(w, r, badRequest("%q is not a section the Stack panel edits.", section))
		return
	}
	noun := strings.ToLower(strings.TrimSuffix(section, "s"))
	describe := "edit " + noun + " " + key
	if v.Get("op") == "remove" {
		describe = "remove " + noun + " " + original
	} else if original == "" {
		describe = "add " + noun + " " + key
	}
	s.designEdit(w, r, describe, func(st *model.Stack) error {
		entries, err := sectionEntries(st, section)
		if err != nil {
			return err
		}
		if v.Get("op") == "remove" {
			if entries.Get(original) == nil {
				return refuse("%s has no %s.", section, original)
			}
			entries.Delete(original)
			return setSection(st, section, entries)
		}
		if !model.ValidLogicalID(key) {
			return refuse("%q: a name is 1 to 255 letters and digits.", key)
		}
		if key != original && entries.Get(key) != nil {
			return refuse("%s already has %s.", section, key)
		}
		body, err := cfn.ReadYAML(r.Context(), []byte(v.Get("body")), cfn.Limits{MaxDepth: 50, MaxValues: 10000})
		if err != nil {
			return refuse("The YAML cannot be read: %v", err)
		}
		if err := checkEntry(section, key, body); err != nil {
			return err
		}
		if original != "" && entries.Get(original) != nil && original != key {
			// A rename keeps the entry's place.
			i := entries.Find(original)
			entries.Keys[i], entries.Items[i] = key, body
		} else {
			entries.Set(key, body)
		}
		if err := setSection(st, section, entries); err != nil {
			return err
		}
		names, err := export.TemplateNames(st)
		if err != nil {
			return refuse("The template cannot be built with this entry: %v", err)
		}
		unknown := names.UnknownReferences(body)
		if out := body.Get("Condition"); section == "Outputs" && out != nil {
			if c, _ := out.Str(); !names.Conditions[c] {
				unknown = append(unknown, "condition "+c)
			}
		}
		if len(unknown) > 0 {
			return refuse("%s refers to %s, which the template does not have.", key, strings.Join(unknown, ", "))
		}
		return nil
	})
}

// sectionEntries returns the stack's section as a map to edit (a copy).
func sectionEntries(st *model.Stack, section string) (*cfn.Value, error) {
	raw := st.Section(section)
	if raw == nil {
		return &cfn.Value{Kind: cfn.Map}, nil
	}
	v, err := cfn.ParseJSON(raw)
	if err != nil || v.Kind != cfn.Map {
		return nil, refuse("The stack's %s cannot be edited here; edit it in the Template tab.", section)
	}
	return v, nil
}

// setSection writes the section back into the stack, in the order
// templates have sections; an empty one goes.
func setSection(st *model.Stack, section string, entries *cfn.Value) error {
	at := slices.IndexFunc(st.Sections, func(f model.Field) bool { return f.Key == section })
	if len(entries.Keys) == 0 {
		if at >= 0 {
			st.Sections = slices.Delete(st.Sections, at, at+1)
		}
		return nil
	}
	field := model.Field{Key: section, Value: entries.JSON()}
	if at >= 0 {
		st.Sections[at] = field
		return nil
	}
	rank := func(key string) int { return slices.Index(model.SectionOrder, key) }
	i := 0
	for i < len(st.Sections) && rank(st.Sections[i].Key) < rank(section) {
		i++
	}
	st.Sections = slices.Insert(st.Sections, i, field)
	return nil
}

// checkEntry checks the shape of one entry of a section.
func checkEntry(section, key string, body *cfn.Value) error {
	switch section {
	case "Conditions":
		if fn, _ := body.Call(); fn == "" {
			return refuse("Condition %s must be an intrinsic function such as !Equals [!Ref Stage, prod].", key)
		}
	case "Mappings":
		if body.Kind != cfn.Map || len(body.Keys) == 0 {
			return refuse("Mapping %s must be a map of keys to maps of values.", key)
		}
		for _, inner := range body.Items {
			if inner.Kind != cfn.Map {
				return refuse("Mapping %s must be a map of keys to maps of values.", key)
			}
		}
	case "Outputs":
		if body.Kind != cfn.Map || body.Get("Value") == nil {
			return refuse("Output %s needs a Value.", key)
		}
		for _, k := range body.Keys {
			if !slices.Contains([]string{"Value", "Description", "Export", "Condition"}, k) {
				return refuse("Output %s: %s is not one of Value, Description, Export, Condition.", key, k)
			}
		}
	case "Parameters":
		if body.Kind != cfn.Map || body.Get("Type") == nil {
			return refuse("Parameter %s needs a Type.", key)
		}
	}
	return nil
}

// handleNodeParams sets which of the node's fields take a parameter.
func (s *Server) handleNodeParams(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("nodeID")
	st, problems, err := s.edit(r, func(st *model.Stack) error {
		n, ok := st.Node(id)
		if !ok {
			return model.Errorf(model.ENOTFOUND, "No such resource.")
		}
		for _, f := range model.ParameterFields(n.Kind) {
			if vals, sent := r.PostForm["param."+f.Field]; sent {
				n.SetParam(f.Field, vals[0])
			}
		}
		return nil
	}, store.Describe("set parameters of "+id))
	if err == nil {
		p := newPanel(st, problems, id)
		p.Saved = true
		s.changed(w, r, st, nil, web.NodePanel(p))
		return
	}
	if problemsOf(err) == nil {
		s.error(w, r, err)
		return
	}
	cur, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	p := newPanel(cur, nil, id)
	var msgs []string
	for _, pr := range problemsOf(err) {
		msgs = append(msgs, pr.Message)
	}
	p.Errors = map[string]string{"params": strings.Join(msgs, "; ")}
	s.render(w, r, http.StatusUnprocessableEntity, web.NodePanel(p))
}

// runParameters returns the parameter values a run of the stack from the
// page takes: the chosen environment's, then those the page's form gave;
// and the parameters still missing one.
func runParameters(_ context.Context, st *model.Stack, r *http.Request) (env string, values map[string]string, missing []*model.Parameter, err error) {
	env = r.PostFormValue("env")
	values = map[string]string{}
	if env != "" {
		e := st.Environment(env)
		if e == nil {
			return "", nil, nil, model.Errorf(model.EINVALID, "The stack has no environment %s.", env)
		}
		for name, v := range e.Values {
			if st.Parameter(name) != nil {
				values[name] = v
			}
		}
	}
	for key, vals := range r.PostForm {
		if name, ok := strings.CutPrefix(key, "param."); ok && st.Parameter(name) != nil && vals[0] != "" {
			values[name] = vals[0]
		}
	}
	for _, p := range st.Parameters {
		if _, ok := values[p.Name]; !ok && p.Default == nil {
			missing = append(missing, p)
		}
	}
	return env, values, missing, nil
}
