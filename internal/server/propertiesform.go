package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// propertiesForm is a node's properties form as sent, typed. A field the
// form lacks is nil and keeps the node's value: the panel of each kind sends
// its own fields, and a partial form (one field changed) touches no other.
type propertiesForm struct {
	Name, Description *string

	// An API's.
	RouteSelectionExpression, APIKeySelectionExpression, StageName *string
	// Routes are the route rows sent, by route ID.
	Routes map[string]routeFields
	// Authorizer is nil when the form had no authorizer part.
	Authorizer *authorizerFields

	// A function's.
	Runtime, Handler, CodePath, LogDeletionPolicy *string
	MemorySize, Timeout, LogRetentionDays         *int
	// Env is nil when the form had no environment part.
	Env *envFields

	// A table's.
	PartitionKeyName, PartitionKeyType *string
	// SortKey is nil when the form had no sort key field.
	SortKey                     *model.Key
	BillingMode                 *string
	ReadCapacity, WriteCapacity *int
	TTLAttribute                *string
	DeletionPolicy              *string

	// errors are the values of the wrong type, by field: letters for
	// memory, environment rows that arrived incomplete.
	errors map[string]string
}

// routeFields is one route's row of an API's form.
type routeFields struct {
	Key                                string
	TwoWay, APIKeyRequired, Authorized bool
}

// authorizerFields is the authorizer part of an API's form.
type authorizerFields struct {
	On              bool
	Name            *string
	IdentitySources []string // nil: not sent
}

// envFields are the environment rows, in order: env.name, env.value and
// env.was (the saved name the row showed) repeated.
type envFields struct {
	Names, Values, Was []string
}

func (f *propertiesForm) read(r *http.Request) error {
	v := r.PostForm
	f.errors = map[string]string{}
	str := func(name string) *string {
		if vs, ok := v[name]; ok && len(vs) > 0 {
			s := strings.TrimSpace(vs[0])
			return &s
		}
		return nil
	}
	num := func(name, what string) *int {
		s := str(name)
		if s == nil {
			return nil
		}
		n, err := strconv.Atoi(*s)
		if err != nil {
			f.errors[name] = what + " must be a whole number."
			return nil
		}
		return &n
	}
	checked := func(name string) bool { return v.Get(name) != "" }

	f.Name, f.Description = str("name"), str("description")

	f.RouteSelectionExpression, f.APIKeySelectionExpression, f.StageName =
		str("routeSelectionExpression"), str("apiKeySelectionExpression"), str("stageName")
	for name := range v {
		rest, isRoute := strings.CutPrefix(name, "route.")
		id, isKey := strings.CutSuffix(rest, ".key")
		if !isRoute || !isKey || id == "" {
			continue
		}
		if f.Routes == nil {
			f.Routes = map[string]routeFields{}
		}
		prefix := "route." + id + "."
		f.Routes[id] = routeFields{Key: *str(prefix + "key"), TwoWay: checked(prefix + "twoWay"),
			APIKeyRequired: checked(prefix + "apiKeyRequired"), Authorized: checked(prefix + "authorized")}
	}
	if _, sent := v["authorizerForm"]; sent {
		f.Authorizer = &authorizerFields{On: checked("authorizer"), Name: str("authorizer.name")}
		if s := str("authorizer.identitySources"); s != nil {
			f.Authorizer.IdentitySources = lines(*s)
			if f.Authorizer.IdentitySources == nil {
				f.Authorizer.IdentitySources = []string{}
			}
		}
	}

	f.Runtime, f.Handler, f.CodePath, f.LogDeletionPolicy = str("runtime"), str("handler"), str("codePath"), str("logDeletionPolicy")
	f.MemorySize, f.Timeout, f.LogRetentionDays = num("memorySize", "Memory"), num("timeout", "Timeout"), num("logRetentionDays", "Log retention")
	if _, sent := v["envForm"]; sent {
		f.Env = &envFields{Names: v["env.name"], Values: v["env.value"], Was: v["env.was"]}
	}

	f.PartitionKeyName, f.PartitionKeyType = str("partitionKey.name"), str("partitionKey.type")
	if name := str("sortKey.name"); name != nil {
		f.SortKey = &model.Key{Name: *name}
		if t := str("sortKey.type"); t != nil && *t != "" {
			f.SortKey.Type = model.AttributeType(*t)
		} else {
			f.SortKey.Type = model.AttributeString
		}
	}
	f.BillingMode = str("billingMode")
	f.ReadCapacity, f.WriteCapacity = num("readCapacity", "Read capacity"), num("writeCapacity", "Write capacity")
	f.TTLAttribute, f.DeletionPolicy = str("ttlAttribute"), str("deletionPolicy")
	return nil
}

// sent copies a sent value over a field.
func sent[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// setNonEmpty copies a sent value over a field unless it is empty: a select
// left on no choice keeps the field's value.
func setNonEmpty[T ~string](dst *T, v *string) {
	if v != nil && *v != "" {
		*dst = T(*v)
	}
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
