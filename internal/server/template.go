package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/importer"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// handleTemplate renders the template tab: the stack's CloudFormation
// template in the chosen format, or the problems that stop it.
func (s *Server) handleTemplate(w http.ResponseWriter, r *http.Request) {
	st, problems, ok := s.loadProblems(w, r)
	if !ok {
		return
	}
	format := export.FormatYAML
	if f := r.URL.Query().Get("format"); f != "" {
		var err error
		if format, err = export.ParseFormat(f); err != nil {
			s.error(w, r, err)
			return
		}
	}
	v := web.TemplateView{Base: web.StackURL(st.ID), Format: string(format), Revision: st.Revision}
	// The problems the save found say whether the export can succeed,
	// without checking the stack again before the export does.
	if err := model.ErrorOf(problems, false); err != nil {
		v.Problems = problemsOf(err)
	} else {
		out, err := export.Render(st, format)
		if err != nil {
			if ps := problemsOf(err); ps != nil {
				v.Problems = ps
			} else {
				s.error(w, r, err)
				return
			}
		}
		v.Text = string(out)
	}
	s.render(w, r, http.StatusOK, web.TemplatePane(v))
}

// handleTemplateDownload sends the template as a file.
func (s *Server) handleTemplateDownload(w http.ResponseWriter, r *http.Request) {
	st, ok := s.loadStack(w, r)
	if !ok {
		return
	}
	format, err := export.ParseFormat(r.PathValue("format"))
	if err != nil {
		s.error(w, r, model.Errorf(model.ENOTFOUND, "No such template format."))
		return
	}
	out, err := export.Render(st, format)
	if err != nil {
		s.error(w, r, err)
		return
	}
	ctype := "application/yaml"
	if format == export.FormatJSON {
		ctype = "application/json"
	}
	w.Header().Set("Content-Type", ctype+"; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+st.Name+"."+string(format)+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

// handleProblems lists the stack's problems.
func (s *Server) handleProblems(w http.ResponseWriter, r *http.Request) {
	st, problems, ok := s.loadProblems(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, web.Fragments(web.ProblemsPane(web.ProblemsView{Stack: st, Problems: problems}), web.ProblemCount(len(problems))))
}

// maxTemplateProblems bounds the problems an edit of the template is
// answered with: the first few say where to look.
const maxTemplateProblems = 20

// handleTemplateEdit applies an edit of the template (the Template tab's
// editor): the text is imported again over the stack, keeping what still
// exists (importer.Reimport), and saved as one revision; the answer is the
// canvas's changes, as for any edit. Text that cannot be imported is never
// applied: the answer is 422 with its problems, each at its line and
// column.
func (s *Server) handleTemplateEdit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	text := normalizeNewlines(r.FormValue("text"))
	if len(text) > importer.MaxSize {
		s.error(w, r, errTemplateTooLarge)
		return
	}
	edit := &importer.TemplateEdit{Name: "template", Text: []byte(text), Geometry: web.Geometry}
	st, _, err := s.edit(r, func(st *model.Stack) error {
		return edit.Apply(r.Context(), st)
	}, store.Describe("edit the template"))
	if err != nil {
		if ps := templateProblems(err, edit.Lines); ps != nil {
			w.Header().Set("HX-Retarget", "#template-edit-problems")
			w.Header().Set("HX-Reswap", "innerHTML")
			s.render(w, r, http.StatusUnprocessableEntity, web.TemplateEditProblems(ps))
			return
		}
		s.error(w, r, err)
		return
	}
	s.changed(w, r, st, nil)
}

// templateProblems places the problems of text that could not be applied:
// a syntax error or contradiction where the importer found it, a stack
// problem at the line of the resource at fault. Nil for any other error
// (a conflict, the database), which the one failure path answers.
func templateProblems(err error, lines map[string]int) []web.TemplateProblem {
	var se *importer.SourceError
	if errors.As(err, &se) {
		return []web.TemplateProblem{{Line: se.Line, Col: se.Col, Message: se.Msg}}
	}
	ps := problemsOf(err)
	if ps == nil {
		return nil
	}
	var out []web.TemplateProblem
	for _, p := range ps {
		if len(out) == maxTemplateProblems {
			break
		}
		out = append(out, web.TemplateProblem{Line: lines[p.Resource], Message: p.Message})
	}
	return out
}
