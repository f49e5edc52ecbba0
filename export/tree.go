package export

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The template is a tree of nodes that keeps object keys in the order they
// are written: sections, resources and attributes in CloudFormation's
// conventional order, which encoding/json's sorted maps cannot give. The
// encoder (encode.go) builds it from goformation's structs, and the writers
// print it as JSON or YAML.
//
// parseTree reads JSON into the same tree. goformation marshals intrinsic
// functions as base64 strings (`{ "Ref": "X" }` encoded, so nesting needs no
// escaping); parseTree turns those back into intrinsic nodes. goformation's
// own Template.JSON decodes them too, but it also evaluates any map key named
// like an intrinsic, so a Lambda environment variable called Ref would be
// resolved away; this decoder only ever looks at strings.

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
	index := make(map[string]int, len(n.keys))
	for i, k := range n.keys {
		index[k] = i
	}
	keys := make([]string, 0, len(n.keys))
	items := make([]*node, 0, len(n.items))
	taken := make([]bool, len(n.keys))
	for _, k := range order {
		if i, ok := index[k]; ok && !taken[i] {
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
// It is a small parser of its own: json.Decoder.Token, which also keeps
// order, made the export of a large stack several times slower.
func parseTree(data []byte) (*node, error) { return parse(&parser{data: data}) }

func parse(p *parser) (*node, error) {
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.pos != len(p.data) {
		return nil, p.errorf("unexpected data after the document")
	}
	return n, nil
}

type parser struct {
	data []byte
	pos  int
	// longForm reads intrinsics as CloudFormation's JSON writes them,
	// {"Ref": "X"}, rather than as goformation's base64 strings.
	longForm bool
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("JSON offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) literal(word string, n *node) (*node, error) {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		return nil, p.errorf("invalid literal")
	}
	p.pos += len(word)
	return n, nil
}

func (p *parser) value() (*node, error) {
	p.skipSpace()
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of JSON")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		if !p.longForm {
			if in := decodeIntrinsic(s); in != nil {
				return in, nil
			}
		}
		return stringNode(s), nil
	case c == 't':
		return p.literal("true", &node{kind: kindBool, text: "true"})
	case c == 'f':
		return p.literal("false", &node{kind: kindBool, text: "false"})
	case c == 'n':
		return p.literal("null", &node{kind: kindNull})
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		for p.pos < len(p.data) && strings.IndexByte("+-.eE0123456789", p.data[p.pos]) >= 0 {
			p.pos++
		}
		text := string(p.data[start:p.pos])
		if !json.Valid([]byte(text)) {
			return nil, p.errorf("invalid number %q", text)
		}
		return &node{kind: kindNumber, text: text}, nil
	}
	return nil, p.errorf("unexpected character %q", p.data[p.pos])
}

func (p *parser) object() (*node, error) {
	p.pos++ // {
	n := &node{kind: kindObject}
	for {
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == '}' && len(n.keys) == 0 {
			p.pos++
			return n, nil
		}
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("expected an object key")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if p.skipSpace(); p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("expected ':'")
		}
		p.pos++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, key)
		n.items = append(n.items, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			if p.longForm && len(n.keys) == 1 && shortForms[n.keys[0]] {
				return &node{kind: kindIntrinsic, text: n.keys[0], items: n.items}, nil
			}
			return n, nil
		default:
			return nil, p.errorf("expected ',' or '}'")
		}
	}
}

func (p *parser) array() (*node, error) {
	p.pos++ // [
	n := &node{kind: kindArray}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return n, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.items = append(n.items, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return n, nil
		default:
			return nil, p.errorf("expected ',' or ']'")
		}
	}
}

// str reads a string; p.data[p.pos] is its opening quote.
func (p *parser) str() (string, error) {
	start := p.pos
	escaped := false
	for i := start + 1; i < len(p.data); i++ {
		switch p.data[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			p.pos = i + 1
			if !escaped {
				return string(p.data[start+1 : i]), nil
			}
			// Escapes are rare in a template; let encoding/json decode them.
			var s string
			if err := json.Unmarshal(p.data[start:i+1], &s); err != nil {
				return "", p.errorf("invalid string: %v", err)
			}
			return s, nil
		}
	}
	return "", p.errorf("unterminated string")
}

// parseLongForm reads JSON that a template or an import holds, such as a
// kept property: intrinsics are objects of one key, and those with a YAML
// short form become intrinsic nodes, so YAML writes them as !Ref, !If….
func parseLongForm(data []byte) (*node, error) {
	return parse(&parser{data: data, longForm: true})
}

// shortForms are the intrinsic functions that have a YAML tag. Others, such
// as Fn::Transform, stay objects in YAML too.
var shortForms = map[string]bool{
	"Ref": true, "Fn::Base64": true, "Fn::Cidr": true, "Fn::FindInMap": true, "Fn::GetAtt": true,
	"Fn::GetAZs": true, "Fn::ImportValue": true, "Fn::Join": true, "Fn::Select": true, "Fn::Split": true,
	"Fn::Sub": true, "Fn::If": true, "Fn::Equals": true, "Fn::And": true, "Fn::Or": true, "Fn::Not": true,
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
// writeJSON writes the tree; sizeHint is the expected output size.
func writeJSON(n *node, sizeHint int) []byte {
	var b bytes.Buffer
	b.Grow(max(sizeHint, 4096))
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
		// The long form: an object of one key, the function's name.
		b.WriteString("{\n")
		indent(b, depth+1)
		appendJSONString(b, n.text)
		b.WriteString(": ")
		if arg := n.items[0]; n.text == "Fn::GetAtt" && arg.kind == kindString {
			// GetAtt's short form "X.Arn" reads back as a two-item list.
			res, attr, _ := strings.Cut(arg.text, ".")
			appendJSON(b, &node{kind: kindArray, items: []*node{stringNode(res), stringNode(attr)}}, depth+1)
		} else {
			appendJSON(b, arg, depth+1)
		}
		b.WriteByte('\n')
		indent(b, depth)
		b.WriteByte('}')
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
	const spaces = "                                "
	for n := 2 * depth; n > 0; n -= len(spaces) {
		b.WriteString(spaces[:min(n, len(spaces))])
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does, except that it leaves <, >
// and & alone: a template is not HTML, and \u003c would only puzzle readers.
func appendJSONString(b *bytes.Buffer, s string) { appendQuoted(b, s, false) }

// appendQuoted writes s as a JSON string or, with forYAML, as a YAML
// double-quoted scalar: the same text, except that YAML also wants DEL, the
// C1 controls (U+0085 is a line break to YAML 1.1) and U+FFFE/U+FFFF
// escaped.
func appendQuoted(b *bytes.Buffer, s string, forYAML bool) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && !(forYAML && c == 0x7f) {
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
		if r == '\u2028' || r == '\u2029' || (forYAML && ((r >= 0x80 && r <= 0x9f) || r == 0xfffe || r == 0xffff)) {
			b.WriteString(s[start:i])
			fmt.Fprintf(b, `\u%04x`, r)
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
