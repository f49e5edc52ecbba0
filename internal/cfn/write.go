package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// WriteJSON writes the document as JSON indented by two spaces, intrinsics
// in their long form, with a trailing newline. sizeHint is the expected
// output size.
func WriteJSON(v *Value, sizeHint int) []byte {
	var b bytes.Buffer
	b.Grow(max(sizeHint, 4096))
	appendJSON(&b, v, 0)
	b.WriteByte('\n')
	return b.Bytes()
}

func appendJSON(b *bytes.Buffer, v *Value, depth int) {
	switch v.Kind {
	case Null:
		b.WriteString("null")
	case Bool, Number:
		b.WriteString(v.Text)
	case String:
		appendQuoted(b, v.Text, false)
	case Map, List:
		open, closing := byte('{'), byte('}')
		if v.Kind == List {
			open, closing = '[', ']'
		}
		b.WriteByte(open)
		if len(v.Items) == 0 {
			b.WriteByte(closing)
			return
		}
		for i, item := range v.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
			indent(b, depth+1)
			if v.Kind == Map {
				appendQuoted(b, v.Keys[i], false)
				b.WriteString(": ")
				if v.Intrinsic && v.Keys[i] == "Fn::GetAtt" && item.Kind == String {
					// GetAtt's short form "X.Arn" reads back as a two-item list.
					res, attr, _ := strings.Cut(item.Text, ".")
					item = Strings(res, attr)
				}
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

// JSON returns the value as compact JSON in its key order, strings escaped
// as encoding/json escapes them, so the bytes survive a marshal of a struct
// holding them unchanged.
func (v *Value) JSON() json.RawMessage {
	var b bytes.Buffer
	v.appendCompact(&b)
	return b.Bytes()
}

func (v *Value) appendCompact(b *bytes.Buffer) {
	if v == nil {
		b.WriteString("null")
		return
	}
	switch v.Kind {
	case Null:
		b.WriteString("null")
	case String:
		data, _ := json.Marshal(v.Text) // a string always marshals
		b.Write(data)
	case Number, Bool:
		b.WriteString(v.Text)
	case List, Map:
		open, closing := byte('['), byte(']')
		if v.Kind == Map {
			open, closing = '{', '}'
		}
		b.WriteByte(open)
		for i, item := range v.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			if v.Kind == Map {
				data, _ := json.Marshal(v.Keys[i])
				b.Write(data)
				b.WriteByte(':')
			}
			item.appendCompact(b)
		}
		b.WriteByte(closing)
	}
}

const hexDigits = "0123456789abcdef"

// appendQuoted writes s as a JSON string or, with forYAML, as a YAML
// double-quoted scalar: the same text, except that YAML also wants DEL, the
// C1 controls (U+0085 is a line break to YAML 1.1) and U+FFFE/U+FFFF
// escaped. Unlike encoding/json it leaves <, > and & alone: a template is
// not HTML, and \u003c would only puzzle readers.
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
