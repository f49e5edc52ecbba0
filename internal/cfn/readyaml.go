package cfn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Functions maps CloudFormation's intrinsic functions' short YAML tags to
// their long names. Condition is a function in its own right inside
// Conditions.
var Functions = map[string]string{
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

// shortTags lists the tags in the order an error message names them.
var shortTags = []string{"!Ref", "!Sub", "!GetAtt", "!Join", "!If", "!Select", "!Split", "!FindInMap", "!ImportValue", "!Base64", "!Cidr", "!GetAZs", "!Equals", "!And", "!Or", "!Not", "!Condition"}

// hasShortForm reports whether the YAML writer writes a call of the
// function, by its long name, in the short form. Others, such as
// Fn::Transform, stay maps in YAML too, as CloudFormation's own examples
// write them. A switch, not a map: it is asked for every call of a large
// template.
func hasShortForm(name string) bool {
	switch name {
	case "Ref", "Fn::Base64", "Fn::Cidr", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs", "Fn::ImportValue", "Fn::Join",
		"Fn::Select", "Fn::Split", "Fn::Sub", "Fn::If", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		return true
	}
	return false
}

type yamlReader struct {
	budget  budget
	anchors map[string]*Value
}

// ReadYAML reads one YAML document, short intrinsic forms into their long
// form (!Ref X becomes the map {"Ref": "X"}, marked Intrinsic), aliases
// expanded and merge keys applied. It stops with ctx's error once ctx is
// done.
func ReadYAML(ctx context.Context, data []byte, limits Limits) (v *Value, err error) {
	// The YAML library is fuzzed upstream, but a file a user uploads must
	// never take the server down: a panic in it becomes a syntax error.
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, &SyntaxError{Msg: fmt.Sprintf("the YAML parser could not read the file (%v)", p)}
		}
	}()
	if err := checkNesting(data, limits.MaxDepth); err != nil {
		return nil, err
	}
	// The parser cannot be stopped midway; it is linear in the file.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			tp := ye.GetToken().Position
			return nil, &SyntaxError{Pos{int32(tp.Line), int32(tp.Column)}, ye.GetMessage()}
		}
		return nil, &SyntaxError{Msg: err.Error()}
	}
	var docs []*ast.DocumentNode
	for _, d := range file.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		return nil, &SyntaxError{Msg: "the file holds no YAML document"}
	case len(docs) > 1:
		return nil, &SyntaxError{nodePos(docs[1]), fmt.Sprintf("the file holds %d YAML documents; a template is one", len(docs))}
	}
	r := &yamlReader{budget: budget{ctx: ctx, limits: limits}, anchors: map[string]*Value{}}
	return r.convert(docs[0].Body, 0)
}

func nodePos(n ast.Node) Pos {
	if n == nil {
		return Pos{}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return Pos{}
	}
	return Pos{int32(tk.Position.Line), int32(tk.Position.Column)}
}

func (r *yamlReader) convert(n ast.Node, depth int) (*Value, error) {
	p := nodePos(n)
	if err := r.budget.take(depth, func() Pos { return p }, "the file holds"); err != nil {
		return nil, err
	}
	switch n := n.(type) {
	case nil:
		return &Value{Kind: Null}, nil
	case *ast.NullNode:
		return &Value{Kind: Null, Pos: p}, nil
	case *ast.StringNode:
		return &Value{Kind: String, Text: n.Value, Pos: p}, nil
	case *ast.LiteralNode:
		s := ""
		if n.Value != nil {
			s = n.Value.Value
		}
		return &Value{Kind: String, Text: s, Pos: p}, nil
	case *ast.IntegerNode:
		return &Value{Kind: Number, Text: fmt.Sprint(n.Value), Pos: p}, nil
	case *ast.FloatNode:
		if math.IsInf(n.Value, 0) || math.IsNaN(n.Value) {
			return &Value{Kind: String, Text: n.GetToken().Value, Pos: p}, nil
		}
		return &Value{Kind: Number, Text: strconv.FormatFloat(n.Value, 'g', -1, 64), Pos: p}, nil
	case *ast.InfinityNode, *ast.NanNode:
		// JSON has no infinity; CloudFormation reads these as strings.
		return &Value{Kind: String, Text: n.GetToken().Value, Pos: p}, nil
	case *ast.BoolNode:
		return &Value{Kind: Bool, Text: strconv.FormatBool(n.Value), Pos: p}, nil
	case *ast.MappingNode:
		v := &Value{Kind: Map, Pos: p}
		for _, mv := range n.Values {
			if err := r.entry(v, mv, depth); err != nil {
				return nil, err
			}
		}
		return v, nil
	case *ast.MappingValueNode:
		v := &Value{Kind: Map, Pos: p}
		if err := r.entry(v, n, depth); err != nil {
			return nil, err
		}
		return v, nil
	case *ast.SequenceNode:
		v := &Value{Kind: List, Pos: p}
		for _, it := range n.Values {
			iv, err := r.convert(it, depth+1)
			if err != nil {
				return nil, err
			}
			v.Items = append(v.Items, iv)
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
			return nil, &SyntaxError{p, fmt.Sprintf("alias *%s names no anchor defined before it", name)}
		}
		return r.copy(v, p, depth)
	case *ast.TagNode:
		return r.tag(n, p, depth)
	}
	return nil, &SyntaxError{p, fmt.Sprintf("unexpected YAML %s", n.Type())}
}

// copy expands an alias, counting what it costs.
func (r *yamlReader) copy(v *Value, p Pos, depth int) (*Value, error) {
	if err := r.budget.take(depth, func() Pos { return p }, "aliases expand to"); err != nil {
		return nil, err
	}
	c := *v
	c.Pos = p
	c.index = nil
	c.Keys = slices.Clone(v.Keys)
	if v.Items != nil {
		c.Items = make([]*Value, len(v.Items))
		for i, x := range v.Items {
			cx, err := r.copy(x, p, depth+1)
			if err != nil {
				return nil, err
			}
			c.Items[i] = cx
		}
	}
	return &c, nil
}

// entry adds one key: value to a map. A merge key (<<: *base) adds the keys
// of the aliased map that are not set yet.
func (r *yamlReader) entry(m *Value, mv *ast.MappingValueNode, depth int) error {
	if mv == nil {
		return nil
	}
	kp := nodePos(mv.Key)
	val, err := r.convert(mv.Value, depth+1)
	if err != nil {
		return err
	}
	if _, merge := mv.Key.(*ast.MergeKeyNode); merge {
		sources := []*Value{val}
		if val.Kind == List {
			sources = val.Items
		}
		for _, src := range sources {
			if src.Kind != Map {
				return &SyntaxError{kp, "a merge key (<<) needs a map or a list of maps"}
			}
			for i, k := range src.Keys {
				if m.Find(k) < 0 {
					m.Add(k, src.Items[i])
				}
			}
		}
		return nil
	}
	key, err := r.convert(mv.Key, depth+1)
	if err != nil {
		return err
	}
	ks, ok := key.ScalarString()
	if !ok && key.Kind != Null {
		return &SyntaxError{kp, fmt.Sprintf("a map key must be a plain value, not a %s", key.Kind)}
	}
	if m.Find(ks) >= 0 {
		return &SyntaxError{kp, fmt.Sprintf("key %q appears twice in the same map", ks)}
	}
	m.Add(ks, val)
	return nil
}

// tag reads a tagged value: a CloudFormation short form becomes the long
// form, YAML's own !!str and the like change the scalar's kind.
func (r *yamlReader) tag(n *ast.TagNode, p Pos, depth int) (*Value, error) {
	tag := n.Start.Value
	inner, err := r.convert(n.Value, depth+1)
	if err != nil {
		return nil, err
	}
	if inner.Pos.Line == 0 {
		inner.Pos = p
	}
	switch tag {
	case "!!str":
		s, _ := inner.ScalarString()
		return &Value{Kind: String, Text: s, Pos: p}, nil
	case "!!int", "!!float":
		if inner.Kind == Number {
			return inner, nil
		}
		return nil, &SyntaxError{p, fmt.Sprintf("%s %q is not a number", tag, inner.Text)}
	case "!!bool", "!!null", "!!map", "!!seq", "!!timestamp", "!!binary":
		return inner, nil
	}
	fn, ok := Functions[strings.TrimPrefix(tag, "!")]
	if !ok || !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return nil, &SyntaxError{p, fmt.Sprintf("unknown tag %s; CloudFormation's short forms are %s", tag, strings.Join(shortTags, ", "))}
	}
	if fn == "Fn::GetAtt" {
		// !GetAtt Resource.Attribute: the attribute may hold dots itself.
		if s, ok := inner.Str(); ok {
			id, att, found := strings.Cut(s, ".")
			if !found || id == "" || att == "" {
				return nil, &SyntaxError{p, fmt.Sprintf("!GetAtt %q must name a resource and an attribute, like Function.Arn", s)}
			}
			inner = &Value{Kind: List, Items: []*Value{{Kind: String, Text: id, Pos: inner.Pos}, {Kind: String, Text: att, Pos: inner.Pos}}, Pos: inner.Pos}
		}
	}
	if inner.Kind == Null {
		// !GetAZs with nothing after it means the current region.
		inner = &Value{Kind: String, Pos: p}
	}
	call := Fn(fn, inner)
	call.Pos = p
	return call, nil
}

// checkNesting refuses YAML nested deeper than maxDepth before the parser
// sees it: the parser's time grows with the square of the depth, so a few
// hundred kilobytes of "[" would hold a request for minutes. It scans flow
// brackets outside quoted scalars and comments, and the indentation and
// "- " that open block collections, erring towards letting a file through:
// the reader's own depth check catches what this misses.
func checkNesting(data []byte, maxDepth int) error {
	if maxDepth <= 0 {
		return nil
	}
	tooDeep := func(line, col int) error {
		return &SyntaxError{Pos{int32(line), int32(col)}, fmt.Sprintf("values are nested more than %d deep", maxDepth)}
	}
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
					return tooDeep(line, col)
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
				return tooDeep(line, col)
			}
		case c == ']' || c == '}':
			depth = max(depth-1, 0)
		}
		prev = c
	}
	return nil
}
