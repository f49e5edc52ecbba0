package export

import (
	"bytes"
	"strings"
)

// writeYAML writes the tree as block-style YAML indented by two spaces, with
// intrinsics in their short form: !Ref X, !GetAtt X.Arn, !Sub "…".
//
// The tree holds only what a template holds, so a small emitter does: it
// writes a string plain when it is unmistakably a string, and double-quoted
// otherwise, with JSON's escapes, which YAML shares. yaml.v3's encoder was
// the largest single cost of exporting a large stack (its emitter keeps
// every event of a document until the end), and the tests read every output
// back with yaml.v3 and compare it with the JSON.
// writeYAML writes the tree; sizeHint is the expected output size.
func writeYAML(n *node, sizeHint int) []byte {
	var b bytes.Buffer
	b.Grow(max(sizeHint, 4096))
	switch {
	case n.kind == kindObject && len(n.keys) > 0:
		yamlMapping(&b, n, 0, false)
	case n.kind == kindArray && len(n.items) > 0:
		yamlSequence(&b, n, 0, false)
	default:
		yamlScalar(&b, n)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// yamlMapping writes a non-empty object at depth; inline means the first key
// follows a "- " already written.
func yamlMapping(b *bytes.Buffer, n *node, depth int, inline bool) {
	for i, key := range n.keys {
		if i > 0 || !inline {
			indent(b, depth)
		}
		yamlString(b, key)
		b.WriteByte(':')
		yamlAfter(b, n.items[i], depth)
	}
}

// yamlSequence writes a non-empty array at depth; inline as for yamlMapping.
func yamlSequence(b *bytes.Buffer, n *node, depth int, inline bool) {
	for i, item := range n.items {
		if i > 0 || !inline {
			indent(b, depth)
		}
		b.WriteByte('-')
		switch {
		case item.kind == kindObject && len(item.keys) > 0:
			b.WriteByte(' ')
			yamlMapping(b, item, depth+1, true)
		case item.kind == kindArray && len(item.items) > 0:
			b.WriteByte(' ')
			yamlSequence(b, item, depth+1, true)
		default:
			yamlAfter(b, item, depth)
		}
	}
}

// yamlAfter writes what follows a "key:" or "-" at depth: a space and a
// scalar, or a newline and a nested collection one level deeper.
func yamlAfter(b *bytes.Buffer, v *node, depth int) {
	if v.kind == kindIntrinsic && v.items[0].kind == kindIntrinsic {
		// A node takes one tag, so a function of a function is written in
		// the long form: Fn::Base64: !Sub "…".
		v = &node{kind: kindObject, keys: []string{v.text}, items: v.items}
	}
	if v.kind == kindIntrinsic {
		if shortIntrinsic(b, v) {
			b.WriteByte('\n')
			return
		}
		b.WriteByte(' ')
		b.WriteString(intrinsicTag(v))
		v = v.items[0]
		if !nonEmptyCollection(v) {
			yamlAfter(b, v, depth)
			return
		}
	}
	switch {
	case v.kind == kindObject && len(v.keys) > 0:
		b.WriteByte('\n')
		yamlMapping(b, v, depth+1, false)
	case v.kind == kindArray && len(v.items) > 0:
		b.WriteByte('\n')
		yamlSequence(b, v, depth+1, false)
	default:
		b.WriteByte(' ')
		yamlScalar(b, v)
		b.WriteByte('\n')
	}
}

func nonEmptyCollection(v *node) bool {
	return (v.kind == kindObject && len(v.keys) > 0) || (v.kind == kindArray && len(v.items) > 0)
}

func intrinsicTag(v *node) string { return "!" + strings.TrimPrefix(v.text, "Fn::") }

// shortIntrinsic writes " !Tag scalar" for an intrinsic whose argument fits
// on one line: !Ref X, !GetAtt X.Arn, !Sub "…" (always quoted, as
// CloudFormation examples write it). It writes nothing and returns false for
// any other.
func shortIntrinsic(b *bytes.Buffer, v *node) bool {
	arg := v.items[0]
	getAtt := v.text == "Fn::GetAtt" && arg.kind == kindArray && len(arg.items) == 2 &&
		arg.items[0].kind == kindString && arg.items[1].kind == kindString
	scalar := arg.kind == kindString || arg.kind == kindNumber || arg.kind == kindBool || arg.kind == kindNull
	if !getAtt && !scalar {
		return false
	}
	b.WriteString(" !")
	b.WriteString(strings.TrimPrefix(v.text, "Fn::"))
	b.WriteByte(' ')
	switch {
	case getAtt:
		yamlString(b, arg.items[0].text+"."+arg.items[1].text)
	case v.text == "Fn::Sub" && arg.kind == kindString:
		appendQuoted(b, arg.text, true)
	default:
		yamlScalar(b, arg)
	}
	return true
}

// yamlScalar writes a scalar or an empty collection.
func yamlScalar(b *bytes.Buffer, v *node) {
	switch v.kind {
	case kindString:
		yamlString(b, v.text)
	case kindNumber, kindBool:
		b.WriteString(v.text)
	case kindNull:
		b.WriteString("null")
	case kindObject:
		b.WriteString("{}")
	case kindArray:
		b.WriteString("[]")
	case kindIntrinsic:
		// Only reached for an intrinsic inside an intrinsic's empty
		// collection; write it in the long form, as flow JSON.
		var j bytes.Buffer
		appendJSON(&j, v, 0)
		b.WriteString(strings.Join(strings.Fields(j.String()), " "))
	}
}

// yamlString writes s plain when no YAML reader could take it for anything
// but this string, and double-quoted otherwise.
func yamlString(b *bytes.Buffer, s string) {
	if plainSafe(s) {
		b.WriteString(s)
		return
	}
	appendQuoted(b, s, true)
}

// plainSafe reports whether s can be a plain scalar: it starts with a letter,
// $ or /, holds only ASCII letters, digits, spaces and _ . / : $ * @ - , (a
// comma only matters in flow style, which this never writes), has
// no ": " (a key) and no leading or trailing space or colon, and is not a
// word that YAML 1.1 or 1.2 reads as a boolean or null (CloudFormation's
// parser follows 1.1, where on and yes are true).
func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '$' || c == '/') {
		return false
	}
	if last := s[len(s)-1]; last == ' ' || last == ':' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == ' ', c == '_', c == '.', c == '/', c == ':', c == '$', c == '*', c == '@', c == '-', c == ',':
		default:
			return false
		}
	}
	if strings.Contains(s, ": ") {
		return false
	}
	// Only short words can be one; checking the length first spares every
	// long string a lowered copy.
	if len(s) <= len("false") {
		for _, word := range yamlKeywords {
			if strings.EqualFold(s, word) {
				return false
			}
		}
	}
	return true
}

var yamlKeywords = []string{"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
