package cfn

import (
	"bytes"
	"strings"
)

// WriteYAML writes the document as block-style YAML indented by two
// spaces, with intrinsics in their short form: !Ref X, !GetAtt X.Arn,
// !Sub "…". sizeHint is the expected output size.
//
// A document holds only what a template holds, so a small emitter does: it
// writes a string plain when it is unmistakably a string, and double-quoted
// otherwise, with JSON's escapes, which YAML shares. yaml.v3's encoder was
// the largest single cost of exporting a large stack (its emitter keeps
// every event of a document until the end), and the export's tests read
// every output back with yaml.v3 and compare it with the JSON.
func WriteYAML(v *Value, sizeHint int) []byte {
	var b bytes.Buffer
	b.Grow(max(sizeHint, 4096))
	switch {
	case v.Kind == Map && len(v.Keys) > 0 && !short(v):
		yamlMapping(&b, v, 0, false)
	case v.Kind == List && len(v.Items) > 0:
		yamlSequence(&b, v, 0, false)
	default:
		yamlScalar(&b, v)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// short reports whether v is a function call YAML can write with a tag.
// Only such calls are marked Intrinsic.
func short(v *Value) bool { return v.Intrinsic && len(v.Keys) == 1 }

// yamlMapping writes a non-empty map at depth; inline means the first key
// follows a "- " already written.
func yamlMapping(b *bytes.Buffer, v *Value, depth int, inline bool) {
	for i, key := range v.Keys {
		if i > 0 || !inline {
			indent(b, depth)
		}
		yamlString(b, key)
		b.WriteByte(':')
		yamlAfter(b, v.Items[i], depth)
	}
}

// yamlSequence writes a non-empty list at depth; inline as for yamlMapping.
func yamlSequence(b *bytes.Buffer, v *Value, depth int, inline bool) {
	for i, item := range v.Items {
		if i > 0 || !inline {
			indent(b, depth)
		}
		b.WriteByte('-')
		switch {
		case item.Kind == Map && len(item.Keys) > 0 && !short(item):
			b.WriteByte(' ')
			yamlMapping(b, item, depth+1, true)
		case item.Kind == List && len(item.Items) > 0:
			b.WriteByte(' ')
			yamlSequence(b, item, depth+1, true)
		default:
			yamlAfter(b, item, depth)
		}
	}
}

// yamlAfter writes what follows a "key:" or "-" at depth: a space and a
// scalar, or a newline and a nested collection one level deeper.
func yamlAfter(b *bytes.Buffer, v *Value, depth int) {
	// A node takes one tag, so a function of a function is written in the
	// long form: Fn::Base64: !Sub "…".
	if short(v) && !short(v.Items[0]) {
		if shortIntrinsic(b, v) {
			b.WriteByte('\n')
			return
		}
		b.WriteString(" !")
		b.WriteString(strings.TrimPrefix(v.Keys[0], "Fn::"))
		v = v.Items[0]
		if !nonEmptyCollection(v) {
			yamlAfter(b, v, depth)
			return
		}
	}
	switch {
	case v.Kind == Map && len(v.Keys) > 0:
		b.WriteByte('\n')
		yamlMapping(b, v, depth+1, false)
	case v.Kind == List && len(v.Items) > 0:
		b.WriteByte('\n')
		yamlSequence(b, v, depth+1, false)
	default:
		b.WriteByte(' ')
		yamlScalar(b, v)
		b.WriteByte('\n')
	}
}

func nonEmptyCollection(v *Value) bool {
	return (v.Kind == Map && len(v.Keys) > 0) || (v.Kind == List && len(v.Items) > 0)
}

// shortIntrinsic writes " !Tag scalar" for a call whose argument fits on
// one line: !Ref X, !GetAtt X.Arn, !Sub "…" (always quoted, as
// CloudFormation examples write it). It writes nothing and returns false for
// any other.
func shortIntrinsic(b *bytes.Buffer, v *Value) bool {
	name, arg := v.Keys[0], v.Items[0]
	getAtt := name == "Fn::GetAtt" && arg.Kind == List && len(arg.Items) == 2 &&
		arg.Items[0].Kind == String && arg.Items[1].Kind == String
	scalar := arg.Kind == String || arg.Kind == Number || arg.Kind == Bool || arg.Kind == Null
	if !getAtt && !scalar {
		return false
	}
	b.WriteString(" !")
	b.WriteString(strings.TrimPrefix(name, "Fn::"))
	b.WriteByte(' ')
	switch {
	case getAtt:
		yamlString(b, arg.Items[0].Text+"."+arg.Items[1].Text)
	case name == "Fn::Sub" && arg.Kind == String:
		appendQuoted(b, arg.Text, true)
	default:
		yamlScalar(b, arg)
	}
	return true
}

// yamlScalar writes a scalar or an empty collection.
func yamlScalar(b *bytes.Buffer, v *Value) {
	switch v.Kind {
	case String:
		yamlString(b, v.Text)
	case Number, Bool:
		b.WriteString(v.Text)
	case Null:
		b.WriteString("null")
	case Map:
		if len(v.Keys) == 0 {
			b.WriteString("{}")
			return
		}
		// Only reached for a function call alone at the top; write it in
		// the long form, as flow JSON.
		var j bytes.Buffer
		appendJSON(&j, v, 0)
		b.WriteString(strings.Join(strings.Fields(j.String()), " "))
	case List:
		b.WriteString("[]")
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
