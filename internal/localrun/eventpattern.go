package localrun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
)

// EventBridge's event patterns, matched as EventBridge matches them: every
// field of the pattern must match (nested objects follow the event's
// nesting), a field's array lists the values any of which may match, an
// event array matches when any of its elements does, and $or takes any of
// its patterns. The leaf operators are prefix, suffix, equals-ignore-case,
// wildcard, anything-but (of values, a prefix, a suffix, a case-insensitive
// value or a wildcard), numeric, exists and cidr.
//
// Tim Bray's quamina, the matcher AWS's engineers wrote, would be the
// library for this, but no version of it is served by the module proxy
// this project builds from; this is the subset EventBridge documents.

// eventPattern is a compiled pattern: fields by name, each an object
// (nested pattern) or a list of leaf matchers, and $or alternatives.
type eventPattern struct {
	fields []patternField
	or     []*eventPattern
}

type patternField struct {
	name   string
	nested *eventPattern
	leaves []leafMatcher
}

// leafMatcher matches one value of the event; v is nil for a missing field.
type leafMatcher func(v any, present bool) bool

// compilePattern reads a pattern's JSON, refusing what EventBridge refuses.
func compilePattern(text string) (*eventPattern, error) {
	var raw any
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("the event pattern is not JSON: %w", err)
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the event pattern must be a JSON object")
	}
	return compileObject(obj, "")
}

func compileObject(obj map[string]any, path string) (*eventPattern, error) {
	if len(obj) == 0 {
		if path == "" {
			return nil, fmt.Errorf("the event pattern is empty; EventBridge allows no empty object")
		}
		return nil, fmt.Errorf("%s: EventBridge allows no empty object", path)
	}
	p := &eventPattern{}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := obj[k]
		at := strings.TrimPrefix(path+"."+k, ".")
		if k == "$or" {
			alts, ok := v.([]any)
			if !ok || len(alts) < 2 {
				return nil, fmt.Errorf("%s: $or takes a list of at least two patterns", at)
			}
			for i, a := range alts {
				o, ok := a.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s[%d]: an alternative of $or must be an object", at, i)
				}
				c, err := compileObject(o, path)
				if err != nil {
					return nil, err
				}
				p.or = append(p.or, c)
			}
			continue
		}
		switch t := v.(type) {
		case map[string]any:
			nested, err := compileObject(t, at)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, patternField{name: k, nested: nested})
		case []any:
			if len(t) == 0 {
				return nil, fmt.Errorf("%s: an empty list matches nothing; EventBridge refuses it", at)
			}
			f := patternField{name: k}
			for _, item := range t {
				m, err := compileLeaf(item)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", at, err)
				}
				f.leaves = append(f.leaves, m)
			}
			p.fields = append(p.fields, f)
		default:
			return nil, fmt.Errorf("%s: a value in a pattern must be in a list, such as [%s]", at, jsonText(v))
		}
	}
	return p, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// match says whether the event (decoded with UseNumber) matches.
func (p *eventPattern) match(event map[string]any) bool {
	for _, f := range p.fields {
		v, present := event[f.name]
		if f.nested != nil {
			if arr, ok := v.([]any); ok {
				// An array of objects matches when one of them does.
				if !slices.ContainsFunc(arr, func(x any) bool {
					o, ok := x.(map[string]any)
					return ok && f.nested.match(o)
				}) {
					return false
				}
				continue
			}
			obj, ok := v.(map[string]any)
			if !ok {
				// A missing object matches only a pattern all of whose
				// leaves ask that their field not exist.
				if present || !f.nested.match(map[string]any{}) {
					return false
				}
				continue
			}
			if !f.nested.match(obj) {
				return false
			}
			continue
		}
		if !leavesMatch(f.leaves, v, present) {
			return false
		}
	}
	if len(p.or) == 0 {
		return true
	}
	for _, o := range p.or {
		if o.match(event) {
			return true
		}
	}
	return false
}

// leavesMatch: any leaf matches the value, or, for an array in the event,
// any of its elements.
func leavesMatch(leaves []leafMatcher, v any, present bool) bool {
	if _, isObject := v.(map[string]any); isObject {
		// Patterns match leaves; an object is none, as if absent.
		v, present = nil, false
	}
	values := []any{v}
	if arr, ok := v.([]any); ok && present {
		values = arr
	}
	for _, m := range leaves {
		for _, x := range values {
			if m(x, present) {
				return true
			}
		}
	}
	return false
}

// compileLeaf reads one item of a field's list: a value or an operator.
func compileLeaf(item any) (leafMatcher, error) {
	switch t := item.(type) {
	case string, json.Number, bool, nil:
		return exactly(t), nil
	case map[string]any:
		if len(t) != 1 {
			return nil, fmt.Errorf("an operator is an object of one key, not %s", jsonText(t))
		}
		for op, arg := range t {
			return compileOperator(op, arg)
		}
	}
	return nil, fmt.Errorf("%s cannot be matched", jsonText(item))
}

// exactly matches a value: a string exactly, a number by its value, true,
// false and null as themselves.
func exactly(want any) leafMatcher {
	return func(v any, present bool) bool { return present && sameValue(want, v) }
}

func sameValue(a, b any) bool {
	an, aNum := a.(json.Number)
	bn, bNum := b.(json.Number)
	if aNum || bNum {
		if !aNum || !bNum {
			return false
		}
		x, err1 := an.Float64()
		y, err2 := bn.Float64()
		return err1 == nil && err2 == nil && x == y
	}
	return a == b
}

func compileOperator(op string, arg any) (leafMatcher, error) {
	switch op {
	case "prefix", "suffix":
		test, err := affix(op, arg)
		if err != nil {
			return nil, err
		}
		return func(v any, present bool) bool {
			s, ok := v.(string)
			return present && ok && test(s)
		}, nil
	case "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("equals-ignore-case takes a string")
		}
		return func(v any, present bool) bool {
			x, ok := v.(string)
			return present && ok && strings.EqualFold(x, s)
		}, nil
	case "wildcard":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("wildcard takes a string")
		}
		return func(v any, present bool) bool {
			x, ok := v.(string)
			return present && ok && wildcardMatch(s, x)
		}, nil
	case "exists":
		want, ok := arg.(bool)
		if !ok {
			return nil, fmt.Errorf("exists takes true or false")
		}
		return func(_ any, present bool) bool { return present == want }, nil
	case "numeric":
		return compileNumeric(arg)
	case "cidr":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("cidr takes a string such as \"10.0.0.0/24\"")
		}
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("cidr %q: %w", s, err)
		}
		return func(v any, present bool) bool {
			x, ok := v.(string)
			if !present || !ok {
				return false
			}
			addr, err := netip.ParseAddr(x)
			return err == nil && prefix.Contains(addr)
		}, nil
	case "anything-but":
		return compileAnythingBut(arg)
	}
	return nil, fmt.Errorf("unknown operator %q", op)
}

// affix compiles prefix or suffix of a string, or of {"equals-ignore-case": s}.
func affix(op string, arg any) (func(string) bool, error) {
	fold := false
	s, ok := arg.(string)
	if obj, isObj := arg.(map[string]any); isObj && len(obj) == 1 {
		s, ok = obj["equals-ignore-case"].(string)
		fold = true
	}
	if !ok {
		return nil, fmt.Errorf("%s takes a string", op)
	}
	return func(x string) bool {
		if fold {
			x, s := strings.ToLower(x), strings.ToLower(s)
			if op == "prefix" {
				return strings.HasPrefix(x, s)
			}
			return strings.HasSuffix(x, s)
		}
		if op == "prefix" {
			return strings.HasPrefix(x, s)
		}
		return strings.HasSuffix(x, s)
	}, nil
}

// compileAnythingBut: a value or list of values (all strings or all
// numbers), or a prefix, suffix, equals-ignore-case or wildcard, which
// the field's value must not match. A missing field matches nothing.
func compileAnythingBut(arg any) (leafMatcher, error) {
	var inner func(v any) bool
	switch t := arg.(type) {
	case string, json.Number:
		inner = func(v any) bool { return sameValue(t, v) }
	case []any:
		if len(t) == 0 {
			return nil, fmt.Errorf("anything-but takes a non-empty list")
		}
		for _, x := range t {
			switch x.(type) {
			case string, json.Number:
			default:
				return nil, fmt.Errorf("anything-but lists strings or numbers, not %s", jsonText(x))
			}
		}
		inner = func(v any) bool { return slices.ContainsFunc(t, func(x any) bool { return sameValue(x, v) }) }
	case map[string]any:
		if len(t) != 1 {
			return nil, fmt.Errorf("anything-but takes one operator, not %s", jsonText(t))
		}
		for op, a := range t {
			switch op {
			case "prefix", "suffix":
				test, err := affix(op, a)
				if err != nil {
					return nil, fmt.Errorf("anything-but: %w", err)
				}
				inner = func(v any) bool { s, ok := v.(string); return ok && test(s) }
			case "equals-ignore-case", "wildcard":
				values, err := stringsOf(op, a)
				if err != nil {
					return nil, fmt.Errorf("anything-but: %w", err)
				}
				inner = func(v any) bool {
					s, ok := v.(string)
					return ok && slices.ContainsFunc(values, func(w string) bool {
						if op == "wildcard" {
							return wildcardMatch(w, s)
						}
						return strings.EqualFold(w, s)
					})
				}
			default:
				return nil, fmt.Errorf("anything-but cannot take %q", op)
			}
		}
	default:
		return nil, fmt.Errorf("anything-but cannot take %s", jsonText(arg))
	}
	return func(v any, present bool) bool { return present && !inner(v) }, nil
}

func stringsOf(op string, a any) ([]string, error) {
	if s, ok := a.(string); ok {
		return []string{s}, nil
	}
	list, ok := a.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("%s takes a string or a list of strings", op)
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("%s takes a string or a list of strings", op)
		}
		out = append(out, s)
	}
	return out, nil
}

// compileNumeric reads ["=", 5], [">", 0, "<=", 5] and the like.
func compileNumeric(arg any) (leafMatcher, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
		return nil, fmt.Errorf("numeric takes [op, number] or a range [op, number, op, number]")
	}
	type bound struct {
		op string
		n  float64
	}
	var bounds []bound
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		num, isNum := list[i+1].(json.Number)
		if !ok || !isNum || !slices.Contains([]string{"=", "<", "<=", ">", ">="}, op) {
			return nil, fmt.Errorf("numeric: %s is not an operator (=, <, <=, >, >=) and a number", jsonText(list[i:i+2]))
		}
		n, err := num.Float64()
		if err != nil {
			return nil, fmt.Errorf("numeric: %w", err)
		}
		bounds = append(bounds, bound{op, n})
	}
	if len(bounds) == 2 && (bounds[0].op == "=" || bounds[1].op == "=" || strings.HasPrefix(bounds[0].op, "<") == strings.HasPrefix(bounds[1].op, "<")) {
		return nil, fmt.Errorf("numeric: a range has one lower and one upper bound")
	}
	return func(v any, present bool) bool {
		num, ok := v.(json.Number)
		if !present || !ok {
			return false
		}
		x, err := num.Float64()
		if err != nil || math.IsNaN(x) {
			return false
		}
		for _, b := range bounds {
			var in bool
			switch b.op {
			case "=":
				in = x == b.n
			case "<":
				in = x < b.n
			case "<=":
				in = x <= b.n
			case ">":
				in = x > b.n
			case ">=":
				in = x >= b.n
			}
			if !in {
				return false
			}
		}
		return true
	}, nil
}

// wildcardMatch matches s against a pattern whose * stands for any run of
// characters (\* for a star itself).
func wildcardMatch(pattern, s string) bool {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch {
		case pattern[i] == '\\' && i+1 < len(pattern):
			i++
			cur.WriteByte(pattern[i])
		case pattern[i] == '*':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(pattern[i])
		}
	}
	parts = append(parts, cur.String())
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}

// decodeEvent decodes an event for matching, numbers kept exact.
func decodeEvent(b []byte) (map[string]any, error) {
	var ev map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return ev, d.Decode(&ev)
}
