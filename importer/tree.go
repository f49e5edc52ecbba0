package importer

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
)

// kind is the JSON kind of a template value.
type kind uint8

const (
	kindNull kind = iota
	kindString
	kindNumber
	kindBool
	kindMap
	kindList
)

// value is one node of a parsed template, YAML or JSON, with where it was
// written. Short intrinsic forms are already in their long form (!Ref X is a
// map {"Ref": "X"}), so the importer reads one shape whatever the source.
type value struct {
	kind kind
	// text is a string's value, a number's JSON literal, or "true"/"false".
	text  string
	keys  []string
	vals  []*value // map values, in the order of keys
	items []*value // list items
	pos   pos
	// index maps keys to their place, once a map of many keys has been
	// searched: looking up each key of a wide map in turn would otherwise
	// take the square of its size. Keys are only added, through add.
	index map[string]int
}

// pos is a place in the source, 1-based.
type pos struct{ line, col int }

func (p pos) String() string {
	if p.line == 0 {
		return ""
	}
	return "line " + strconv.Itoa(p.line) + ", column " + strconv.Itoa(p.col)
}

func strValue(s string) *value         { return &value{kind: kindString, text: s} }
func numValue(n int) *value            { return &value{kind: kindNumber, text: strconv.Itoa(n)} }
func boolValue(b bool) *value          { return &value{kind: kindBool, text: strconv.FormatBool(b)} }
func listValue(items ...*value) *value { return &value{kind: kindList, items: items} }
func refValue(id string) *value        { return mapValue("Ref", strValue(id)) }
func subValue(s string) *value         { return mapValue("Fn::Sub", strValue(s)) }
func getAttValue(id, att string) *value {
	return mapValue("Fn::GetAtt", listValue(strValue(id), strValue(att)))
}

// mapValue builds a map from key, value pairs.
func mapValue(kv ...any) *value {
	m := &value{kind: kindMap}
	for i := 0; i+1 < len(kv); i += 2 {
		m.set(kv[i].(string), kv[i+1].(*value))
	}
	return m
}

func strList(ss ...string) *value {
	l := &value{kind: kindList}
	for _, s := range ss {
		l.items = append(l.items, strValue(s))
	}
	return l
}

// get returns the map entry, or nil for a missing key or a value that is not
// a map.
func (v *value) get(key string) *value {
	if v == nil || v.kind != kindMap {
		return nil
	}
	if i := v.find(key); i >= 0 {
		return v.vals[i]
	}
	return nil
}

// indexFrom is how many keys a map holds before it is indexed.
const indexFrom = 16

// find returns where key is in a map's keys, or -1.
func (v *value) find(key string) int {
	if len(v.keys) < indexFrom {
		return slices.Index(v.keys, key)
	}
	if len(v.index) != len(v.keys) {
		// Not built yet, or shared with a copy that has added keys.
		v.index = make(map[string]int, len(v.keys))
		for i, k := range v.keys {
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

// path follows map keys.
func (v *value) path(keys ...string) *value {
	for _, k := range keys {
		v = v.get(k)
	}
	return v
}

// set replaces a key's value or adds the key.
func (v *value) set(key string, val *value) {
	if i := v.find(key); i >= 0 {
		v.vals[i] = val
		return
	}
	v.add(key, val)
}

// add appends a key the map does not hold.
func (v *value) add(key string, val *value) {
	v.keys = append(v.keys, key)
	v.vals = append(v.vals, val)
	if v.index != nil {
		v.index[key] = len(v.keys) - 1
	}
}

// str returns a string's value.
func (v *value) str() (string, bool) {
	if v == nil || v.kind != kindString {
		return "", false
	}
	return v.text, true
}

// scalarString returns a string, number or boolean as text, as
// CloudFormation reads a scalar where it wants a string.
func (v *value) scalarString() (string, bool) {
	if v == nil || v.kind == kindNull || v.kind == kindMap || v.kind == kindList {
		return "", false
	}
	return v.text, true
}

// int returns a whole number written as a number or a numeric string.
func (v *value) int() (int, bool) {
	s, ok := v.scalarString()
	if !ok || v.kind == kindBool {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return 0, false
	}
	return int(f), true
}

// bool returns a boolean written as one or as "true"/"false".
func (v *value) bool() (bool, bool) {
	s, ok := v.scalarString()
	if !ok {
		return false, false
	}
	b, err := strconv.ParseBool(s)
	return b, err == nil && (s == "true" || s == "false")
}

// intrinsic returns the function name and argument of a one-key map whose
// key is Ref, Condition or Fn::…, the long form of an intrinsic function.
func (v *value) intrinsic() (string, *value) {
	if v == nil || v.kind != kindMap || len(v.keys) != 1 {
		return "", nil
	}
	k := v.keys[0]
	if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
		return k, v.vals[0]
	}
	return "", nil
}

// refTo returns X for {"Ref": "X"}.
func (v *value) refTo() string {
	if fn, arg := v.intrinsic(); fn == "Ref" {
		s, _ := arg.str()
		return s
	}
	return ""
}

// getAtt returns X and Y for {"Fn::GetAtt": ["X", "Y"]} (and "X.Y").
func (v *value) getAtt() (string, string) {
	fn, arg := v.intrinsic()
	if fn != "Fn::GetAtt" {
		return "", ""
	}
	if s, ok := arg.str(); ok {
		id, att, _ := strings.Cut(s, ".")
		return id, att
	}
	if arg.kind == kindList && len(arg.items) == 2 {
		id, _ := arg.items[0].str()
		att, _ := arg.items[1].str()
		return id, att
	}
	return "", ""
}

// json returns the value as compact JSON in source key order, strings
// escaped as encoding/json escapes them so the bytes survive a marshal of
// the stack unchanged.
func (v *value) json() json.RawMessage {
	var b bytes.Buffer
	v.writeJSON(&b)
	return b.Bytes()
}

func (v *value) writeJSON(b *bytes.Buffer) {
	if v == nil {
		b.WriteString("null")
		return
	}
	switch v.kind {
	case kindNull:
		b.WriteString("null")
	case kindString:
		writeJSONString(b, v.text)
	case kindNumber, kindBool:
		b.WriteString(v.text)
	case kindList:
		b.WriteByte('[')
		for i, it := range v.items {
			if i > 0 {
				b.WriteByte(',')
			}
			it.writeJSON(b)
		}
		b.WriteByte(']')
	case kindMap:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			v.vals[i].writeJSON(b)
		}
		b.WriteByte('}')
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	data, _ := json.Marshal(s) // a string always marshals
	b.Write(data)
}

// equal reports whether two values mean the same: maps regardless of key
// order, numbers by value.
func equal(a, b *value) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case kindNull:
		return true
	case kindNumber:
		x, err1 := strconv.ParseFloat(a.text, 64)
		y, err2 := strconv.ParseFloat(b.text, 64)
		return err1 == nil && err2 == nil && x == y || a.text == b.text
	case kindString, kindBool:
		return a.text == b.text
	case kindList:
		if len(a.items) != len(b.items) {
			return false
		}
		for i := range a.items {
			if !equal(a.items[i], b.items[i]) {
				return false
			}
		}
		return true
	default:
		if len(a.keys) != len(b.keys) {
			return false
		}
		for i, k := range a.keys {
			if !equal(a.vals[i], b.get(k)) {
				return false
			}
		}
		return true
	}
}

// walk calls fn for v and every value inside it, depth first.
func (v *value) walk(fn func(*value)) {
	if v == nil {
		return
	}
	fn(v)
	for _, c := range v.vals {
		c.walk(fn)
	}
	for _, c := range v.items {
		c.walk(fn)
	}
}
