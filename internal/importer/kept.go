package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
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

// generated is what the export writes for one part of a model object,
// taken from export.Resources, so the import keeps only what differs, and
// how the source is compared with it.
type generated struct {
	// id is the logical ID the export generates for the part when no
	// source logical ID is kept.
	id string
	// res is the resource the export writes, with the kept logical IDs of
	// other resources already in it; nil when it writes none.
	res *cfn.Value
	// idsOnly keeps only the logical ID, before there is anything to
	// compare with.
	idsOnly bool
	// consumed names properties the model says in its own way, such as an
	// integration URI written as Fn::Join that the wire now holds: they are
	// not kept even though the export writes them differently.
	consumed map[string]bool
	// compare overrides how one property or attribute is compared, such as
	// IAM documents whose lists are sets.
	compare map[string]func(src, gen *cfn.Value) bool
	// ownWords names consumed properties whose source spelling the caller
	// keeps in its own way (a function's Environment, variable by variable).
	ownWords map[string]bool
}

// part returns what the export wrote for the part of the object; id is the
// logical ID the model generates for it.
func (im *importer) part(object, part, id string) *generated {
	return &generated{id: id, res: im.gen.Resource(object, part), idsOnly: im.idsOnly, consumed: map[string]bool{}}
}

func (g *generated) consume(keys ...string) *generated {
	for _, k := range keys {
		g.consumed[k] = true
	}
	return g
}

// inOwnWords marks consumed properties the caller writes back as the source
// spelt them itself.
func (g *generated) inOwnWords(keys ...string) *generated {
	if g.ownWords == nil {
		g.ownWords = map[string]bool{}
	}
	for _, k := range keys {
		g.ownWords[k] = true
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

// same reports whether the source's value of a key says what the export
// writes.
func (g *generated) same(key string, src, gen *cfn.Value) bool {
	if gen == nil {
		return false
	}
	if cmp := g.compare[key]; cmp != nil {
		return cmp(src, gen)
	}
	return sameValue(src, gen)
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
	if g.idsOnly {
		if k.LogicalID == "" {
			return list
		}
		return append(list, k)
	}
	// A value the model holds, or says the same as the source in other
	// words, is written as the source spelt it while the model still
	// generates it (model.Kept.AsWritten); another is kept.
	asWritten := func(key string, src, gen *cfn.Value) {
		switch {
		case gen == nil:
			k.AsWritten = append(k.AsWritten, model.Rewrite{Key: key, Source: src.JSON()})
		case !cfn.Equal(src, gen):
			k.AsWritten = append(k.AsWritten, model.Rewrite{Key: key, Generated: gen.JSON(), Source: src.JSON()})
		}
	}
	for _, key := range r.attrs() {
		src, gen := r.v.Get(key), g.res.Get(key)
		if !g.same(key, src, gen) {
			k.Attributes = append(k.Attributes, model.Field{Key: key, Value: src.JSON()})
			continue
		}
		asWritten(key, src, gen)
	}
	props := g.res.Get("Properties")
	for i, key := range r.props.Keys {
		src, gen := r.props.Items[i], props.Get(key)
		if !g.consumed[key] && !g.same(key, src, gen) {
			k.Properties = append(k.Properties, model.Field{Key: model.PropertyPath(key), Value: src.JSON()})
			continue
		}
		if !g.ownWords[key] {
			asWritten(model.PropertyPath("Properties", key), src, gen)
		}
	}
	k.AsWritten = append(k.AsWritten, unsaid(r, g)...)
	sortFields(k.Attributes)
	sortFields(k.Properties)
	sortRewrites(k.AsWritten)
	if k.LogicalID == "" && len(k.Attributes) == 0 && len(k.Properties) == 0 && len(k.AsWritten) == 0 {
		return list
	}
	return append(list, k)
}

// unsaid lists what the export generates for the part that the source does
// not say at all: the export leaves it out (model.Kept.AsWritten with no
// source value), so an imported resource keeps AWS's defaults where its
// source was silent, not Switchboard's.
func unsaid(r *resource, g *generated) []model.Rewrite {
	if g.res == nil {
		return nil
	}
	var out []model.Rewrite
	for i, key := range g.res.Keys {
		if key == "Type" || key == "Properties" || r.v.Get(key) != nil {
			continue
		}
		out = append(out, model.Rewrite{Key: key, Generated: g.res.Items[i].JSON()})
	}
	props := g.res.Get("Properties")
	for i, key := range props.Keys {
		if g.ownWords[key] || r.props.Get(key) != nil {
			continue
		}
		out = append(out, model.Rewrite{Key: model.PropertyPath("Properties", key), Generated: props.Items[i].JSON()})
	}
	return out
}

func sortRewrites(rs []model.Rewrite) {
	slices.SortFunc(rs, func(a, b model.Rewrite) int { return strings.Compare(a.Key, b.Key) })
}

// absent appends to list that the source has no resource for a part the
// export generates (a log group, an invoke permission, a stage), so the
// export writes none (model.Kept.Absent).
func (im *importer) absent(list []model.Kept, object, part string) []model.Kept {
	if im.idsOnly {
		return list
	}
	gen := im.gen.Resource(object, part)
	if gen == nil {
		return list
	}
	return append(list, model.Kept{Part: part, Absent: gen.JSON()})
}

// keepAll works out, once the stack's objects and wires are known, what
// each keeps: it compares each source resource with what export.Resources
// writes for the object's part. Kept logical IDs come first, as the export
// writes references with them. A few kept properties change what the
// export writes (export.Shapes: a kept Role means no generated role, a kept
// StageName names the stage in URLs), so when the comparison keeps other
// ones of those than it started from, it runs again.
func (im *importer) keepAll() error {
	im.gen, im.idsOnly = &export.Generated{}, true
	err := im.keepEach()
	im.idsOnly = false
	if err != nil {
		return err
	}
	im.seedShaping()
	for range 3 {
		before := im.shaping()
		gen, err := export.Resources(im.stack)
		if err != nil {
			return fmt.Errorf("%s: %w", im.file, err)
		}
		im.gen = gen
		if err := im.keepEach(); err != nil {
			return err
		}
		if slices.Equal(before, im.shaping()) {
			break
		}
	}
	return nil
}

// seedShaping keeps, before the first comparison, the properties that
// change what the export writes where the source plainly says something
// else than the model: a function's Role that is not its own role's ARN, a
// stage name the model does not hold, a stage's DeploymentId. Most often
// the comparison then agrees and the export runs once; where it does not,
// keepAll runs it again.
func (im *importer) seedShaping() {
	seed := func(kept *[]model.Kept, part string, r *resource, key string) {
		v := r.props.Get(key)
		if v == nil {
			return
		}
		i := slices.IndexFunc(*kept, func(k model.Kept) bool { return k.Part == part })
		if i < 0 {
			*kept = append(*kept, model.Kept{Part: part})
			i = len(*kept) - 1
		}
		(*kept)[i].Properties = append((*kept)[i].Properties, model.Field{Key: model.PropertyPath(key), Value: v.JSON()})
	}
	for _, f := range im.stack.Functions {
		src := im.fnSrc[im.srcID[f.ID]]
		if src.role == nil || src.roleRef != src.role.id {
			seed(&f.Kept, model.PartMain, src.r, "Role")
		}
	}
	for _, a := range im.stack.APIs {
		src := im.apiSrc[a.ID]
		if src.stage == nil {
			continue
		}
		if name, ok := src.stage.props.Get("StageName").Str(); !ok || name != a.StageName {
			seed(&a.Kept, model.PartStage, src.stage, "StageName")
		}
		seed(&a.Kept, model.PartStage, src.stage, "DeploymentId")
	}
}

// shaping lists the kept properties that change what the export writes.
func (im *importer) shaping() []string {
	var out []string
	im.eachKept(func(kept *[]model.Kept) {
		for _, k := range *kept {
			if len(k.Granted) > 0 {
				// What a function's role already grants decides
				// which of its wires the export grants apart.
				out = append(out, "granted "+strings.Join(k.Granted, ","))
			}
			for _, f := range k.Properties {
				if export.Shapes(k.Part, f.Key) {
					out = append(out, k.Part+" "+f.Key+" "+string(f.Value))
				}
			}
		}
	})
	return out
}

// keepEach compares each object's sources with im.gen.
func (im *importer) keepEach() error {
	for _, t := range im.stack.Tables {
		t.Kept = keep(nil, model.PartMain, im.res[im.srcID[t.ID]], im.part(t.ID, model.PartMain, t.Name))
	}
	for _, a := range im.stack.APIs {
		im.keepAPI(a, im.apiSrc[a.ID])
	}
	im.keepServices()
	im.keepEvents()
	im.keepLayers()
	im.keepUsagePlans()
	im.keepDomains()
	if err := im.keepFunctions(); err != nil {
		return err
	}
	im.keepOutputs()
	return nil
}

// keepOutputs records, on each object's main part, the outputs the export
// generates for it that the source did not have, so the export leaves them
// out (model.Kept.OmittedOutputs).
func (im *importer) keepOutputs() {
	if im.idsOnly {
		return
	}
	omit := func(kept *[]model.Kept, names ...string) {
		var fields []model.Field
		for _, name := range names {
			if gen := im.gen.Output(name); gen != nil && im.outputs.Get(name) == nil {
				fields = append(fields, model.Field{Key: name, Value: gen.JSON()})
			}
		}
		if len(fields) == 0 {
			return
		}
		main := model.KeptPart(*kept, model.PartMain)
		if main == nil {
			*kept = append([]model.Kept{{Part: model.PartMain}}, *kept...)
			main = &(*kept)[0]
		}
		main.OmittedOutputs = fields
	}
	for _, a := range im.stack.APIs {
		omit(&a.Kept, a.URLOutputName(), a.CallbackURLOutputName())
	}
	for _, f := range im.stack.Functions {
		omit(&f.Kept, f.ArnOutputName())
	}
	for _, t := range im.stack.Tables {
		omit(&t.Kept, t.NameOutputName())
	}
	for _, q := range im.stack.Queues {
		omit(&q.Kept, q.URLOutputName())
	}
	for _, t := range im.stack.Topics {
		omit(&t.Kept, t.ArnOutputName())
	}
	for _, m := range im.stack.StateMachines {
		omit(&m.Kept, m.ArnOutputName())
	}
	im.omitEventOutputs(omit)
	for _, l := range im.stack.Layers {
		omit(&l.Kept, l.ArnOutputName())
	}
	for _, p := range im.stack.UsagePlans {
		for _, k := range p.Keys {
			omit(&k.Kept, k.IDOutputName())
		}
	}
	for _, d := range im.stack.Domains {
		omit(&d.Kept, d.URLOutputName())
	}
}

// eachKept calls fn with each object's Kept.
func (im *importer) eachKept(fn func(*[]model.Kept)) {
	im.stack.EachKept(func(_ string, kept *[]model.Kept) { fn(kept) })
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
