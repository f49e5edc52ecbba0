package server

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The forms the app's pages send, each read into its struct here, in one
// place: a handler gets typed values or an error for s.error, never a raw
// form value. The properties form, which writes into a stack, is nodeForm.

// form is a form a request carries.
type form interface {
	// read fills the form from the parsed request: r.Form (body and query),
	// or r.PostForm where only the body may say it.
	read(r *http.Request) error
}

// readForm parses the request's body and reads f from it. A body over the
// limit or unreadable, or a value of the wrong type, is answered here and
// false tells the handler to stop.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, f form) bool {
	if !s.parseForm(w, r) {
		return false
	}
	if err := f.read(r); err != nil {
		s.error(w, r, err)
		return false
	}
	return true
}

// parseForm parses the request's form; a failure is answered here, and
// false tells the handler to stop.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		if failureOf(err).status != http.StatusRequestEntityTooLarge {
			err = badRequest("The request could not be read.")
		}
		s.error(w, r, err)
		return false
	}
	return true
}

// noForm is the form of a request that sends no values, such as a delete.
type noForm struct{}

func (noForm) read(*http.Request) error { return nil }

// nodeCreateForm adds a node of Kind, at At when Placed (a drop), else at a
// free spot (the keyboard), near Near when the page sent the middle of its
// view (HasNear).
type nodeCreateForm struct {
	Kind model.Kind
	// Type is a generic node's CloudFormation type (Kind other).
	Type            string
	At, Near        model.Position
	Placed, HasNear bool
}

func (f *nodeCreateForm) read(r *http.Request) error {
	v := r.Form
	f.Kind, f.Type = model.Kind(v.Get("kind")), v.Get("type")
	var err error
	if f.At, f.Placed, err = position(v); err != nil {
		return err
	}
	f.Near, f.HasNear, err = position(url.Values{"x": v["nearX"], "y": v["nearY"]})
	return err
}

// moveForm moves a node To a position.
type moveForm struct{ To model.Position }

func (f *moveForm) read(r *http.Request) error {
	v := r.Form
	to, ok, err := position(v)
	if err != nil {
		return err
	}
	if !ok {
		return model.Errorf(model.EINVALID, "A move needs x and y.")
	}
	f.To = to
	return nil
}

// routeCreateForm adds a route of Key to an API.
type routeCreateForm struct{ Key string }

func (f *routeCreateForm) read(r *http.Request) error {
	v := r.Form
	f.Key = strings.TrimSpace(v.Get("key"))
	return nil
}

// wireForm draws a wire From a route or function To a node, of Kind (empty:
// the default for its ends); a wire's panel sends Kind alone.
type wireForm struct {
	From, To string
	Kind     model.WireKind
	// Integration is set when the panel of a route's wire sent its
	// integration's fields.
	Integration *integrationForm
}

// integrationForm is the integration of the route a wire starts at, as its
// panel sends it.
type integrationForm struct {
	Type                        model.IntegrationType
	TimeoutMillis               int
	TemplateSelectionExpression string
	// RequestTemplate is the $default template; nil when not sent.
	RequestTemplate *string
}

func (f *wireForm) read(r *http.Request) error {
	v := r.Form
	f.From, f.To, f.Kind = v.Get("from"), v.Get("to"), model.WireKind(v.Get("kind"))
	if v.Get("integration.sent") == "" {
		return nil
	}
	in := &integrationForm{Type: model.IntegrationType(v.Get("integration.type")),
		TemplateSelectionExpression: strings.TrimSpace(v.Get("integration.templateSelectionExpression"))}
	if t := strings.TrimSpace(v.Get("integration.timeoutMillis")); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			return model.Errorf(model.EINVALID, "The timeout is a number of milliseconds, not %q.", t)
		}
		in.TimeoutMillis = n
	}
	if _, ok := v["integration.requestTemplate"]; ok {
		t := strings.TrimSpace(strings.ReplaceAll(v.Get("integration.requestTemplate"), "\r\n", "\n"))
		in.RequestTemplate = &t
	}
	f.Integration = in
	return nil
}

// apply writes the form over the route's integration, keeping what the
// panel does not show (other templates, responses, an HTTP endpoint).
func (in *integrationForm) apply(r *model.Route, wire model.WireKind) {
	var i model.Integration
	if r.Integration != nil {
		i = *r.Integration
	}
	if wire == model.WireIntegration {
		i.Type = in.Type
	}
	i.TimeoutMillis = in.TimeoutMillis
	i.TemplateSelectionExpression = in.TemplateSelectionExpression
	if in.RequestTemplate != nil {
		templates := map[string]string{}
		for k, v := range i.RequestTemplates {
			templates[k] = v
		}
		if *in.RequestTemplate == "" {
			delete(templates, "$default")
		} else {
			templates["$default"] = *in.RequestTemplate
		}
		i.RequestTemplates = templates
		if len(templates) == 0 {
			i.RequestTemplates = nil
		}
	}
	if wire == model.WireIntegration && i.Type == "" {
		// A proxy takes no templates: switching back drops them.
		i.RequestTemplates, i.TemplateSelectionExpression = nil, ""
	}
	if i.Type == "" && i.TimeoutMillis == 0 && len(i.RequestTemplates) == 0 && i.TemplateSelectionExpression == "" && len(i.Responses) == 0 && i.URI == "" {
		r.Integration = nil
		return
	}
	r.Integration = &i
}

// ends checks From and To are IDs, as the canvas sends them.
func (f *wireForm) ends() error {
	for _, id := range []string{f.From, f.To} {
		if !model.ValidID(id) {
			return badRequest("%s", invalidIDMessage("wire end", id))
		}
	}
	return nil
}

// codeMoveForm is the yes to moving a function's code folder From its path
// To the one its name gives.
type codeMoveForm struct{ From, To string }

func (f *codeMoveForm) read(r *http.Request) error {
	f.From, f.To = strings.TrimSpace(r.Form.Get("from")), strings.TrimSpace(r.Form.Get("to"))
	return nil
}

// stackForm names a stack: create (Example optional), rename (Base, the
// revision the page showed), duplicate.
type stackForm struct {
	Name, Example string
	Base          int64
}

func (f *stackForm) read(r *http.Request) error {
	v := r.Form
	f.Name, f.Example = strings.TrimSpace(v.Get("name")), v.Get("example")
	if rev := v.Get("rev"); rev != "" {
		n, err := strconv.ParseInt(rev, 10, 64)
		if err != nil || n < 1 {
			return badRequest("The base revision %q is not a revision; reload the page.", rev)
		}
		f.Base = n
	}
	return nil
}

// position reads x and y. ok is false when either is absent; a value that
// is not a finite number of sane size is EINVALID.
func position(v url.Values) (p model.Position, ok bool, err error) {
	x, okX, err := coordinate(v, "x")
	if err != nil {
		return p, false, err
	}
	y, okY, err := coordinate(v, "y")
	if err != nil {
		return p, false, err
	}
	if !okX || !okY {
		return p, false, nil
	}
	return model.Position{X: x, Y: y}, true, nil
}

// maxCoordinate bounds a position, in canvas pixels.
const maxCoordinate = 1e6

func coordinate(v url.Values, name string) (float64, bool, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxCoordinate {
		return 0, false, model.Errorf(model.EINVALID, "%s must be a number of canvas pixels, not %q", name, s)
	}
	return math.Round(f), true, nil
}

// deleteForm asks to delete a stack; Confirmed when the POST body, and only
// it, says confirm=yes: a URL is what a crafted link or an ID spliced into
// a path can supply.
type deleteForm struct{ Confirmed bool }

func (f *deleteForm) read(r *http.Request) error {
	f.Confirmed = r.Method == http.MethodPost && r.PostForm.Get("confirm") == "yes"
	return nil
}

// arrangeForm places nodes: Positions maps a node ID to where it goes, sent
// as one JSON object ({"fn1": [x, y], …}) in the field "positions".
type arrangeForm struct{ Positions map[string]model.Position }

func (f *arrangeForm) read(r *http.Request) error {
	var raw map[string][]float64
	if err := json.Unmarshal([]byte(r.PostForm.Get("positions")), &raw); err != nil || len(raw) == 0 {
		return badRequest("Arrange needs a position for each node.")
	}
	f.Positions = make(map[string]model.Position, len(raw))
	for id, p := range raw {
		if !model.ValidID(id) {
			return badRequest("%s", invalidIDMessage("node", id))
		}
		if len(p) != 2 {
			return badRequest("A position is [x, y].")
		}
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxCoordinate {
				return badRequest("A position must be a finite number.")
			}
		}
		f.Positions[id] = model.Position{X: math.Round(p[0]), Y: math.Round(p[1])}
	}
	return nil
}
