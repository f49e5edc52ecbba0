package model

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// A generic node is an Other: any CloudFormation resource type, added from
// the palette's picker or kept by an import, its resource edited as
// written. Switchboard models none of its properties, so what ties it to
// the rest of the stack is what it references and what references it:
// Ref, Fn::GetAtt and Fn::Sub, drawn as read-only reference wires.

// WireReference names a reference wire: derived from a resource's Ref,
// Fn::GetAtt or Fn::Sub, never stored, changed by editing the resource.
const WireReference WireKind = "reference"

// AddOther adds a generic node of a CloudFormation type at pos, named
// after the type's last part (AWS::Kinesis::Stream → Stream, Stream2…),
// with no properties, and returns its ID.
func (s *Stack) AddOther(typ string, pos Position) (string, error) {
	if !validResourceType(typ) {
		return "", Errorf(EINVALID, "%q is not a CloudFormation resource type, like AWS::Kinesis::Stream.", typ)
	}
	base := typ[strings.LastIndex(typ, ":")+1:]
	base = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, base)
	if base == "" || base[0] >= '0' && base[0] <= '9' {
		base = "Resource" + base
	}
	resource, err := json.Marshal(struct {
		Type       string
		Properties struct{}
	}{Type: typ})
	if err != nil {
		return "", err
	}
	o := &Other{Node: Node{ID: s.NewID("res"), Name: s.NewName(base), Position: pos}, Type: typ, Resource: resource}
	s.Others = append(s.Others, o)
	return o.ID, nil
}

// Reference is one node's resource referring to another's: From's
// CloudFormation names To's resource in a Ref (Attribute ""), a Fn::GetAtt
// (Attribute "Arn") or a Fn::Sub ("${To}", "${To.Arn}").
type Reference struct {
	From, To  string
	Function  string // "Ref", "GetAtt" or "Sub"
	Attribute string
}

// ID names the reference on the canvas: one per ends, function and
// attribute.
func (r Reference) ID() string {
	return "ref-" + r.From + "-" + r.To + "-" + r.Function + strings.ReplaceAll(r.Attribute, ".", "-")
}

// Label says what is referenced: "Ref", "GetAtt Arn", "Sub StreamArn".
func (r Reference) Label() string {
	if r.Attribute == "" {
		return r.Function
	}
	return r.Function + " " + r.Attribute
}

// References lists the references between a generic node and another
// node, either way, in stack order: what each generic resource refers to,
// and what the resources an import kept with other nodes refer to among
// the generic ones. A stack without generic nodes has none, cheaply.
func (s *Stack) References() []Reference {
	if len(s.Others) == 0 {
		return nil
	}
	byLogicalID := s.nodesByLogicalID()
	others := make(map[string]bool, len(s.Others))
	for _, o := range s.Others {
		others[o.ID] = true
	}
	var out []Reference
	seen := map[Reference]bool{}
	add := func(from string, onlyOthers bool) func(id, fn, att string) {
		return func(id, fn, att string) {
			to, ok := byLogicalID[id]
			if !ok || to == from || onlyOthers && !others[to] {
				return
			}
			r := Reference{From: from, To: to, Function: fn, Attribute: att}
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	// What an import kept with the modelled nodes is read only where it
	// may name a generic node: an imported stack keeps thousands of values.
	names := make([][]byte, len(s.Others))
	for i, o := range s.Others {
		names[i] = []byte(o.Name)
	}
	s.EachKept(func(id string, keptList *[]Kept) {
		kept := *keptList
		fn := add(id, true)
		scan := func(raw json.RawMessage) {
			if slices.ContainsFunc(names, func(name []byte) bool { return bytes.Contains(raw, name) }) {
				eachReference(raw, fn)
			}
		}
		for _, k := range kept {
			for _, f := range k.Attributes {
				scan(f.Value)
			}
			for _, f := range k.Properties {
				scan(f.Value)
			}
			for _, r := range k.AsWritten {
				scan(r.Source)
			}
		}
	})
	for _, o := range s.Others {
		eachReference(o.Resource, add(o.ID, false))
	}
	return out
}

// nodesByLogicalID maps the logical IDs of the resources nodes become to
// the nodes: each node's own, and the role and stage most often named.
func (s *Stack) nodesByLogicalID() map[string]string {
	out := map[string]string{}
	for _, n := range s.Nodes() {
		out[n.Name] = n.ID
	}
	// An imported node may keep its source's logical ID.
	s.EachKept(func(id string, kept *[]Kept) {
		if k := KeptPart(*kept, PartMain); k != nil && k.LogicalID != "" {
			out[k.LogicalID] = id
		}
	})
	for _, a := range s.APIs {
		out[KeptLogicalID(a.Kept, PartStage, a.StageLogicalID())] = a.ID
	}
	for _, f := range s.Functions {
		out[KeptLogicalID(f.Kept, PartRole, f.RoleLogicalID())] = f.ID
	}
	for _, m := range s.StateMachines {
		out[KeptLogicalID(m.Kept, PartRole, m.RoleLogicalID())] = m.ID
	}
	return out
}

// subName matches a ${Name} or ${Name.Attribute} in a Fn::Sub string; ${!…}
// is a literal and does not match.
var subName = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}`)

// eachReference calls fn with the logical ID, function and attribute of
// every Ref, Fn::GetAtt and Fn::Sub variable in a JSON value (intrinsics in
// their long form, as kept values are).
func eachReference(raw json.RawMessage, fn func(id, function, attribute string)) {
	if len(raw) == 0 {
		return
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return
	}
	walkReferences(v, fn)
}

func walkReferences(v any, fn func(id, function, attribute string)) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			switch arg := v["Ref"].(type) {
			case string:
				fn(arg, "Ref", "")
				return
			}
			if arg, ok := v["Fn::GetAtt"]; ok {
				switch arg := arg.(type) {
				case string:
					id, att, _ := strings.Cut(arg, ".")
					fn(id, "GetAtt", att)
				case []any:
					if len(arg) == 2 {
						id, _ := arg[0].(string)
						att, _ := arg[1].(string)
						fn(id, "GetAtt", att)
					}
				}
				return
			}
			if arg, ok := v["Fn::Sub"]; ok {
				text, vars := arg, map[string]any(nil)
				if list, ok := arg.([]any); ok && len(list) == 2 {
					text = list[0]
					vars, _ = list[1].(map[string]any)
					walkReferences(list[1], fn)
				}
				if t, ok := text.(string); ok {
					for _, m := range subName.FindAllStringSubmatch(t, -1) {
						if _, local := vars[m[1]]; !local {
							fn(m[1], "Sub", m[2])
						}
					}
				}
				return
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			walkReferences(v[k], fn)
		}
	case []any:
		for _, item := range v {
			walkReferences(item, fn)
		}
	}
}
