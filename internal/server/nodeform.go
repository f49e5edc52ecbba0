package server

import (
	"errors"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/web"
)

// errFormInvalid marks a properties form with values that are not even of
// the right type, such as letters for memory.
var errFormInvalid = errors.New("form has invalid values")

// nodeForm is a properties form applied to a stack: the stack with the
// edit, and the errors found while reading the form.
type nodeForm struct {
	stack    *model.Stack
	id       string
	newRoute string
	// newRouteID is the ID the new route got, to tell its problems apart.
	newRouteID string
	// envRows are the environment rows as sent, shown again in their order.
	envRows []web.EnvRow
	// otherText is a generic node's resource as sent, shown again.
	otherText *string
	errors    map[string]string
}

// apply writes the form into the node id of st, a field the form lacks
// keeping its value, and returns the result for the panel.
func (p *propertiesForm) apply(st *model.Stack, id string) *nodeForm {
	f := &nodeForm{stack: st, id: id, errors: map[string]string{}}
	for k, v := range p.errors {
		f.errors[k] = v
	}
	if n, ok := st.Node(id); ok {
		if k := kindForms[n.Kind]; k != nil {
			fields := p.kinds[n.Kind]
			if fields == nil { // a form made in code, with common fields only
				fields = k.read(nil, f.errors)
			}
			fields.apply(p, f, st, id)
		}
	}
	return f
}

// applyEnvRows sets the function's environment from the rows, in order.
// Values are kept as sent, spaces, '=' and '#' included; a row left blank
// is ignored.
func (f *nodeForm) applyEnvRows(rowsSent *envRows, fn *model.Function) {
	names, values, was := rowsSent.Names, rowsSent.Values, rowsSent.Was
	if len(names) != len(values) {
		f.errors["environment"] = "The environment rows arrived incomplete; reload the panel and try again."
		return
	}
	rows := make([]web.EnvRow, len(names))
	env := map[string]string{}
	for i, name := range names {
		row := web.EnvRow{Name: strings.TrimSpace(name)}
		if i < len(was) {
			row.Was = was[i]
		}
		row.Value = untouchedValue(values[i], fn.Environment, row.Was, row.Name)
		rows[i] = row
		switch _, dup := env[row.Name]; {
		case row.Name == "" && row.Value == "":
			continue
		case row.Name == "":
			f.errors[envRowKey(i)] = "Give this variable a name, or remove the row."
		case dup:
			f.errors[envRowKey(i)] = "Variable " + row.Name + " is set twice."
		default:
			env[row.Name] = row.Value
		}
	}
	f.envRows = rows
	if len(env) == 0 {
		env = nil
	}
	fn.Environment = env
}

// untouchedValue is the value a row stands for. A browser sends a
// textarea's text as its HTML parser read it, every line break as CRLF, so
// a value that matches the saved one in that form is the saved value, byte
// for byte; a value the user edited has its line breaks as typed, LF.
func untouchedValue(sent string, saved map[string]string, was, name string) string {
	for _, k := range []string{was, name} {
		if v, ok := saved[k]; ok && k != "" && textareaText(v) == textareaText(sent) {
			return v
		}
	}
	return lfLineBreaks(sent)
}

// textareaText is s as a textarea holds it: HTML's parser turns CRLF and
// CR into LF and NUL into U+FFFD.
func textareaText(s string) string {
	return strings.ReplaceAll(lfLineBreaks(s), "\x00", "\uFFFD")
}

// lfLineBreaks turns CRLF and CR into LF.
func lfLineBreaks(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// envRowKey is the error key of the environment row at index i.
func envRowKey(i int) string { return "env." + strconv.Itoa(i) }

// panel is the form shown again after a refused save: the user's values,
// the form's own errors, and the model's problems next to their fields.
func (f *nodeForm) panel(problems []model.Problem) web.PanelView {
	// The refused state was never stored, so its notes are checked here.
	p := newPanel(f.stack, f.stack.Check(), f.id)
	p.Errors = map[string]string{}
	for k, v := range f.errors {
		p.Errors[k] = v
	}
	p.NewRoute = f.newRoute
	for _, pr := range problems {
		if pr.Incomplete || pr.Severity != model.SeverityError {
			continue
		}
		key := fieldKey(f.stack, f.id, pr)
		switch {
		case f.newRouteID != "" && pr.Resource == f.newRouteID:
			key = "newRoute"
		case key == "":
			p.General = append(p.General, pr.Message)
			continue
		}
		if p.Errors[key] == "" {
			p.Errors[key] = pr.Message
		} else {
			p.Errors[key] += " " + pr.Message
		}
	}
	if p.Function != nil {
		p.EnvRows = envRowsWithErrors(f.rows(), p.Errors)
	}
	if p.Other != nil && f.otherText != nil {
		p.OtherText = *f.otherText
	}
	if f.newRouteID != "" {
		// The new route was not saved: show it as typed, not as a row.
		if a := p.API; a != nil && len(a.Routes) > 0 && a.Routes[len(a.Routes)-1].ID == f.newRouteID {
			a.Routes = a.Routes[:len(a.Routes)-1]
		}
	}
	return p
}

// rows are the environment rows to show again: as sent, or when the form
// had none, the variables as they are now.
func (f *nodeForm) rows() []web.EnvRow {
	if f.envRows != nil {
		return f.envRows
	}
	if fn := f.stack.Function(f.id); fn != nil {
		return web.EnvRowsOf(fn.Environment)
	}
	return nil
}

// savedEnvRows are the rows after a save, in the order sent: each now
// stands for the variable of its name.
func (f *nodeForm) savedEnvRows() []web.EnvRow {
	if f.envRows == nil {
		return nil
	}
	rows := make([]web.EnvRow, len(f.envRows))
	for i, r := range f.envRows {
		rows[i] = web.EnvRow{Name: r.Name, Value: r.Value, Was: r.Name}
	}
	return rows
}

// envRowsWithErrors moves the environment's errors from errs to their rows:
// a row's own (envRowKey) and the model's about its name
// ("environment.NAME"). An error about a name no row has stays on the
// environment as a whole.
func envRowsWithErrors(rows []web.EnvRow, errs map[string]string) []web.EnvRow {
	out := make([]web.EnvRow, len(rows))
	named := map[string]bool{}
	for i, r := range rows {
		msgs := []string{errs[envRowKey(i)], errs["environment."+r.Name]}
		r.Error = strings.TrimSpace(strings.Join(msgs, " "))
		delete(errs, envRowKey(i))
		named[r.Name] = true
		out[i] = r
	}
	for k, msg := range errs {
		if name, ok := strings.CutPrefix(k, "environment."); ok {
			delete(errs, k)
			if !named[name] {
				errs["environment"] = strings.TrimSpace(errs["environment"] + " " + msg)
			}
		}
	}
	return out
}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// fieldKey is the form field a problem belongs to, or "" when it belongs to
// none of node id's fields. Route problems go to their route's row.
func fieldKey(st *model.Stack, id string, pr model.Problem) string {
	if a, rt := st.Route(pr.Resource); rt != nil && a.ID == id {
		return "route." + rt.ID
	}
	if pr.Resource != id {
		return ""
	}
	n, _ := st.Node(id)
	if strings.HasPrefix(pr.Field, "environment.") && formFields(n.Kind)["environment"] {
		// A variable's problem goes to its row (envRowsWithErrors).
		return pr.Field
	}
	if formFields(n.Kind)[pr.Field] {
		return pr.Field
	}
	return ""
}

// newPanel is the properties panel of node id as saved, with its notes:
// the problems (st's Check) that do not stop a save.
func newPanel(st *model.Stack, problems []model.Problem, id string) web.PanelView {
	p := web.PanelView{Base: web.StackURL(st.ID), Stack: st}
	if n, ok := st.Node(id); ok {
		p.Kind = n.Kind
	}
	p.API, p.Function, p.Table, p.Other = st.API(id), st.Function(id), st.Table(id), st.Other(id)
	p.Queue, p.Topic, p.StateMachine = st.Queue(id), st.Topic(id), st.StateMachine(id)
	p.Layer, p.UsagePlan, p.Domain = st.Layer(id), st.UsagePlan(id), st.Domain(id)
	p.Bus, p.Rule, p.Bucket, p.Stream = st.Bus(id), st.Rule(id), st.Bucket(id), st.Stream(id)
	if p.Other != nil {
		p.OtherText, p.OtherTyped = otherText(p.Other), export.KnownResourceType(p.Other.Type)
	}
	for _, pr := range problems {
		if pr.Severity == model.SeverityError && !pr.Incomplete {
			continue
		}
		if pr.Resource == id {
			p.Notes = append(p.Notes, pr)
		} else if a, rt := st.Route(pr.Resource); rt != nil && a.ID == id {
			p.Notes = append(p.Notes, pr)
		}
	}
	return p
}
