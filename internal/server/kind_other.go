package server

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// A generic node's form: its name and its resource as YAML, checked
// against goformation's struct for its type before it is saved.
func init() {
	registerKindForm(model.KindOther, &kindForm{
		fields: set("name", "resource"),
		read:   readOtherFields,
	})
}

// otherFields is a generic node's part of the properties form.
type otherFields struct {
	// Text is the resource without its Type, as typed; nil when the form
	// lacks it.
	Text *string
}

func readOtherFields(v formValues, _ map[string]string) kindFields {
	f := &otherFields{}
	if vs := url.Values(v)["resource"]; len(vs) > 0 {
		// Not trimmed: YAML's indentation is meaning.
		text := lfLineBreaks(vs[0])
		f.Text = &text
	}
	return f
}

func (p *otherFields) apply(common *propertiesForm, f *nodeForm, st *model.Stack, id string) {
	o := st.Other(id)
	sent(&o.Name, common.Name)
	if p.Text == nil {
		return
	}
	f.otherText = p.Text
	if saved, err := export.ResourceText(o); err == nil && saved == *p.Text {
		return // untouched: the resource stays byte for byte as it was
	}
	var known func(string) bool
	if names, err := export.TemplateNames(st); err != nil {
		// The stack's other resources cannot be listed: the text is
		// still checked against its type, its names are not.
		slog.Warn("generic resource's names not checked", slog.String("resource", o.Name), slog.Any("error", err))
	} else {
		known = names.Known
	}
	raw, problems := export.ParseResource(o.Type, *p.Text, known)
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, pr := range problems {
			msgs[i] = pr.String()
		}
		f.errors["resource"] = strings.Join(msgs, "\n")
		return
	}
	o.Resource = raw
}

// otherText is the YAML the panel of a generic node shows for what is
// saved. A resource that cannot be shown so (a database written by hand)
// is shown as its JSON, which YAML reads too.
func otherText(o *model.Other) string {
	text, err := export.ResourceText(o)
	if err != nil {
		slog.Warn("generic resource shown as JSON", slog.String("resource", o.Name), slog.Any("error", err))
		return web.IndentJSON(o.Resource)
	}
	return text
}

// maxTypeResults is how many types the picker lists at once: enough to
// scroll, few enough to render at every keystroke.
const maxTypeResults = 40

// handleResourceTypes lists the CloudFormation types that match the
// picker's search, each a palette item adding a generic node of the type.
func (s *Server) handleResourceTypes(w http.ResponseWriter, r *http.Request) {
	id, err := stackID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	q := r.URL.Query().Get("q")
	types, total := export.SearchResourceTypes(q, maxTypeResults)
	s.render(w, r, http.StatusOK, web.ResourceTypeResults(web.StackURL(id), q, types, total))
}

// addOther adds a generic node of the type the picker chose: one
// goformation knows, so its properties can be checked.
func addOther(st *model.Stack, typ string, at model.Position) (string, error) {
	if !export.KnownResourceType(typ) {
		return "", model.Errorf(model.EINVALID, "Choose a resource type from the list; %q is not one CloudFormation has.", typ)
	}
	return st.AddOther(typ, at)
}
