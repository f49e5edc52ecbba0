package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Conflict is one field that two edits of a stack, both based on the same
// revision, changed to different values: what the base had, what was saved
// since (Theirs) and what this edit proposes (Mine). A missing value (the
// resource was deleted on that side) is JSON null.
type Conflict struct {
	// Path addresses the field in the stack document as a JSON pointer in
	// which list items are named by their ID (or name, or key) rather than
	// their position: /functions/fn1/memorySize. SetPath takes it back.
	Path string `json:"path"`
	// Resource is the ID of the node or wire the field belongs to, "" for
	// the stack's own fields.
	Resource string `json:"resource,omitempty"`
	// Field is the path below the resource, for a person: "memorySize",
	// "position".
	Field              string `json:"field"`
	Base, Theirs, Mine json.RawMessage
}

// MergeConflictError refuses an edit based on an older revision that
// changes what was changed since. Its code is ECONFLICT.
type MergeConflictError struct {
	// Revision is the head the conflicts are with.
	Revision  int64
	Conflicts []Conflict
}

func (e *MergeConflictError) Error() string {
	paths := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		paths[i] = c.Path
	}
	return fmt.Sprintf("the edit changes what was changed since: %s", strings.Join(paths, ", "))
}

// Unwrap makes a MergeConflictError an ECONFLICT (ErrorCode).
func (e *MergeConflictError) Unwrap() error {
	return Errorf(ECONFLICT, "This change conflicts with one saved since: pick which value to keep.")
}

// Merge is the three-way merge of stack documents: base is the revision both
// edits started from, theirs what was saved since, mine the edit being
// saved. Field by field, a side that left a value as the base had it takes
// the other side's; when both changed one field to different values, it is
// a Conflict and the field keeps theirs. Lists of things with IDs (nodes,
// routes, wires; parameters by name, kept fields by key) merge item by item,
// so adding, deleting or editing different items never conflicts; deleting
// an item the other side edited does. New items mine adds under an ID
// theirs also added are renumbered, with the references to them.
//
// The result has ID, Revision and UpdatedAt of theirs. It is not validated:
// two edits that each keep the stack valid can together break it (a wire to
// a node the other side deleted), which the store's validation reports.
func Merge(base, theirs, mine *Stack) (*Stack, []Conflict, error) {
	docs := make([][]byte, 3)
	for i, s := range []*Stack{base, theirs, mine} {
		b, err := json.Marshal(s)
		if err != nil {
			return nil, nil, fmt.Errorf("merge: %w", err)
		}
		docs[i] = b
	}
	mineDoc, err := renumberAdded(base, theirs, mine, docs[2])
	if err != nil {
		return nil, nil, fmt.Errorf("merge: %w", err)
	}
	m := &merger{}
	out, err := m.merge(nil, "", docs[0], docs[1], mineDoc)
	if err != nil {
		return nil, nil, fmt.Errorf("merge: %w", err)
	}
	merged := &Stack{}
	if err := json.Unmarshal(out, merged); err != nil {
		return nil, nil, fmt.Errorf("merge: %w", err)
	}
	merged.ID, merged.Revision, merged.UpdatedAt = theirs.ID, theirs.Revision, theirs.UpdatedAt
	return merged, m.conflicts, nil
}

type merger struct{ conflicts []Conflict }

// atomicFields are members merged as one value.
var atomicFields = map[string]bool{"position": true}

// merge merges one value. path is where it is; resource the ID of the
// innermost item with an ID it is in. A nil value is a missing one.
func (m *merger) merge(path []string, resource string, b, t, n []byte) ([]byte, error) {
	switch {
	case same(t, n):
		return t, nil
	case same(n, b):
		return t, nil
	case same(t, b):
		return n, nil
	}
	// Both sides changed the value differently: look inside, if both still
	// have it and it has parts. A position is one value: a node goes where
	// one side put it, never to the x of one and the y of the other.
	atomic := len(path) > 0 && atomicFields[path[len(path)-1]]
	if !atomic && isObject(t) && isObject(n) && (b == nil || isObject(b)) {
		return m.mergeObject(path, resource, b, t, n)
	}
	if !atomic && (isList(t) || isList(n)) {
		if key, lists := listKey(b, t, n); key != "" {
			return m.mergeList(path, resource, key, lists[0].byKey(key), lists[1].byKey(key), lists[2].byKey(key))
		}
	}
	c := Conflict{Path: pointer(path), Resource: resource, Base: orNull(b), Theirs: orNull(t), Mine: orNull(n)}
	c.Field = fieldBelow(path, resource)
	m.conflicts = append(m.conflicts, c)
	return t, nil
}

func (m *merger) mergeObject(path []string, resource string, b, t, n []byte) ([]byte, error) {
	bo, err := decodeObject(b)
	if err != nil {
		return nil, err
	}
	to, err := decodeObject(t)
	if err != nil {
		return nil, err
	}
	no, err := decodeObject(n)
	if err != nil {
		return nil, err
	}
	// Keys in theirs' order, then the ones only mine has.
	keys := append([]string{}, to.keys...)
	for _, k := range no.keys {
		if _, ok := to.values[k]; !ok {
			keys = append(keys, k)
		}
	}
	if id, ok := stringField(to.values["id"]); ok {
		resource = id
	}
	var out bytes.Buffer
	out.WriteByte('{')
	first := true
	for _, k := range keys {
		v, err := m.merge(append(path, k), resource, bo.values[k], to.values[k], no.values[k])
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		if !first {
			out.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		out.Write(kb)
		out.WriteByte(':')
		out.Write(v)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

func (m *merger) mergeList(path []string, resource, key string, bl, tl, nl object) ([]byte, error) {
	order := append([]string{}, tl.keys...)
	for _, k := range nl.keys {
		if _, ok := tl.values[k]; !ok {
			if _, wasThere := bl.values[k]; !wasThere {
				order = append(order, k)
			}
		}
	}
	// Items theirs deleted that mine still has (and may have edited) come
	// back into the merge, to conflict or go.
	for _, k := range bl.keys {
		if _, ok := tl.values[k]; !ok {
			if _, ok := nl.values[k]; ok {
				order = append(order, k)
			}
		}
	}
	var out bytes.Buffer
	out.WriteByte('[')
	first := true
	for _, k := range order {
		item := resource
		if key == "id" {
			item = k
		}
		v, err := m.merge(append(path, k), item, bl.values[k], tl.values[k], nl.values[k])
		if err != nil {
			return nil, err
		}
		if v == nil || bytes.Equal(v, []byte("null")) {
			continue
		}
		if !first {
			out.WriteByte(',')
		}
		first = false
		out.Write(v)
	}
	out.WriteByte(']')
	return out.Bytes(), nil
}

// same reports whether two values are the same, a missing one included.
// Documents come from json.Marshal, which writes equal values alike.
func same(a, b []byte) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return bytes.Equal(a, b)
}

func isObject(v []byte) bool { return len(v) > 0 && v[0] == '{' }

func isList(v []byte) bool { return len(v) > 0 && v[0] == '[' }

func orNull(v []byte) json.RawMessage {
	if v == nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(v)
}

// pointer writes a path as a JSON pointer (RFC 6901 escapes).
func pointer(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// fieldBelow is the part of path after the resource's ID.
func fieldBelow(path []string, resource string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == resource && resource != "" {
			return strings.Join(path[i+1:], ".")
		}
	}
	return strings.Join(path, ".")
}

type object struct {
	keys   []string
	values map[string][]byte
}

// decodeObject reads an object's members in their order, each as written.
func decodeObject(v []byte) (object, error) {
	o := object{values: map[string][]byte{}}
	if v == nil {
		return o, nil
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	if _, err := dec.Token(); err != nil {
		return o, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return o, err
		}
		k, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return o, err
		}
		o.keys = append(o.keys, k)
		o.values[k] = value
	}
	return o, nil
}

// listKeys are the members a list's items are told apart by, in order of
// preference.
var listKeys = []string{"id", "name", "key"}

// listItem is what a list item is told apart by: one decode reads them all.
type listItem struct {
	ID   *string `json:"id"`
	Name *string `json:"name"`
	Key  *string `json:"key"`
}

func (it listItem) by(key string) *string {
	switch key {
	case "id":
		return it.ID
	case "name":
		return it.Name
	}
	return it.Key
}

// keyedList is a list as read by listKey: each item as written and what
// tells it apart.
type keyedList struct {
	raw   []json.RawMessage
	items []listItem
}

// listKey returns the member every item of the lists (missing ones aside)
// has as a distinct string, or "" when they are not such lists, with the
// lists as read.
func listKey(lists ...[]byte) (string, []keyedList) {
	read := make([]keyedList, len(lists))
	for i, l := range lists {
		if l == nil {
			continue
		}
		if l[0] != '[' || json.Unmarshal(l, &read[i].raw) != nil {
			return "", nil
		}
		read[i].items = make([]listItem, len(read[i].raw))
		for j, it := range read[i].raw {
			if !isObject(it) || json.Unmarshal(it, &read[i].items[j]) != nil {
				return "", nil
			}
		}
	}
	for _, key := range listKeys {
		ok := true
		for _, l := range read {
			seen := map[string]bool{}
			for _, it := range l.items {
				k := it.by(key)
				if k == nil || seen[*k] {
					ok = false
					break
				}
				seen[*k] = true
			}
			if !ok {
				break
			}
		}
		if ok {
			return key, read
		}
	}
	return "", nil
}

// byKey is a list read by listKey, its items named by key.
func (l keyedList) byKey(key string) object {
	o := object{values: map[string][]byte{}}
	for i, it := range l.items {
		k := *it.by(key)
		o.keys = append(o.keys, k)
		o.values[k] = l.raw[i]
	}
	return o
}

func stringField(v json.RawMessage) (string, bool) {
	if len(v) == 0 || v[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", false
	}
	return s, true
}

// renumberAdded gives the items mine added under an ID theirs also added
// (both sides picked the next free number) a new ID, and the references to
// them in mine (wire ends, routes' functions) the same.
func renumberAdded(base, theirs, mine *Stack, mineDoc []byte) ([]byte, error) {
	b, t, n := idsOf(base), idsOf(theirs), idsOf(mine)
	renames := map[string]string{}
	for id := range n {
		if !b[id] && t[id] {
			renames[id] = freeID(id, t, n)
		}
	}
	if len(renames) == 0 {
		return mineDoc, nil
	}
	var doc any
	if err := json.Unmarshal(mineDoc, &doc); err != nil {
		return nil, err
	}
	doc = replaceRefs(doc, "", renames)
	return json.Marshal(doc)
}

// refKeys are the members whose string values are IDs of the stack's
// things.
var refKeys = map[string]bool{"id": true, "from": true, "to": true}

func idsOf(s *Stack) map[string]bool {
	ids := map[string]bool{}
	s.eachID(func(id string) { ids[id] = true })
	return ids
}

func replaceRefs(v any, key string, renames map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			x[k] = replaceRefs(x[k], k, renames)
		}
		return x
	case []any:
		for i := range x {
			x[i] = replaceRefs(x[i], key, renames)
		}
		return x
	case string:
		if to, ok := renames[x]; ok && refKeys[key] {
			return to
		}
		return x
	}
	return v
}

// freeID is id with the smallest suffix that neither side uses.
func freeID(id string, taken ...map[string]bool) string {
	for i := 2; ; i++ {
		c := fmt.Sprintf("%s-%d", id, i)
		free := true
		for _, t := range taken {
			if t[c] {
				free = false
			}
		}
		if free {
			return c
		}
	}
}

// SetPath sets the field at a Conflict's Path in the stack to value (JSON),
// as the "keep mine" of a conflict does; a null value for a whole list item
// deletes it.
func (s *Stack) SetPath(path string, value json.RawMessage) error {
	if !strings.HasPrefix(path, "/") {
		return Errorf(EINVALID, "%q is not a field of the stack.", path)
	}
	var segs []string
	for _, p := range strings.Split(path[1:], "/") {
		segs = append(segs, strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~"))
	}
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	var root any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return err
	}
	var v any
	vd := json.NewDecoder(bytes.NewReader(value))
	vd.UseNumber()
	if err := vd.Decode(&v); err != nil {
		return Errorf(EINVALID, "The value for %s is not JSON.", path)
	}
	root, err = setIn(root, segs, v)
	if err != nil {
		return Errorf(EINVALID, "%s: %v", path, err)
	}
	out, err := json.Marshal(root)
	if err != nil {
		return err
	}
	next := &Stack{}
	if err := json.Unmarshal(out, next); err != nil {
		return Errorf(EINVALID, "%s cannot be %s.", path, value)
	}
	id, rev, at := s.ID, s.Revision, s.UpdatedAt
	*s = *next
	s.ID, s.Revision, s.UpdatedAt = id, rev, at
	return nil
}

func setIn(v any, segs []string, value any) (any, error) {
	if len(segs) == 0 {
		return value, nil
	}
	seg := segs[0]
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			x = map[string]any{}
		}
		child, err := setIn(x[seg], segs[1:], value)
		if err != nil {
			return nil, err
		}
		if child == nil {
			delete(x, seg)
		} else {
			x[seg] = child
		}
		return x, nil
	case []any:
		for i, it := range x {
			o, ok := it.(map[string]any)
			if !ok {
				continue
			}
			for _, key := range listKeys {
				if s, ok := o[key].(string); ok && s == seg {
					child, err := setIn(it, segs[1:], value)
					if err != nil {
						return nil, err
					}
					if child == nil {
						return append(x[:i:i], x[i+1:]...), nil
					}
					x[i] = child
					return x, nil
				}
			}
		}
		if value != nil && len(segs) == 1 {
			// An item theirs deleted that mine keeps comes back.
			return append(x, value), nil
		}
		return nil, fmt.Errorf("no item %q", seg)
	case nil:
		if value == nil {
			return nil, nil
		}
		if o, ok := value.(map[string]any); ok && len(segs) == 1 {
			for _, key := range listKeys {
				if s, ok := o[key].(string); ok && s == seg {
					// The last item of a list theirs emptied comes back.
					return []any{value}, nil
				}
			}
		}
		return setIn(map[string]any{}, segs, value)
	}
	return nil, fmt.Errorf("%q has no fields", seg)
}
