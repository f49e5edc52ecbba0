// Package cfn is the one CloudFormation document type of Switchboard: an
// ordered tree of values with where each was written, read from YAML or
// JSON and written back as either, with the intrinsic functions in their
// short YAML form (!Ref X) or their long JSON form ({"Ref": "X"}). The
// export builds templates in it and the importer reads them into it.
//
// Key order matters: a template's sections, resources and attributes read
// best in CloudFormation's conventional order, which encoding/json's sorted
// maps cannot keep, and an import keeps the order the author wrote.
package cfn

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Kind is the JSON kind of a value.
type Kind uint8

// The kinds of value.
const (
	Null Kind = iota
	String
	Number
	Bool
	Map
	List
)

func (k Kind) String() string {
	switch k {
	case Map:
		return "map"
	case List:
		return "list"
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "boolean"
	}
	return "null"
}

// Value is one node of a document.
//
// An intrinsic function is a map of one key, the function's long name (Ref,
// Fn::GetAtt), whose value is the argument, as CloudFormation's JSON writes
// it; so a reader of the tree sees one shape whatever the source. Intrinsic
// marks such a map where it is meant as a function, so YAML writes it in the
// short form; a map that only looks like one, such as environment variables
// of which one is named Ref, stays a map.
type Value struct {
	Kind Kind
	// Intrinsic marks a map of one key that is a call of a function YAML
	// writes with a tag (hasShortForm).
	Intrinsic bool
	// Pos is where the value was read, zero for a value built in code. It
	// sits beside Kind, in what would be padding: a large template has
	// hundreds of thousands of values.
	Pos Pos
	// Text is a string's value, a number's JSON literal, or "true"/"false".
	Text string
	// Keys are a map's keys; Items are its values in the same order, or a
	// list's items.
	Keys  []string
	Items []*Value
	// index maps keys to their place, once a map of many keys has been
	// searched: looking up each key of a wide map in turn would otherwise
	// take the square of its size.
	index map[string]int
}

// Str returns a string value.
func Str(s string) *Value { return &Value{Kind: String, Text: s} }

// Int returns a number value.
func Int(n int) *Value { return &Value{Kind: Number, Text: strconv.Itoa(n)} }

// Boolean returns a boolean value.
func Boolean(b bool) *Value { return &Value{Kind: Bool, Text: strconv.FormatBool(b)} }

// NullValue returns null.
func NullValue() *Value { return &Value{Kind: Null} }

// ListOf returns a list of the items.
func ListOf(items ...*Value) *Value { return &Value{Kind: List, Items: items} }

// Strings returns a list of strings.
func Strings(ss ...string) *Value {
	l := &Value{Kind: List, Items: make([]*Value, len(ss))}
	for i, s := range ss {
		l.Items[i] = Str(s)
	}
	return l
}

// MapOf builds a map from key, value pairs: MapOf("Key", k, "Value", v).
func MapOf(kv ...any) *Value {
	m := &Value{Kind: Map}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1].(*Value))
	}
	return m
}

// Fn returns a call of an intrinsic function by its long name, marked
// Intrinsic when YAML has a short form for it.
func Fn(name string, arg *Value) *Value {
	return &Value{Kind: Map, Intrinsic: hasShortForm(name), Keys: []string{name}, Items: []*Value{arg}}
}

// Ref returns a Ref to a resource or parameter.
func Ref(name string) *Value { return Fn("Ref", Str(name)) }

// GetAtt returns a GetAtt of a resource's attribute.
func GetAtt(resource, attribute string) *Value {
	return Fn("Fn::GetAtt", Strings(resource, attribute))
}

// Sub returns a Sub of a string with ${…} references.
func Sub(s string) *Value { return Fn("Fn::Sub", Str(s)) }

// Join returns a Join of the items with a separator.
func Join(sep string, items ...*Value) *Value {
	return Fn("Fn::Join", ListOf(Str(sep), ListOf(items...)))
}

// Get returns the map entry, or nil for a missing key or a value that is not
// a map.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Map {
		return nil
	}
	if i := v.Find(key); i >= 0 {
		return v.Items[i]
	}
	return nil
}

// Path follows map keys.
func (v *Value) Path(keys ...string) *Value {
	for _, k := range keys {
		v = v.Get(k)
	}
	return v
}

// indexFrom is how many keys a map holds before it is indexed.
const indexFrom = 16

// Find returns where key is in a map's keys, or -1.
func (v *Value) Find(key string) int {
	if len(v.Keys) < indexFrom {
		return slices.Index(v.Keys, key)
	}
	if len(v.index) != len(v.Keys) {
		// Not built yet, or shared with a copy that has added keys.
		v.index = make(map[string]int, len(v.Keys))
		for i, k := range v.Keys {
			if _, dup := v.index[k]; !dup {
				v.index[k] = i
			}
		}
	}
	if i, ok := v.index[key]; ok {
		return i
	}
	return -1
}

// Set replaces a key's value or adds the key.
func (v *Value) Set(key string, val *Value) {
	if i := v.Find(key); i >= 0 {
		v.Items[i] = val
		return
	}
	v.Add(key, val)
}

// Add appends a key the map does not hold.
func (v *Value) Add(key string, val *Value) {
	v.Keys = append(v.Keys, key)
	v.Items = append(v.Items, val)
	if v.index != nil {
		v.index[key] = len(v.Keys) - 1
	}
}

// Delete removes a key from a map, if it is there.
func (v *Value) Delete(key string) {
	if v == nil || v.Kind != Map {
		return
	}
	if i := v.Find(key); i >= 0 {
		v.Keys = slices.Delete(v.Keys, i, i+1)
		v.Items = slices.Delete(v.Items, i, i+1)
		v.index = nil
	}
}

// Reorder puts the keys named in order first, in that order; the others
// follow in the order they had.
func (v *Value) Reorder(order []string) {
	if v == nil || v.Kind != Map {
		return
	}
	index := make(map[string]int, len(v.Keys))
	for i, k := range v.Keys {
		index[k] = i
	}
	keys := make([]string, 0, len(v.Keys))
	items := make([]*Value, 0, len(v.Items))
	taken := make([]bool, len(v.Keys))
	for _, k := range order {
		if i, ok := index[k]; ok && !taken[i] {
			keys, items = append(keys, k), append(items, v.Items[i])
			taken[i] = true
		}
	}
	for i, k := range v.Keys {
		if !taken[i] {
			keys, items = append(keys, k), append(items, v.Items[i])
		}
	}
	v.Keys, v.Items, v.index = keys, items, nil
}

// SortKeys sorts a map's keys, keeping each value with its key.
func (v *Value) SortKeys() {
	order := slices.Clone(v.Keys)
	slices.Sort(order)
	v.Reorder(order)
}

// Clone returns a copy of a map or list that can take new keys or items
// without changing v; the values inside are shared.
func (v *Value) Clone() *Value {
	c := *v
	c.Keys, c.Items, c.index = slices.Clone(v.Keys), slices.Clone(v.Items), nil
	return &c
}

// Str returns a string's value.
func (v *Value) Str() (string, bool) {
	if v == nil || v.Kind != String {
		return "", false
	}
	return v.Text, true
}

// ScalarString returns a string, number or boolean as text, as
// CloudFormation reads a scalar where it wants a string.
func (v *Value) ScalarString() (string, bool) {
	if v == nil || v.Kind == Null || v.Kind == Map || v.Kind == List {
		return "", false
	}
	return v.Text, true
}

// Int returns a whole number written as a number or a numeric string.
func (v *Value) Int() (int, bool) {
	s, ok := v.ScalarString()
	if !ok || v.Kind == Bool {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return 0, false
	}
	return int(f), true
}

// Bool returns a boolean written as one or as "true"/"false".
func (v *Value) Bool() (bool, bool) {
	s, ok := v.ScalarString()
	if !ok {
		return false, false
	}
	b, err := strconv.ParseBool(s)
	return b, err == nil && (s == "true" || s == "false")
}

// Call returns the function name and argument of a map of one key that is
// Ref, Condition or Fn::…, the long form of an intrinsic function.
func (v *Value) Call() (string, *Value) {
	if v == nil || v.Kind != Map || len(v.Keys) != 1 {
		return "", nil
	}
	k := v.Keys[0]
	if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
		return k, v.Items[0]
	}
	return "", nil
}

// RefTo returns X for {"Ref": "X"}.
func (v *Value) RefTo() string {
	if fn, arg := v.Call(); fn == "Ref" {
		s, _ := arg.Str()
		return s
	}
	return ""
}

// GetAttOf returns X and Y for {"Fn::GetAtt": ["X", "Y"]} (and "X.Y").
func (v *Value) GetAttOf() (string, string) {
	fn, arg := v.Call()
	if fn != "Fn::GetAtt" {
		return "", ""
	}
	if s, ok := arg.Str(); ok {
		id, att, _ := strings.Cut(s, ".")
		return id, att
	}
	if arg.Kind == List && len(arg.Items) == 2 {
		id, _ := arg.Items[0].Str()
		att, _ := arg.Items[1].Str()
		return id, att
	}
	return "", ""
}

// Equal reports whether two values mean the same: maps regardless of key
// order, numbers by value.
func Equal(a, b *Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case Null:
		return true
	case Number:
		x, err1 := strconv.ParseFloat(a.Text, 64)
		y, err2 := strconv.ParseFloat(b.Text, 64)
		return err1 == nil && err2 == nil && x == y || a.Text == b.Text
	case String, Bool:
		return a.Text == b.Text
	case List:
		if len(a.Items) != len(b.Items) {
			return false
		}
		for i := range a.Items {
			if !Equal(a.Items[i], b.Items[i]) {
				return false
			}
		}
		return true
	default:
		if len(a.Keys) != len(b.Keys) {
			return false
		}
		for i, k := range a.Keys {
			if !Equal(a.Items[i], b.Get(k)) {
				return false
			}
		}
		return true
	}
}

// Walk calls fn for v and every value inside it, depth first.
func (v *Value) Walk(fn func(*Value)) {
	if v == nil {
		return
	}
	fn(v)
	for _, c := range v.Items {
		c.Walk(fn)
	}
}

// MarshalJSON writes the value as CloudFormation JSON, so a tree can sit
// inside anything encoding/json marshals.
func (v *Value) MarshalJSON() ([]byte, error) { return WriteJSON(v, 0), nil }
