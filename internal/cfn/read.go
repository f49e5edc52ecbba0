package cfn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Pos is a place in the source: a line and a column in runes, 1-based.
type Pos struct{ Line, Col int32 }

func (p Pos) String() string {
	if p.Line == 0 {
		return ""
	}
	return "line " + strconv.Itoa(int(p.Line)) + ", column " + strconv.Itoa(int(p.Col))
}

// SyntaxError is a document that cannot be read, and where.
type SyntaxError struct {
	Pos Pos // zero when the reader cannot tell
	Msg string
}

func (e *SyntaxError) Error() string {
	if e.Pos.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
	}
	return e.Msg
}

// Limits keep a hostile file from costing unbounded time or memory: a few
// YAML aliases can otherwise expand into billions of values.
type Limits struct {
	MaxDepth  int // how deep values may nest
	MaxValues int // how many values a document may hold, aliases expanded
}

// DefaultLimits are generous for any real template.
var DefaultLimits = Limits{MaxDepth: 200, MaxValues: 1 << 18}

// checkEvery is how many values a reader reads between looks at whether
// the context is done.
const checkEvery = 256

// budget counts what a reader has read against its limits and looks at the
// context now and then.
type budget struct {
	ctx    context.Context
	limits Limits
	count  int
}

// take counts one value at depth; what says what is counted, for the message.
func (b *budget) take(depth int, at func() Pos, what string) error {
	if b.limits.MaxDepth > 0 && depth > b.limits.MaxDepth {
		return &SyntaxError{at(), fmt.Sprintf("values are nested more than %d deep", b.limits.MaxDepth)}
	}
	if b.count++; b.limits.MaxValues > 0 && b.count > b.limits.MaxValues {
		return &SyntaxError{at(), fmt.Sprintf("%s more than %d values", what, b.limits.MaxValues)}
	}
	if b.count%checkEvery == 0 {
		return b.ctx.Err()
	}
	return nil
}

// lines turns byte offsets into lines and columns. The JSON reader asks
// for offsets in increasing order, so it carries on from the last one
// rather than counting from the start of the file each time, which made a
// minified template's reading take the square of its size.
type lines struct {
	data []byte
	off  int // the last offset asked for
	at   Pos // its line and column
	// scanned counts the bytes looked at, for the test that reading costs
	// in proportion to the file, not to its square.
	scanned int
}

func (l *lines) pos(offset int) Pos {
	off := min(max(offset, 0), len(l.data))
	if off < l.off || l.at.Line == 0 {
		l.off, l.at = 0, Pos{1, 1} // only an error looks back
	}
	seg := l.data[l.off:off]
	l.scanned += len(seg)
	if nl := bytes.LastIndexByte(seg, '\n'); nl >= 0 {
		l.at.Line += int32(bytes.Count(seg, []byte("\n")))
		l.at.Col = int32(utf8.RuneCount(seg[nl+1:]) + 1)
	} else {
		l.at.Col += int32(utf8.RuneCount(seg))
	}
	l.off = off
	return l.at
}

// ReadJSON reads one JSON document. A map of one key that is an intrinsic
// function with a YAML short form is marked Intrinsic, so the YAML writer
// writes it as !Ref, !If…. It stops with ctx's error once ctx is done.
//
// It is a small parser of its own: json.Decoder.Token, which also keeps
// order, was several times slower on the large templates the CDK writes.
func ReadJSON(ctx context.Context, data []byte, limits Limits) (*Value, error) {
	r := newJSONReader(ctx, data, limits)
	return r.document()
}

// ParseJSON reads a JSON document written by a program, such as a value an
// import kept, without limits.
func ParseJSON(data []byte) (*Value, error) {
	return ReadJSON(context.Background(), data, Limits{})
}

type jsonReader struct {
	data   []byte
	pos    int
	lines  lines
	budget budget
}

func newJSONReader(ctx context.Context, data []byte, limits Limits) *jsonReader {
	return &jsonReader{data: data, lines: lines{data: data}, budget: budget{ctx: ctx, limits: limits}}
}

func (r *jsonReader) document() (*Value, error) {
	v, err := r.value(0)
	if err != nil {
		return nil, err
	}
	if r.skipSpace(); r.pos != len(r.data) {
		return nil, r.errorf("unexpected data after the document")
	}
	return v, nil
}

func (r *jsonReader) here() Pos { return r.lines.pos(r.pos) }

func (r *jsonReader) errorf(format string, args ...any) error {
	return &SyntaxError{r.here(), fmt.Sprintf(format, args...)}
}

// unexpected says what is wrong at r.pos, as encoding/json words it.
func (r *jsonReader) unexpected(context string) error {
	if r.pos >= len(r.data) {
		return r.errorf("unexpected end of the file")
	}
	c, _ := utf8.DecodeRune(r.data[r.pos:])
	return r.errorf("invalid character %q %s", c, context)
}

func (r *jsonReader) skipSpace() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

func (r *jsonReader) literal(word string, v *Value) (*Value, error) {
	if !bytes.HasPrefix(r.data[r.pos:], []byte(word)) {
		return nil, r.unexpected("in literal " + word)
	}
	r.pos += len(word)
	return v, nil
}

func (r *jsonReader) value(depth int) (*Value, error) {
	r.skipSpace()
	if err := r.budget.take(depth, r.here, "the file holds"); err != nil {
		return nil, err
	}
	if r.pos >= len(r.data) {
		return nil, r.unexpected("")
	}
	p := r.here()
	switch c := r.data[r.pos]; {
	case c == '{':
		return r.object(p, depth)
	case c == '[':
		return r.array(p, depth)
	case c == '"':
		s, err := r.str()
		if err != nil {
			return nil, err
		}
		return &Value{Kind: String, Text: s, Pos: p}, nil
	case c == 't':
		return r.literal("true", &Value{Kind: Bool, Text: "true", Pos: p})
	case c == 'f':
		return r.literal("false", &Value{Kind: Bool, Text: "false", Pos: p})
	case c == 'n':
		return r.literal("null", &Value{Kind: Null, Pos: p})
	case c == '-' || (c >= '0' && c <= '9'):
		start := r.pos
		for r.pos < len(r.data) && strings.IndexByte("+-.eE0123456789", r.data[r.pos]) >= 0 {
			r.pos++
		}
		text := string(r.data[start:r.pos])
		if !json.Valid([]byte(text)) {
			return nil, &SyntaxError{p, fmt.Sprintf("invalid number %q", text)}
		}
		return &Value{Kind: Number, Text: text, Pos: p}, nil
	}
	return nil, r.unexpected("looking for beginning of value")
}

func (r *jsonReader) object(p Pos, depth int) (*Value, error) {
	r.pos++ // {
	v := &Value{Kind: Map, Pos: p}
	for {
		r.skipSpace()
		if r.pos < len(r.data) && r.data[r.pos] == '}' && len(v.Keys) == 0 {
			r.pos++
			return v, nil
		}
		if r.pos >= len(r.data) || r.data[r.pos] != '"' {
			return nil, r.unexpected("looking for beginning of object key string")
		}
		kp := r.here()
		key, err := r.str()
		if err != nil {
			return nil, err
		}
		if v.Find(key) >= 0 {
			return nil, &SyntaxError{kp, fmt.Sprintf("key %q appears twice in the same object", key)}
		}
		if r.skipSpace(); r.pos >= len(r.data) || r.data[r.pos] != ':' {
			return nil, r.unexpected("after object key")
		}
		r.pos++
		item, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.Add(key, item)
		r.skipSpace()
		if r.pos >= len(r.data) {
			return nil, r.unexpected("")
		}
		switch r.data[r.pos] {
		case ',':
			r.pos++
		case '}':
			r.pos++
			v.Intrinsic = len(v.Keys) == 1 && hasShortForm(v.Keys[0])
			return v, nil
		default:
			return nil, r.unexpected("after object key:value pair")
		}
	}
}

func (r *jsonReader) array(p Pos, depth int) (*Value, error) {
	r.pos++ // [
	v := &Value{Kind: List, Pos: p}
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == ']' {
		r.pos++
		return v, nil
	}
	for {
		item, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.Items = append(v.Items, item)
		r.skipSpace()
		if r.pos >= len(r.data) {
			return nil, r.unexpected("")
		}
		switch r.data[r.pos] {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return v, nil
		default:
			return nil, r.unexpected("after array element")
		}
	}
}

// str reads a string; r.data[r.pos] is its opening quote.
func (r *jsonReader) str() (string, error) {
	start := r.pos
	escaped, nonASCII := false, false
	for i := start + 1; i < len(r.data); i++ {
		switch c := r.data[i]; {
		case c == '\\':
			escaped = true
			i++
		case c >= utf8.RuneSelf:
			nonASCII = true
		case c == '"':
			if !escaped && (!nonASCII || utf8.Valid(r.data[start+1:i])) {
				r.pos = i + 1
				return string(r.data[start+1 : i]), nil
			}
			// Escapes are rare in a template, and bytes that are not
			// UTF-8 rarer; let encoding/json decode them, as U+FFFD.
			var s string
			if err := json.Unmarshal(r.data[start:i+1], &s); err != nil {
				return "", r.errorf("invalid string: %s", strings.TrimPrefix(err.Error(), "json: "))
			}
			r.pos = i + 1
			return s, nil
		case c < 0x20:
			r.pos = i
			return "", r.unexpected("in string literal")
		}
	}
	r.pos = len(r.data)
	return "", r.unexpected("")
}
