package server

import (
	"net/http"
	"strconv"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
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
	v := web.TemplateView{Base: web.StackURL(st.ID), Format: string(format)}
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
