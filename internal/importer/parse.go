package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// syntaxError is a malformed file: EINVALID, naming the file, line and column.
func syntaxError(name string, p cfn.Pos, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if p.Line > 0 {
		return &SourceError{Line: int(p.Line), Col: int(p.Col), Msg: msg, err: model.Errorf(model.EINVALID, "%s:%d:%d: %s", name, p.Line, p.Col, msg)}
	}
	return &SourceError{Msg: msg, err: model.Errorf(model.EINVALID, "%s: %s", name, msg)}
}

// SourceError is a file that cannot be imported, with where it fails, for
// an editor to mark the place (the Template tab). It wraps the EINVALID
// *model.Error whose message names the file, line and column.
type SourceError struct {
	// Line and Col are 1-based, Col in runes; zero when the place is the
	// whole file.
	Line, Col int
	// Msg is the message without the file and place.
	Msg string
	err *model.Error
}

func (e *SourceError) Error() string { return e.err.Error() }
func (e *SourceError) Unwrap() error { return e.err }

// parseDocument reads a JSON or YAML document within cfn.DefaultLimits,
// which keep a hostile file from costing unbounded time or memory.
func parseDocument(ctx context.Context, name string, data []byte) (*cfn.Value, error) {
	if !utf8.Valid(data) {
		return nil, syntaxError(name, cfn.Pos{}, "the file is not UTF-8 text")
	}
	// Some editors start a UTF-8 file with a byte order mark. It is no part
	// of the template, and editors count columns after it.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, syntaxError(name, cfn.Pos{}, "the file is empty")
	}
	var v *cfn.Value
	var err error
	if trimmed[0] == '{' || trimmed[0] == '[' {
		v, err = cfn.ReadJSON(ctx, data, cfn.DefaultLimits)
	} else {
		v, err = cfn.ReadYAML(ctx, data, cfn.DefaultLimits)
	}
	var se *cfn.SyntaxError
	switch {
	case errors.As(err, &se):
		return nil, syntaxError(name, se.Pos, "%s", se.Msg)
	case err != nil:
		// The reader only fails otherwise once ctx is done.
		return nil, fmt.Errorf("%s: import stopped: %w", name, err)
	}
	return v, nil
}

// checkIntrinsics refuses a long-form function CloudFormation does not
// have, such as Fn::Foo or a misspelt Fn::GetAt, where it is written rather
// than at deployment, and writes "Fn::GetAtt": "A.Attr" in its list form.
func checkIntrinsics(name string, root *cfn.Value) error {
	var err error
	known := map[string]bool{}
	for _, fn := range cfn.Functions {
		known[fn] = true
	}
	root.Walk(func(v *cfn.Value) {
		if err != nil || v.Kind != cfn.Map {
			return
		}
		if fn, arg := v.Call(); fn == "Fn::GetAtt" {
			// "Fn::GetAtt": "A.Attr" means what the list form says; one
			// shape keeps a round trip through !GetAtt stable.
			at := arg.Pos
			if at.Line == 0 {
				at = v.Pos
			}
			switch id, att, ok := strings.Cut(arg.Text, "."); {
			case arg.Kind == cfn.String && ok && id != "" && att != "":
				v.Items[0] = &cfn.Value{Kind: cfn.List, Items: []*cfn.Value{{Kind: cfn.String, Text: id, Pos: arg.Pos}, {Kind: cfn.String, Text: att, Pos: arg.Pos}}, Pos: arg.Pos}
			case arg.Kind == cfn.String:
				err = syntaxError(name, at, "Fn::GetAtt %q must name a resource and an attribute, like Function.Arn", arg.Text)
				return
			case arg.Kind != cfn.List || len(arg.Items) != 2:
				err = syntaxError(name, at, "Fn::GetAtt takes a resource and an attribute, like [Function, Arn]")
				return
			}
		}
		for i, k := range v.Keys {
			if strings.HasPrefix(k, "Fn::") && !known[k] && !strings.HasPrefix(k, "Fn::ForEach::") {
				at := v.Items[i].Pos
				if v.Pos.Line > 0 {
					at = v.Pos
				}
				err = syntaxError(name, at, "unknown intrinsic function %s", k)
				return
			}
		}
	})
	return err
}
