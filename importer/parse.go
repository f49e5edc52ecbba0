package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/switchboard-dev/switchboard/model"
)

// Limits that keep a hostile file from costing unbounded time or memory: a
// few aliases can otherwise expand into billions of nodes.
const (
	maxDepth  = 200
	maxValues = 1 << 18
	// checkEvery is how many values a reader reads between looks at
	// whether the import was cancelled.
	checkEvery = 256
)

// intrinsics lists CloudFormation's intrinsic functions by their short YAML
// tag. Condition is a function in its own right inside Conditions.
var intrinsics = map[string]string{
	"Ref": "Ref", "Condition": "Condition",
	"Sub": "Fn::Sub", "GetAtt": "Fn::GetAtt", "Join": "Fn::Join", "If": "Fn::If",
	"Select": "Fn::Select", "Split": "Fn::Split", "FindInMap": "Fn::FindInMap",
	"ImportValue": "Fn::ImportValue", "Base64": "Fn::Base64", "Cidr": "Fn::Cidr",
	"GetAZs": "Fn::GetAZs", "Equals": "Fn::Equals", "And": "Fn::And", "Or": "Fn::Or",
	"Not": "Fn::Not", "Transform": "Fn::Transform", "Length": "Fn::Length",
	"ToJsonString": "Fn::ToJsonString", "ForEach": "Fn::ForEach",
	// Rule-specific functions, which the CDK's bootstrap check uses.
	"Contains": "Fn::Contains", "EachMemberEquals": "Fn::EachMemberEquals", "EachMemberIn": "Fn::EachMemberIn",
	"RefAll": "Fn::RefAll", "ValueOf": "Fn::ValueOf", "ValueOfAll": "Fn::ValueOfAll",
}

// shortForms lists the tags in the order an error message names them.
var shortForms = []string{"!Ref", "!Sub", "!GetAtt", "!Join", "!If", "!Select", "!Split", "!FindInMap", "!ImportValue", "!Base64", "!Cidr", "!GetAZs", "!Equals", "!And", "!Or", "!Not", "!Condition"}

// syntaxError is a malformed file: EINVALID, naming the file, line and column.
func syntaxError(name string, p pos, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if p.line > 0 {
		return model.Errorf(model.EINVALID, "%s:%d:%d: %s", name, p.line, p.col, msg)
	}
	return model.Errorf(model.EINVALID, "%s: %s", name, msg)
}

// parseDocument reads a JSON or YAML document. JSON goes through
// encoding/json, which is strict where YAML's flow style is lenient (and
// faster on the large templates the CDK writes).
func parseDocument(ctx context.Context, name string, data []byte) (*value, error) {
	if !utf8.Valid(data) {
		return nil, syntaxError(name, pos{}, "the file is not UTF-8 text")
	}
	// Some editors start a UTF-8 file with a byte order mark. It is no part
	// of the template, and editors count columns after it.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, syntaxError(name, pos{}, "the file is empty")
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return parseJSON(ctx, name, data)
	}
	return parseYAML(ctx, name, data)
}

// lines turns byte offsets into lines and columns. The JSON reader asks
// for offsets in increasing order, so it carries on from the last one
// rather than counting from the start of the file each time, which made a
// minified template's import take the square of its size.
type lines struct {
	data []byte
	off  int // the last offset asked for
	at   pos // its line and column
	// scanned counts the bytes looked at, for the test that an import's
	// cost grows with the file, not with its square.
	scanned int
}

func (l *lines) pos(offset int64) pos {
	off := int(min(max(offset, 0), int64(len(l.data))))
	if off < l.off || l.at.line == 0 {
		l.off, l.at = 0, pos{1, 1} // only an error looks back
	}
	seg := l.data[l.off:off]
	l.scanned += len(seg)
	if nl := bytes.LastIndexByte(seg, '\n'); nl >= 0 {
		l.at.line += bytes.Count(seg, []byte("\n"))
		l.at.col = utf8.RuneCount(seg[nl+1:]) + 1
	} else {
		l.at.col += utf8.RuneCount(seg)
	}
	l.off = off
	return l.at
}

type jsonReader struct {
	ctx   context.Context
	name  string
	data  []byte
	dec   *json.Decoder
	lines lines
	count int
}

func newJSONReader(ctx context.Context, name string, data []byte) *jsonReader {
	r := &jsonReader{ctx: ctx, name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data)), lines: lines{data: data}}
	r.dec.UseNumber()
	return r
}

func parseJSON(ctx context.Context, name string, data []byte) (*value, error) {
	return newJSONReader(ctx, name, data).document()
}

// document reads the one value the file holds.
func (r *jsonReader) document() (*value, error) {
	v, err := r.read(0)
	if err != nil {
		return nil, err
	}
	if _, err := r.dec.Token(); err != io.EOF {
		return nil, syntaxError(r.name, r.lines.pos(r.dec.InputOffset()), "unexpected data after the template")
	}
	return v, nil
}

func (r *jsonReader) fail(err error) error {
	off := r.dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		msg = "unexpected end of the file"
	}
	return syntaxError(r.name, r.lines.pos(off), "%s", msg)
}

// start returns where the next token begins: InputOffset is where the last
// one ended, so skip the separators in between.
func (r *jsonReader) start() pos {
	off := r.dec.InputOffset()
	for off < int64(len(r.data)) && strings.IndexByte(" \t\r\n,:", r.data[off]) >= 0 {
		off++
	}
	return r.lines.pos(off)
}

func (r *jsonReader) read(depth int) (*value, error) {
	if depth > maxDepth {
		return nil, syntaxError(r.name, r.start(), "values are nested more than %d deep", maxDepth)
	}
	if r.count++; r.count > maxValues {
		return nil, syntaxError(r.name, r.start(), "the file holds more than %d values", maxValues)
	}
	if r.count%checkEvery == 0 {
		if err := stopped(r.ctx, r.name); err != nil {
			return nil, err
		}
	}
	p := r.start()
	tok, err := r.dec.Token()
	if err != nil {
		return nil, r.fail(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			v := &value{kind: kindList, pos: p}
			for r.dec.More() {
				it, err := r.read(depth + 1)
				if err != nil {
					return nil, err
				}
				v.items = append(v.items, it)
			}
			if _, err := r.dec.Token(); err != nil {
				return nil, r.fail(err)
			}
			return v, nil
		}
		if t != '{' {
			return nil, syntaxError(r.name, p, "unexpected %q", t)
		}
		v := &value{kind: kindMap, pos: p}
		for r.dec.More() {
			kp := r.start()
			kt, err := r.dec.Token()
			if err != nil {
				return nil, r.fail(err)
			}
			key, _ := kt.(string)
			if v.find(key) >= 0 {
				return nil, syntaxError(r.name, kp, "key %q appears twice in the same object", key)
			}
			val, err := r.read(depth + 1)
			if err != nil {
				return nil, err
			}
			v.add(key, val)
		}
		if _, err := r.dec.Token(); err != nil {
			return nil, r.fail(err)
		}
		return v, nil
	case string:
		return &value{kind: kindString, text: t, pos: p}, nil
	case json.Number:
		return &value{kind: kindNumber, text: t.String(), pos: p}, nil
	case bool:
		return &value{kind: kindBool, text: strconv.FormatBool(t), pos: p}, nil
	default:
		return &value{kind: kindNull, pos: p}, nil
	}
}

type yamlReader struct {
	ctx     context.Context
	name    string
	anchors map[string]*value
	count   int
}

func parseYAML(ctx context.Context, name string, data []byte) (v *value, err error) {
	// The YAML library is fuzzed upstream, but a file a user uploads must
	// never take the server down: a panic in it becomes a parse error.
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, syntaxError(name, pos{}, "the YAML parser could not read the file (%v)", p)
		}
	}()
	if err := checkNesting(name, data); err != nil {
		return nil, err
	}
	// The parser cannot be stopped midway; it is linear in the file,
	// which is bounded by MaxSize.
	if err := stopped(ctx, name); err != nil {
		return nil, err
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			tp := ye.GetToken().Position
			return nil, syntaxError(name, pos{tp.Line, tp.Column}, "%s", ye.GetMessage())
		}
		return nil, syntaxError(name, pos{}, "%v", err)
	}
	var docs []*ast.DocumentNode
	for _, d := range file.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		return nil, syntaxError(name, pos{}, "the file holds no YAML document")
	case len(docs) > 1:
		return nil, syntaxError(name, nodePos(docs[1]), "the file holds %d YAML documents; a template is one", len(docs))
	}
	r := &yamlReader{ctx: ctx, name: name, anchors: map[string]*value{}}
	return r.convert(docs[0].Body, 0)
}

func nodePos(n ast.Node) pos {
	if n == nil {
		return pos{}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return pos{}
	}
	return pos{tk.Position.Line, tk.Position.Column}
}

func (r *yamlReader) convert(n ast.Node, depth int) (*value, error) {
	p := nodePos(n)
	if depth > maxDepth {
		return nil, syntaxError(r.name, p, "values are nested more than %d deep", maxDepth)
	}
	if r.count++; r.count > maxValues {
		return nil, syntaxError(r.name, p, "the file holds more than %d values", maxValues)
	}
	if r.count%checkEvery == 0 {
		if err := stopped(r.ctx, r.name); err != nil {
			return nil, err
		}
	}
	switch n := n.(type) {
	case nil:
		return &value{kind: kindNull}, nil
	case *ast.NullNode:
		return &value{kind: kindNull, pos: p}, nil
	case *ast.StringNode:
		return &value{kind: kindString, text: n.Value, pos: p}, nil
	case *ast.LiteralNode:
		s := ""
		if n.Value != nil {
			s = n.Value.Value
		}
		return &value{kind: kindString, text: s, pos: p}, nil
	case *ast.IntegerNode:
		return &value{kind: kindNumber, text: fmt.Sprint(n.Value), pos: p}, nil
	case *ast.FloatNode:
		if math.IsInf(n.Value, 0) || math.IsNaN(n.Value) {
			return &value{kind: kindString, text: n.GetToken().Value, pos: p}, nil
		}
		return &value{kind: kindNumber, text: strconv.FormatFloat(n.Value, 'g', -1, 64), pos: p}, nil
	case *ast.InfinityNode, *ast.NanNode:
		// JSON has no infinity; CloudFormation reads these as strings.
		return &value{kind: kindString, text: n.GetToken().Value, pos: p}, nil
	case *ast.BoolNode:
		return &value{kind: kindBool, text: strconv.FormatBool(n.Value), pos: p}, nil
	case *ast.MappingNode:
		v := &value{kind: kindMap, pos: p}
		for _, mv := range n.Values {
			if err := r.entry(v, mv, depth); err != nil {
				return nil, err
			}
		}
		return v, nil
	case *ast.MappingValueNode:
		v := &value{kind: kindMap, pos: p}
		if err := r.entry(v, n, depth); err != nil {
			return nil, err
		}
		return v, nil
	case *ast.SequenceNode:
		v := &value{kind: kindList, pos: p}
		for _, it := range n.Values {
			iv, err := r.convert(it, depth+1)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, iv)
		}
		return v, nil
	case *ast.AnchorNode:
		v, err := r.convert(n.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if n.Name != nil {
			r.anchors[n.Name.GetToken().Value] = v
		}
		return v, nil
	case *ast.AliasNode:
		name := ""
		if n.Value != nil {
			name = n.Value.GetToken().Value
		}
		v, ok := r.anchors[name]
		if !ok {
			return nil, syntaxError(r.name, p, "alias *%s names no anchor defined before it", name)
		}
		return r.copy(v, p, depth)
	case *ast.TagNode:
		return r.tag(n, p, depth)
	}
	return nil, syntaxError(r.name, p, "unexpected YAML %s", n.Type())
}

// copy expands an alias, counting what it costs.
func (r *yamlReader) copy(v *value, p pos, depth int) (*value, error) {
	if depth > maxDepth {
		return nil, syntaxError(r.name, p, "values are nested more than %d deep", maxDepth)
	}
	if r.count++; r.count > maxValues {
		return nil, syntaxError(r.name, p, "aliases expand to more than %d values", maxValues)
	}
	if r.count%checkEvery == 0 {
		if err := stopped(r.ctx, r.name); err != nil {
			return nil, err
		}
	}
	c := *v
	c.pos = p
	c.index = nil
	c.keys = slices.Clone(v.keys)
	c.vals = make([]*value, len(v.vals))
	for i, x := range v.vals {
		cx, err := r.copy(x, p, depth+1)
		if err != nil {
			return nil, err
		}
		c.vals[i] = cx
	}
	c.items = make([]*value, len(v.items))
	for i, x := range v.items {
		cx, err := r.copy(x, p, depth+1)
		if err != nil {
			return nil, err
		}
		c.items[i] = cx
	}
	if v.vals == nil {
		c.vals = nil
	}
	if v.items == nil {
		c.items = nil
	}
	return &c, nil
}

// entry adds one key: value to a map. A merge key (<<: *base) adds the keys
// of the aliased map that are not set yet.
func (r *yamlReader) entry(m *value, mv *ast.MappingValueNode, depth int) error {
	if mv == nil {
		return nil
	}
	kp := nodePos(mv.Key)
	val, err := r.convert(mv.Value, depth+1)
	if err != nil {
		return err
	}
	if _, merge := mv.Key.(*ast.MergeKeyNode); merge {
		sources := []*value{val}
		if val.kind == kindList {
			sources = val.items
		}
		for _, src := range sources {
			if src.kind != kindMap {
				return syntaxError(r.name, kp, "a merge key (<<) needs a map or a list of maps")
			}
			for i, k := range src.keys {
				if m.find(k) < 0 {
					m.add(k, src.vals[i])
				}
			}
		}
		return nil
	}
	key, err := r.convert(mv.Key, depth+1)
	if err != nil {
		return err
	}
	ks, ok := key.scalarString()
	if !ok && key.kind != kindNull {
		return syntaxError(r.name, kp, "a map key must be a plain value, not a %s", kindName(key.kind))
	}
	if m.find(ks) >= 0 {
		return syntaxError(r.name, kp, "key %q appears twice in the same map", ks)
	}
	m.add(ks, val)
	return nil
}

// tag reads a tagged value: a CloudFormation short form becomes the long
// form, YAML's own !!str and the like change the scalar's kind.
func (r *yamlReader) tag(n *ast.TagNode, p pos, depth int) (*value, error) {
	tag := n.Start.Value
	inner, err := r.convert(n.Value, depth+1)
	if err != nil {
		return nil, err
	}
	if inner.pos.line == 0 {
		inner.pos = p
	}
	switch tag {
	case "!!str":
		s, _ := inner.scalarString()
		return &value{kind: kindString, text: s, pos: p}, nil
	case "!!int", "!!float":
		if inner.kind == kindNumber {
			return inner, nil
		}
		return nil, syntaxError(r.name, p, "%s %q is not a number", tag, inner.text)
	case "!!bool", "!!null", "!!map", "!!seq", "!!timestamp", "!!binary":
		return inner, nil
	}
	fn, ok := intrinsics[strings.TrimPrefix(tag, "!")]
	if !ok || !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return nil, syntaxError(r.name, p, "unknown tag %s; CloudFormation's short forms are %s", tag, strings.Join(shortForms, ", "))
	}
	if fn == "Fn::GetAtt" {
		// !GetAtt Resource.Attribute: the attribute may hold dots itself.
		if s, ok := inner.str(); ok {
			id, att, found := strings.Cut(s, ".")
			if !found || id == "" || att == "" {
				return nil, syntaxError(r.name, p, "!GetAtt %q must name a resource and an attribute, like Function.Arn", s)
			}
			inner = &value{kind: kindList, items: []*value{{kind: kindString, text: id, pos: inner.pos}, {kind: kindString, text: att, pos: inner.pos}}, pos: inner.pos}
		}
	}
	if inner.kind == kindNull {
		// !GetAZs with nothing after it means the current region.
		inner = &value{kind: kindString, pos: p}
	}
	return &value{kind: kindMap, keys: []string{fn}, vals: []*value{inner}, pos: p}, nil
}

func kindName(k kind) string {
	switch k {
	case kindMap:
		return "map"
	case kindList:
		return "list"
	case kindString:
		return "string"
	case kindNumber:
		return "number"
	case kindBool:
		return "boolean"
	}
	return "null"
}

// checkIntrinsics refuses a long-form function CloudFormation does not
// have, such as Fn::Foo or a misspelt Fn::GetAt, where it is written rather
// than at deployment, and writes "Fn::GetAtt": "A.Attr" in its list form.
func checkIntrinsics(name string, root *value) error {
	var err error
	known := map[string]bool{}
	for _, fn := range intrinsics {
		known[fn] = true
	}
	root.walk(func(v *value) {
		if err != nil || v.kind != kindMap {
			return
		}
		if fn, arg := v.intrinsic(); fn == "Fn::GetAtt" {
			// "Fn::GetAtt": "A.Attr" means what the list form says; one
			// shape keeps a round trip through !GetAtt stable.
			at := arg.pos
			if at.line == 0 {
				at = v.pos
			}
			switch id, att, ok := strings.Cut(arg.text, "."); {
			case arg.kind == kindString && ok && id != "" && att != "":
				v.vals[0] = &value{kind: kindList, items: []*value{{kind: kindString, text: id, pos: arg.pos}, {kind: kindString, text: att, pos: arg.pos}}, pos: arg.pos}
			case arg.kind == kindString:
				err = syntaxError(name, at, "Fn::GetAtt %q must name a resource and an attribute, like Function.Arn", arg.text)
				return
			case arg.kind != kindList || len(arg.items) != 2:
				err = syntaxError(name, at, "Fn::GetAtt takes a resource and an attribute, like [Function, Arn]")
				return
			}
		}
		for i, k := range v.keys {
			if strings.HasPrefix(k, "Fn::") && !known[k] && !strings.HasPrefix(k, "Fn::ForEach::") {
				at := v.vals[i].pos
				if v.pos.line > 0 {
					at = v.pos
				}
				err = syntaxError(name, at, "unknown intrinsic function %s", k)
				return
			}
		}
	})
	return err
}

// checkNesting refuses YAML nested deeper than maxDepth before the parser
// sees it: the parser's time grows with the square of the depth, so a few
// hundred kilobytes of "[" would hold a request for minutes. It scans flow
// brackets outside quoted scalars and comments, and the indentation and
// "- " that open block collections, erring towards letting a file through:
// the reader's own depth check catches what this misses.
func checkNesting(name string, data []byte) error {
	depth, lead := 0, 0
	line, col := 1, 0
	startOfLine := true
	var quote byte
	prev := byte('\n')
	for i := 0; i < len(data); i++ {
		c := data[i]
		col++
		if c == '\n' {
			line, col, lead, startOfLine, prev = line+1, 0, 0, true, c
			continue
		}
		if startOfLine {
			if c == ' ' || c == '-' || c == '?' {
				if lead++; lead > 2*maxDepth {
					return syntaxError(name, pos{line, col}, "values are nested more than %d deep", maxDepth)
				}
			} else {
				startOfLine = false
			}
		}
		opens := strings.IndexByte(" \t\n:,[{-", prev) >= 0
		switch {
		case quote == '"':
			if c == '\\' {
				i++
				col++
			} else if c == '"' {
				quote = 0
			}
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case c == '#' && (prev == ' ' || prev == '\t' || prev == '\n'):
			for i < len(data) && data[i] != '\n' {
				i++
			}
			i--
		case (c == '"' || c == '\'') && opens:
			quote = c
		case c == '[' || c == '{':
			if depth++; depth > maxDepth {
				return syntaxError(name, pos{line, col}, "values are nested more than %d deep", maxDepth)
			}
		case c == ']' || c == '}':
			depth = max(depth-1, 0)
		}
		prev = c
	}
	return nil
}
