package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// seg is one step of a path: a field name, or an index when field is "".
type seg struct {
	field string
	index int
}

// parsePath reads the JSONPath subset reference paths use: $, $.a.b,
// $.a[0], $['a b'].
func parsePath(p string) ([]seg, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("path %q must start with $", p)
	}
	rest := p[1:]
	var out []seg
	for rest != "" {
		switch {
		case rest[0] == '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			name := rest[:end]
			if name == "" || strings.ContainsAny(name, "*@?()") {
				return nil, fmt.Errorf("path %q is not a reference path a local run can follow", p)
			}
			out = append(out, seg{field: name})
			rest = rest[end:]
		case strings.HasPrefix(rest, "['"):
			end := strings.Index(rest, "']")
			if end < 0 {
				return nil, fmt.Errorf("path %q has an unclosed ['", p)
			}
			out = append(out, seg{field: rest[2:end]})
			rest = rest[end+2:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q has an unclosed [", p)
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("path %q: only array indexes are followed locally, not %s", p, rest[:end+1])
			}
			out = append(out, seg{index: n})
			rest = rest[end+1:]
		default:
			return nil, fmt.Errorf("path %q is not a reference path", p)
		}
	}
	return out, nil
}

// parseRef reads a path that may be the context object's ($$.…).
func parseRef(p string) (segs []seg, context bool, err error) {
	if strings.HasPrefix(p, "$$") {
		segs, err = parsePath(p[1:])
		return segs, true, err
	}
	segs, err = parsePath(p)
	return segs, false, err
}

var errNoPath = errors.New("no such path")

// get follows a path in a value.
func get(v any, p string) (any, error) {
	segs, err := parsePath(p)
	if err != nil {
		return nil, err
	}
	return follow(v, segs, p)
}

func follow(v any, segs []seg, p string) (any, error) {
	for _, s := range segs {
		switch t := v.(type) {
		case map[string]any:
			x, ok := t[s.field]
			if !ok || s.field == "" {
				return nil, fmt.Errorf("%w: %s", errNoPath, p)
			}
			v = x
		case []any:
			if s.field != "" || s.index >= len(t) {
				return nil, fmt.Errorf("%w: %s", errNoPath, p)
			}
			v = t[s.index]
		default:
			return nil, fmt.Errorf("%w: %s", errNoPath, p)
		}
	}
	return v, nil
}

// set returns v with the value at path p replaced by x, making objects on
// the way, as ResultPath does.
func set(v any, p string, x any) (any, error) {
	segs, err := parsePath(p)
	if err != nil {
		return nil, err
	}
	if len(segs) == 0 {
		return x, nil
	}
	root, ok := clone(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("ResultPath %s cannot be set on input that is not an object", p)
	}
	cur := root
	for i, s := range segs {
		if s.field == "" {
			return nil, fmt.Errorf("ResultPath %s may name fields only", p)
		}
		if i == len(segs)-1 {
			cur[s.field] = x
			break
		}
		next, ok := cur[s.field].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[s.field] = next
		}
		cur = next
	}
	return root, nil
}

func clone(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// fill evaluates a payload template (Parameters, ResultSelector): keys
// ending in .$ take the value at their path, in the input or the context.
func fill(tmpl, input, ctxObj any) (any, error) {
	switch t := tmpl.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if strings.HasSuffix(k, ".$") {
				p, _ := x.(string)
				v, err := evalRef(p, input, ctxObj)
				if err != nil {
					return nil, err
				}
				out[strings.TrimSuffix(k, ".$")] = v
				continue
			}
			v, err := fill(x, input, ctxObj)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			v, err := fill(x, input, ctxObj)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return tmpl, nil
}

func evalRef(p string, input, ctxObj any) (any, error) {
	if strings.HasPrefix(p, "States.") {
		return intrinsic(p, input, ctxObj)
	}
	segs, isCtx, err := parseRef(p)
	if err != nil {
		return nil, err
	}
	if isCtx {
		return follow(ctxObj, segs, p)
	}
	return follow(input, segs, p)
}
