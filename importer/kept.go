package importer

import (
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/model"
)

// resource is one entry of a template's Resources.
type resource struct {
	id    string
	typ   string
	v     *cfn.Value // the whole resource
	props *cfn.Value // its Properties, an empty map when it has none
	Pos   cfn.Pos    // where it is written
}

// attrs are the resource attributes a resource has besides Type and
// Properties, in source order.
func (r *resource) attrs() []string {
	var out []string
	for _, k := range r.v.Keys {
		if k != "Type" && k != "Properties" {
			out = append(out, k)
		}
	}
	return out
}

// generated is what the export writes for one resource of a model object,
// so the import keeps only what differs.
type generated struct {
	// id is the logical ID the export generates for the resource.
	id string
	// props are the properties the export writes, long-form intrinsics,
	// with the kept logical IDs of other resources already in them.
	props *cfn.Value
	// attrs are the attributes it writes (DeletionPolicy, DependsOn…).
	attrs *cfn.Value
	// consumed names properties the model says in its own way, such as an
	// integration URI written as Fn::Join that the wire now holds: they are
	// not kept even though the export writes them differently.
	consumed map[string]bool
	// compare overrides how one property is compared, such as IAM
	// documents whose lists are sets.
	compare map[string]func(src, gen *cfn.Value) bool
}

func newGenerated(id string) *generated {
	return &generated{id: id, props: &cfn.Value{Kind: cfn.Map}, attrs: &cfn.Value{Kind: cfn.Map}, consumed: map[string]bool{}}
}

func (g *generated) prop(key string, v *cfn.Value) *generated { g.props.Set(key, v); return g }
func (g *generated) attr(key string, v *cfn.Value) *generated { g.attrs.Set(key, v); return g }
func (g *generated) consume(keys ...string) *generated {
	for _, k := range keys {
		g.consumed[k] = true
	}
	return g
}

func (g *generated) compareWith(key string, fn func(src, gen *cfn.Value) bool) *generated {
	if g.compare == nil {
		g.compare = map[string]func(src, gen *cfn.Value) bool{}
	}
	g.compare[key] = fn
	return g
}

// keep appends to list what the source resource says that the export would
// not write, if anything: its logical ID when it differs, and each attribute
// and property whose value differs from the generated one. Fields are
// sorted by key so the same resource written in another key order keeps the
// same.
func keep(list []model.Kept, part string, r *resource, g *generated) []model.Kept {
	k := model.Kept{Part: part}
	if r.id != g.id {
		k.LogicalID = r.id
	}
	for _, key := range r.attrs() {
		src := r.v.Get(key)
		if gen := g.attrs.Get(key); gen != nil && sameValue(src, gen) {
			continue
		}
		k.Attributes = append(k.Attributes, model.Field{Key: key, Value: src.JSON()})
	}
	for i, key := range r.props.Keys {
		src := r.props.Items[i]
		if g.consumed[key] {
			continue
		}
		if gen := g.props.Get(key); gen != nil {
			if cmp := g.compare[key]; cmp != nil && cmp(src, gen) || cmp == nil && sameValue(src, gen) {
				continue
			}
		}
		k.Properties = append(k.Properties, model.Field{Key: key, Value: src.JSON()})
	}
	sortFields(k.Attributes)
	sortFields(k.Properties)
	if k.LogicalID == "" && len(k.Attributes) == 0 && len(k.Properties) == 0 {
		return list
	}
	return append(list, k)
}

func sortFields(fs []model.Field) {
	slices.SortFunc(fs, func(a, b model.Field) int { return strings.Compare(a.Key, b.Key) })
}

// sameValue compares a source value with a generated one: cfn.Equal, or the
// same text once Fn::Sub and Fn::Join are spelt out.
func sameValue(src, gen *cfn.Value) bool {
	if cfn.Equal(src, gen) {
		return true
	}
	a, ok1 := flatten(src)
	b, ok2 := flatten(gen)
	return ok1 && ok2 && a == b && src.Kind != cfn.String && gen.Kind != cfn.String
}

// sortKept puts the parts of an object in the order its kind lists them, so
// the same source keeps the same whatever order its resources came in.
func sortKept(list []model.Kept, order ...string) {
	slices.SortStableFunc(list, func(a, b model.Kept) int {
		return slices.Index(order, a.Part) - slices.Index(order, b.Part)
	})
}
