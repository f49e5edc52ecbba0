package export

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/awslabs/goformation/v7/cloudformation"

	"github.com/switchboard-dev/switchboard/internal/cfn"
)

// The encoder turns goformation's typed resources straight into the ordered
// tree the writers print, the way encoding/json would marshal them but
// without the JSON in between. goformation stays the schema: property names,
// types and omitempty rules come from its structs.
//
// Intrinsic functions are cfn values, never strings: goformation types most
// properties as strings and would carry a function as an encoded string, so
// a property that holds one is set on the tree instead (propertyFn), at a
// path the encoder checks against the goformation type. Fields goformation
// types as any (policy documents, output values) hold the *cfn.Value itself.

// propertyFn sets the property at path (below Properties) to an intrinsic
// function.
type propertyFn struct {
	path []string
	fn   *cfn.Value
}

// at puts fn at the property path of the resource it is added with.
func at(fn *cfn.Value, path ...string) propertyFn { return propertyFn{path, fn} }

// ref returns a Ref to a resource or parameter.
func (b *builder) ref(name string) *cfn.Value { return b.intrinsic("Ref", b.str(name)) }

// getAtt returns a GetAtt of a resource's attribute.
func (b *builder) getAtt(resource, attribute string) *cfn.Value {
	args := b.node(cfn.List, "")
	args.Items = append(b.itemRoom(2), b.str(resource), b.str(attribute))
	return b.intrinsic("Fn::GetAtt", args)
}

// sub returns a Sub of a string with ${…} references.
func (b *builder) sub(s string) *cfn.Value { return b.intrinsic("Fn::Sub", b.str(s)) }

func (b *builder) intrinsic(name string, arg *cfn.Value) *cfn.Value {
	n := b.node(cfn.Map, "")
	n.Intrinsic = true
	n.Keys, n.Items = append(b.keyRoom(1), name), append(b.itemRoom(1), arg)
	b.size += len(arg.Text) + 16
	return n
}

// node returns a new node. A large template has hundreds of thousands, so
// they come from slabs rather than one allocation each; the slabs start
// small, since the importer builds many small templates.
func (b *builder) node(kind cfn.Kind, text string) *cfn.Value {
	if len(b.slab) == 0 {
		b.slabSize = min(max(64, 2*b.slabSize), 1024)
		b.slab = make([]cfn.Value, b.slabSize)
	}
	n := &b.slab[0]
	b.slab = b.slab[1:]
	n.Kind, n.Text = kind, text
	return n
}

func (b *builder) str(s string) *cfn.Value { return b.node(cfn.String, s) }

// object returns an object node with room for size keys, taken from slabs
// like the nodes themselves.
func (b *builder) object(size int) *cfn.Value {
	n := b.node(cfn.Map, "")
	n.Keys, n.Items = b.keyRoom(size), b.itemRoom(size)
	return n
}

// keyRoom and itemRoom return empty slices with room for size elements. The
// capacity is capped, so an append beyond it copies rather than overwriting
// the next object's room.
func (b *builder) keyRoom(size int) []string {
	if size > len(b.keySlab) {
		b.keySlabSize = min(max(256, 2*b.keySlabSize), 4096)
		b.keySlab = make([]string, max(b.keySlabSize, size))
	}
	room := b.keySlab[:0:size]
	b.keySlab = b.keySlab[size:]
	return room
}

func (b *builder) itemRoom(size int) []*cfn.Value {
	if size > len(b.itemSlab) {
		b.itemSlabSize = min(max(256, 2*b.itemSlabSize), 4096)
		b.itemSlab = make([]*cfn.Value, max(b.itemSlabSize, size))
	}
	room := b.itemSlab[:0:size]
	b.itemSlab = b.itemSlab[size:]
	return room
}

// resourceNode encodes a goformation resource as CloudFormation writes one:
// Type, then the attributes and Properties in resourceOrder, with fns set
// in Properties.
func (b *builder) resourceNode(r cloudformation.Resource, fns []propertyFn) (*cfn.Value, error) {
	v := reflect.ValueOf(r)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("resource %T is not a struct", r)
	}
	plan := planOf(v.Type())
	// Room for the functions too, which mostly add a key.
	props := b.object(countSet(v, plan) + len(fns))
	// The attributes set, at most a handful: a small array rather than a
	// map, which was an allocation per resource.
	type attribute struct {
		rank int
		key  string
		n    *cfn.Value
	}
	var attrBuf [8]attribute
	attrs := attrBuf[:0]
	for _, f := range plan {
		fv := v.Field(f.index)
		if f.attribute != "" {
			if !isEmpty(fv) {
				n, err := b.valueNode(fv)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", f.attribute, err)
				}
				attrs = append(attrs, attribute{f.rank, f.attribute, n})
			}
			continue
		}
		if f.omitEmpty && isEmpty(fv) {
			continue
		}
		n, err := b.valueNode(fv)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		props.Keys = append(props.Keys, f.name)
		props.Items = append(props.Items, n)
		b.size += len(f.name) + 4
	}
	for _, fn := range fns {
		if err := b.setFn(props, v.Type(), fn.path, fn.fn); err != nil {
			return nil, fmt.Errorf("%s: %w", strings.Join(fn.path, "."), err)
		}
	}
	attrs = append(attrs,
		attribute{slices.Index(resourceOrder, "Type"), "Type", b.str(r.AWSCloudFormationType())},
		attribute{slices.Index(resourceOrder, "Properties"), "Properties", props})
	// Attributes in resourceOrder, then the rare others (UpdatePolicy,
	// CreationPolicy) by name; planOf ranks them so.
	slices.SortFunc(attrs, func(x, y attribute) int { return x.rank - y.rank })
	res := b.object(len(attrs))
	for _, a := range attrs {
		res.Keys = append(res.Keys, a.key)
		res.Items = append(res.Items, a.n)
	}
	b.size += 48
	return res, nil
}

// valueNode encodes a value as encoding/json would, keeping struct fields in
// their declared order (goformation declares them alphabetically) and
// sorting map keys.
func (b *builder) valueNode(v reflect.Value) (*cfn.Value, error) {
	if v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface && v.Type().Implements(marshalerType) {
		return b.marshalled(v)
	}
	if v.Type() == valueType {
		if fn := v.Interface().(*cfn.Value); fn != nil {
			return fn, nil
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return b.node(cfn.Null, ""), nil
		}
		if v.Kind() == reflect.Pointer && v.Type().Implements(marshalerType) {
			return b.marshalled(v)
		}
		return b.valueNode(v.Elem())
	case reflect.String:
		s := v.String()
		b.size += len(s) + 4
		return b.str(s), nil
	case reflect.Bool:
		return b.node(cfn.Bool, strconv.FormatBool(v.Bool())), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return b.node(cfn.Number, strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return b.node(cfn.Number, strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("unsupported number %v", f)
		}
		// encoding/json's formatting, so a number reads the same either way.
		data, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		return b.node(cfn.Number, string(data)), nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return b.node(cfn.Null, ""), nil
		}
		n := b.node(cfn.List, "")
		n.Items = b.itemRoom(v.Len())[:v.Len()]
		for i := range v.Len() {
			item, err := b.valueNode(v.Index(i))
			if err != nil {
				return nil, err
			}
			n.Items[i] = item
		}
		return n, nil
	case reflect.Map:
		if v.IsNil() {
			return b.node(cfn.Null, ""), nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("unsupported map key type %s", v.Type().Key())
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		n := b.node(cfn.Map, "")
		n.Keys, n.Items = b.keyRoom(len(keys))[:len(keys)], b.itemRoom(len(keys))[:len(keys)]
		for i, k := range keys {
			item, err := b.valueNode(v.MapIndex(k))
			if err != nil {
				return nil, err
			}
			n.Keys[i] = k.String()
			n.Items[i] = item
			b.size += k.Len() + 4
		}
		return n, nil
	case reflect.Struct:
		plan := planOf(v.Type())
		n := b.object(countSet(v, plan))
		for _, f := range plan {
			if f.attribute != "" {
				continue
			}
			fv := v.Field(f.index)
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			item, err := b.valueNode(fv)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.name, err)
			}
			n.Keys = append(n.Keys, f.name)
			n.Items = append(n.Items, item)
			b.size += len(f.name) + 4
		}
		return n, nil
	}
	return nil, fmt.Errorf("unsupported type %s", v.Type())
}

var (
	marshalerType = reflect.TypeFor[json.Marshaler]()
	valueType     = reflect.TypeFor[*cfn.Value]()
)

// setFn sets the property at path in n, an encoded value of type t, to fn.
// The path must name what goformation types as a string or any: the
// functions the export writes all yield strings (a Ref, an ARN, a URL).
// Keys it adds take their place in the encoder's order: a struct's fields
// as declared, a map's keys sorted.
func (b *builder) setFn(n *cfn.Value, t reflect.Type, path []string, fn *cfn.Value) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	key := path[0]
	if t.Kind() == reflect.Slice {
		return b.setItem(n, t.Elem(), path, fn)
	}
	var rank func(string) int
	var elem reflect.Type
	switch t.Kind() {
	case reflect.Struct:
		plan := planOf(t)
		i := slices.IndexFunc(plan, func(f field) bool { return f.attribute == "" && f.name == key })
		if i < 0 {
			return fmt.Errorf("%s has no property %s", t, key)
		}
		elem = t.Field(plan[i].index).Type
		rank = func(k string) int {
			return slices.IndexFunc(plan, func(f field) bool { return f.attribute == "" && f.name == k })
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("%s has no string keys", t)
		}
		elem = t.Elem()
	case reflect.Slice:
		// A list item (Layers, ApiStages): key is its index, the next
		// one or one already there.
		return b.setItem(n, t.Elem(), path, fn)
	default:
		return fmt.Errorf("%s holds no %s", t, key)
	}
	child := n.Get(key)
	if len(path) == 1 {
		if k := underPointers(elem).Kind(); k != reflect.String && k != reflect.Interface {
			return fmt.Errorf("%s is a %s, not a string", key, elem)
		}
		child = fn
	} else {
		if want := containerKind(elem); child == nil || child.Kind != want {
			child = b.node(want, "")
		}
		if err := b.setFn(child, elem, path[1:], fn); err != nil {
			return err
		}
	}
	insertOrdered(n, key, child, rank)
	b.size += len(key) + 4
	return nil
}

// containerKind is the node a property of type t is: a list for a slice,
// else a map.
func containerKind(t reflect.Type) cfn.Kind {
	if underPointers(t).Kind() == reflect.Slice {
		return cfn.List
	}
	return cfn.Map
}

// setItem sets item path[0] of the list node n, whose items are of type
// elem, or what path[1:] names inside it.
func (b *builder) setItem(n *cfn.Value, elem reflect.Type, path []string, fn *cfn.Value) error {
	i, err := strconv.Atoi(path[0])
	if err != nil || i < 0 || i > len(n.Items) {
		return fmt.Errorf("list item %q is not one of the %d items or the next", path[0], len(n.Items))
	}
	var child *cfn.Value
	if i < len(n.Items) {
		child = n.Items[i]
	}
	if len(path) == 1 {
		if k := underPointers(elem).Kind(); k != reflect.String && k != reflect.Interface {
			return fmt.Errorf("item %d is a %s, not a string", i, elem)
		}
		child = fn
	} else {
		if want := containerKind(elem); child == nil || child.Kind != want {
			child = b.node(want, "")
		}
		if err := b.setFn(child, elem, path[1:], fn); err != nil {
			return err
		}
	}
	if i == len(n.Items) {
		n.Items = append(n.Items, child)
	} else {
		n.Items[i] = child
	}
	b.size += 4
	return nil
}

func underPointers(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// insertOrdered sets key in the map node n, replacing its value or adding
// it before the first key that sorts after it: by rank when given (a
// struct's declared order), else by name.
func insertOrdered(n *cfn.Value, key string, item *cfn.Value, rank func(string) int) {
	if i := slices.Index(n.Keys, key); i >= 0 {
		n.Items[i] = item
		return
	}
	after := func(k string) bool { return strings.Compare(k, key) > 0 }
	if rank != nil {
		r := rank(key)
		after = func(k string) bool { return rank(k) > r }
	}
	i := slices.IndexFunc(n.Keys, after)
	if i < 0 {
		i = len(n.Keys)
	}
	n.Keys = slices.Insert(n.Keys, i, key)
	n.Items = slices.Insert(n.Items, i, item)
}

// marshalled encodes a value with its own MarshalJSON, for the rare
// property type that has one.
func (b *builder) marshalled(v reflect.Value) (*cfn.Value, error) {
	data, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, err
	}
	b.size += len(data)
	return cfn.ParseJSON(data)
}

// field is how one struct field is encoded.
type field struct {
	index     int
	name      string
	omitEmpty bool
	// attribute is the resource attribute an AWSCloudFormation… field
	// holds (DependsOn, DeletionPolicy…); such fields are not properties.
	attribute string
	// rank orders attributes: their place in resourceOrder, or after all
	// of those by name.
	rank int
}

var plans sync.Map // reflect.Type → []field

// planOf returns how a struct type's fields are encoded, worked out once per
// type from its json tags.
func planOf(t reflect.Type) []field {
	if p, ok := plans.Load(t); ok {
		return p.([]field)
	}
	var fields []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if attr, ok := strings.CutPrefix(sf.Name, "AWSCloudFormation"); ok && sf.Tag.Get("json") == "-" {
			fields = append(fields, field{index: i, attribute: attr, rank: slices.Index(resourceOrder, attr)})
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		fields = append(fields, field{index: i, name: name, omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty")})
	}
	var unlisted []string
	for _, f := range fields {
		if f.attribute != "" && f.rank < 0 {
			unlisted = append(unlisted, f.attribute)
		}
	}
	slices.Sort(unlisted)
	for i := range fields {
		if fields[i].attribute != "" && fields[i].rank < 0 {
			fields[i].rank = len(resourceOrder) + slices.Index(unlisted, fields[i].attribute)
		}
	}
	p, _ := plans.LoadOrStore(t, fields)
	return p.([]field)
}

// countSet returns how many of a struct's fields are written.
func countSet(v reflect.Value, plan []field) int {
	n := 0
	for _, f := range plan {
		if f.attribute == "" && (!f.omitEmpty || !isEmpty(v.Field(f.index))) {
			n++
		}
	}
	return n
}

// isEmpty is encoding/json's test for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
