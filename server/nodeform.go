package server

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/model"
	"github.com/switchboard-dev/switchboard/web"
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
	errors  map[string]string
}

// parseNodeForm writes the properties form's values into the node id of st. It reads
// fields by name (miniflux form.NewCategoryForm): no reflection, and a
// field the form lacks keeps its value.
func parseNodeForm(values url.Values, st *model.Stack, id string) *nodeForm {
	f := &nodeForm{stack: st, id: id, errors: map[string]string{}}
	str := func(name string, dst *string) {
		if vs, ok := values[name]; ok && len(vs) > 0 {
			*dst = strings.TrimSpace(vs[0])
		}
	}
	num := func(name, what string, dst *int) {
		vs, ok := values[name]
		if !ok || len(vs) == 0 {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
		if err != nil {
			f.errors[name] = what + " must be a whole number."
			return
		}
		*dst = n
	}
	checked := func(name string) bool { return values.Get(name) != "" }
	switch {
	case st.API(id) != nil:
		a := st.API(id)
		str("name", &a.Name)
		str("description", &a.Description)
		str("routeSelectionExpression", &a.RouteSelectionExpression)
		str("apiKeySelectionExpression", &a.APIKeySelectionExpression)
		str("stageName", &a.StageName)
		for _, rt := range a.Routes {
			prefix := "route." + rt.ID + "."
			if _, ok := values[prefix+"key"]; !ok {
				continue
			}
			str(prefix+"key", &rt.Key)
			rt.TwoWay = checked(prefix + "twoWay")
			rt.APIKeyRequired = checked(prefix + "apiKeyRequired")
			rt.Authorized = checked(prefix + "authorized")
		}
		if _, sent := values["authorizerForm"]; sent {
			if !checked("authorizer") {
				a.Authorizer = nil
			} else if a.Authorizer == nil {
				a.Authorizer = &model.Authorizer{Name: a.Name + "Authorizer", IdentitySources: []string{"route.request.querystring.token"}}
			} else {
				str("authorizer.name", &a.Authorizer.Name)
				if vs, ok := values["authorizer.identitySources"]; ok && len(vs) > 0 {
					a.Authorizer.IdentitySources = lines(vs[0])
				}
			}
		}
	case st.Function(id) != nil:
		fn := st.Function(id)
		str("name", &fn.Name)
		str("description", &fn.Description)
		str("runtime", &fn.Runtime)
		str("handler", &fn.Handler)
		str("codePath", &fn.CodePath)
		num("memorySize", "Memory", &fn.MemorySize)
		num("timeout", "Timeout", &fn.Timeout)
		num("logRetentionDays", "Log retention", &fn.LogRetentionDays)
		var policy string
		str("logDeletionPolicy", &policy)
		if policy != "" {
			fn.LogDeletionPolicy = model.DeletionPolicy(policy)
		}
		if _, sent := values["envForm"]; sent {
			f.parseEnvRows(values, fn)
		}
	case st.Table(id) != nil:
		t := st.Table(id)
		str("name", &t.Name)
		str("partitionKey.name", &t.PartitionKey.Name)
		var kt, sortName, sortType, billing, policy string
		str("partitionKey.type", &kt)
		if kt != "" {
			t.PartitionKey.Type = model.AttributeType(kt)
		}
		if _, ok := values["sortKey.name"]; ok {
			str("sortKey.name", &sortName)
			str("sortKey.type", &sortType)
			if sortName == "" {
				t.SortKey = nil
			} else {
				t.SortKey = &model.Key{Name: sortName, Type: model.AttributeType(sortType)}
				if sortType == "" {
					t.SortKey.Type = model.AttributeString
				}
			}
		}
		str("billingMode", &billing)
		if billing != "" && model.BillingMode(billing) != t.BillingMode {
			// Switching modes brings the capacity fields in or out of the
			// form; give them values the model accepts.
			t.BillingMode = model.BillingMode(billing)
			if t.BillingMode == model.BillingProvisioned {
				t.ReadCapacity, t.WriteCapacity = 5, 5
			} else {
				t.ReadCapacity, t.WriteCapacity = 0, 0
			}
		} else {
			num("readCapacity", "Read capacity", &t.ReadCapacity)
			num("writeCapacity", "Write capacity", &t.WriteCapacity)
		}
		str("ttlAttribute", &t.TTLAttribute)
		str("deletionPolicy", &policy)
		if policy != "" {
			t.DeletionPolicy = model.DeletionPolicy(policy)
		}
	}
	if fn := st.Function(id); fn != nil && fn.CodePath == "" {
		fn.CodePath = model.DefaultCodePath(fn.Name)
	}
	return f
}

// lines splits text into its non-empty trimmed lines (commas count too).
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseEnvRows reads the environment rows, in order: env.name, env.value
// and env.was (the saved name the row showed) repeated. Values are kept as
// sent, spaces, '=' and '#' included; a row left blank is ignored.
func (f *nodeForm) parseEnvRows(form url.Values, fn *model.Function) {
	names, values, was := form["env.name"], form["env.value"], form["env.was"]
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

// panelFields are the fields each form shows, by the model's JSON names.
var panelFields = map[model.Kind]map[string]bool{
	model.KindAPI: set("name", "description", "routeSelectionExpression", "apiKeySelectionExpression", "stageName",
		"routes", "authorizer", "authorizer.name", "authorizer.identitySources"),
	model.KindFunction: set("name", "description", "runtime", "handler", "codePath", "memorySize", "timeout",
		"environment", "logRetentionDays", "logDeletionPolicy"),
	model.KindTable: set("name", "partitionKey.name", "partitionKey.type", "sortKey.name", "sortKey.type",
		"billingMode", "readCapacity", "writeCapacity", "ttlAttribute", "deletionPolicy"),
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
	if strings.HasPrefix(pr.Field, "environment.") && panelFields[n.Kind]["environment"] {
		// A variable's problem goes to its row (envRowsWithErrors).
		return pr.Field
	}
	if panelFields[n.Kind][pr.Field] {
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
