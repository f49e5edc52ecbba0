package export

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// goformation writes a template through encoding/json, so its keys come out
// sorted and its intrinsic functions come out as base64 strings (Ref,
// GetAtt and Sub encode `{ "Ref": "X" }` so nesting needs no escaping). The
// tree below reads that JSON back in order, turns those strings into
// intrinsic nodes, lets the exporter reorder keys, and writes JSON or YAML.
// goformation's own Template.JSON decodes intrinsics too, but it also
// evaluates any map key named like an intrinsic, so a Lambda environment
// variable called Ref would be resolved away; this decoder only ever looks at
// strings.

type nodeKind uint8

const (
	kindNull nodeKind = iota
	kindBool
	kindNumber
	kindString
	kindObject
	kindArray
	// kindIntrinsic is a CloudFormation function: text holds its long name
	// (Ref, Fn::GetAtt, Fn::Sub) and items[0] its argument.
	kindIntrinsic
)

type node struct {
	kind  nodeKind
	text  string   // string value, number literal, true/false, function name
	keys  []string // object keys, parallel to items
	items []*node  // object values, array items, intrinsic argument
}

// get returns the value of an object's key, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kindObject {
		return nil
	}
	if i := slices.Index(n.keys, key); i >= 0 {
		return n.items[i]
	}
	return nil
}

// set replaces the value of an object's key, or appends the key.
func (n *node) set(key string, v *node) {
	if i := slices.Index(n.keys, key); i >= 0 {
		n.items[i] = v
		return
	}
	n.keys = append(n.keys, key)
	n.items = append(n.items, v)
}

// reorder puts the keys named in order first, in that order; the others
// follow in the order they had.
func (n *node) reorder(order []string) {
	if n == nil || n.kind != kindObject {
		return
	}
	keys := make([]string, 0, len(n.keys))
	items := make([]*node, 0, len(n.items))
	taken := make([]bool, len(n.keys))
	for _, k := range order {
		if i := slices.Index(n.keys, k); i >= 0 && !taken[i] {
			keys, items = append(keys, k), append(items, n.items[i])
			taken[i] = true
		}
	}
	for i, k := range n.keys {
		if !taken[i] {
			keys, items = append(keys, k), append(items, n.items[i])
		}
	}
	n.keys, n.items = keys, items
}

func stringNode(s string) *node { return &node{kind: kindString, text: s} }

// parseTree reads one JSON document, keeping object keys in their order.
func parseTree(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the document")
	}
	return n, nil
}

func parseValue(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &node{kind: kindNull}, nil
	case bool:
		if t {
			return &node{kind: kindBool, text: "true"}, nil
		}
		return &node{kind: kindBool, text: "false"}, nil
	case json.Number:
		return &node{kind: kindNumber, text: t.String()}, nil
	case string:
		if in := decodeIntrinsic(t); in != nil {
			return in, nil
		}
		return stringNode(t), nil
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: kindObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", kt)
				}
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key)
				n.items = append(n.items, v)
			}
			_, err := dec.Token() // }
			return n, err
		case '[':
			n := &node{kind: kindArray}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := dec.Token() // ]
			return n, err
		}
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// decodeIntrinsic returns the intrinsic function goformation encoded in s, or
// nil when s is an ordinary string.
func decodeIntrinsic(s string) *node {
	// goformation encodes `{ "Name": …}`, whose base64 starts with "eyAi";
	// checking that first keeps ordinary strings cheap.
	if len(s) < 8 || len(s)%4 != 0 || !strings.HasPrefix(s, "eyAi") {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	n, err := parseTree(raw)
	if err != nil || n.kind != kindObject || len(n.keys) != 1 {
		return nil
	}
	name := n.keys[0]
	if name != "Ref" && !strings.HasPrefix(name, "Fn::") {
		return nil
	}
	return &node{kind: kindIntrinsic, text: name, items: n.items[:1]}
}

// writeJSON writes the tree as JSON indented by two spaces, intrinsics in
// their long form, with a trailing newline.
func writeJSON(n *node) []byte {
	var b bytes.Buffer
	b.Grow(4096)
	appendJSON(&b, n, 0)
	b.WriteByte('\n')
	return b.Bytes()
}

func appendJSON(b *bytes.Buffer, n *node, depth int) {
	switch n.kind {
	case kindNull:
		b.WriteString("null")
	case kindBool, kindNumber:
		b.WriteString(n.text)
	case kindString:
		appendJSONString(b, n.text)
	case kindIntrinsic:
		arg := n.items[0]
		if n.text == "Fn::GetAtt" && arg.kind == kindString {
			// GetAtt's short form "X.Arn" reads back as a two-item list.
			res, attr, _ := strings.Cut(arg.text, ".")
			arg = &node{kind: kindArray, items: []*node{stringNode(res), stringNode(attr)}}
		}
		appendJSON(b, &node{kind: kindObject, keys: []string{n.text}, items: []*node{arg}}, depth)
	case kindObject, kindArray:
		open, closing := byte('{'), byte('}')
		if n.kind == kindArray {
			open, closing = '[', ']'
		}
		b.WriteByte(open)
		if len(n.items) == 0 {
			b.WriteByte(closing)
			return
		}
		for i, item := range n.items {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
			indent(b, depth+1)
			if n.kind == kindObject {
				appendJSONString(b, n.keys[i])
				b.WriteString(": ")
			}
			appendJSON(b, item, depth+1)
		}
		b.WriteByte('\n')
		indent(b, depth)
		b.WriteByte(closing)
	}
}

func indent(b *bytes.Buffer, depth int) {
	for range depth {
		b.WriteString("  ")
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does, except that it leaves <, >
// and & alone: a template is not HTML, and \u003c would only puzzle readers.
func appendJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 end lines in JavaScript.
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// yamlNode converts the tree to a yaml.v3 node, intrinsics in their short
// form: !Ref X, !GetAtt X.Arn, !Sub "…".
func yamlNode(n *node) *yaml.Node {
	switch n.kind {
	case kindNull:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case kindBool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: n.text}
	case kindNumber:
		tag := "!!int"
		if strings.ContainsAny(n.text, ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: n.text}
	case kindString:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: n.text}
	case kindObject:
		y := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*len(n.keys))}
		for i, k := range n.keys {
			y.Content = append(y.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, yamlNode(n.items[i]))
		}
		return y
	case kindArray:
		y := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, 0, len(n.items))}
		for _, item := range n.items {
			y.Content = append(y.Content, yamlNode(item))
		}
		return y
	}
	// kindIntrinsic
	tag := "!" + strings.TrimPrefix(n.text, "Fn::")
	arg := n.items[0]
	if n.text == "Fn::GetAtt" && arg.kind == kindArray && len(arg.items) == 2 &&
		arg.items[0].kind == kindString && arg.items[1].kind == kindString {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: arg.items[0].text + "." + arg.items[1].text}
	}
	y := yamlNode(arg)
	y.Tag = tag
	if n.text == "Fn::Sub" && y.Kind == yaml.ScalarNode && !strings.Contains(y.Value, "\n") {
		y.Style = yaml.DoubleQuotedStyle
	}
	return y
}

// writeYAML writes the tree as a YAML document indented by two spaces.
func writeYAML(n *node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(n)); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
