package localrun

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// A route's request and response templates are Velocity (VTL) templates
// that API Gateway renders. A local run renders the references templates
// for WebSocket service integrations use: $input.body, $input.json('$.x'),
// $input.path('$.x'), $context.<name>, $stageVariables.<name> and
// $util.urlEncode / urlDecode / escapeJavaScript / base64Encode /
// base64Decode / parseJson of those or of a quoted string. Directives
// (#set, #if, #foreach) are not rendered: a run names the route when it
// starts (templateProblem) and such a route answers with an integration
// error.

var errUnknownRef = errors.New("not a reference a template has")

// vtlInput is what a template reads: the request (or integration
// response) body and the request's context.
type vtlInput struct {
	body    string
	context map[string]string
}

// templateProblem says why a template cannot be rendered locally, or "".
func templateProblem(tmpl string) string {
	for _, d := range []string{"#set", "#if", "#foreach", "#else", "#end", "#macro", "#define", "#parse", "#include"} {
		if strings.Contains(tmpl, d) {
			return fmt.Sprintf("its template uses %s, which a local run does not render", d)
		}
	}
	_, err := renderTemplate(tmpl, vtlInput{body: "{}", context: map[string]string{}})
	if err != nil {
		return err.Error()
	}
	return ""
}

// renderTemplate renders a template.
func renderTemplate(tmpl string, in vtlInput) (string, error) {
	var b strings.Builder
	for i := 0; i < len(tmpl); {
		c := tmpl[i]
		if c == '\\' && i+1 < len(tmpl) && tmpl[i+1] == '$' {
			b.WriteByte('$')
			i += 2
			continue
		}
		if c != '$' {
			b.WriteByte(c)
			i++
			continue
		}
		v, n, err := evalVTL(tmpl[i:], in)
		if err != nil {
			return "", err
		}
		if n == 0 {
			// Not a reference ($ followed by something else): kept, as
			// Velocity keeps it.
			b.WriteByte(c)
			i++
			continue
		}
		b.WriteString(v)
		i += n
	}
	return b.String(), nil
}

// evalVTL evaluates the reference at the start of s: its value and how many
// bytes it took (0 when s does not start with one).
func evalVTL(s string, in vtlInput) (string, int, error) {
	quiet := strings.HasPrefix(s, "$!")
	start := 1
	if quiet {
		start = 2
	}
	braced := strings.HasPrefix(s[start:], "{")
	if braced {
		start++
	}
	j := start
	for j < len(s) && (isIdent(s[j]) || s[j] == '.' && j+1 < len(s) && isIdent(s[j+1])) {
		j++
	}
	name := s[start:j]
	if name == "" {
		return "", 0, nil
	}
	var arg *string
	if j < len(s) && s[j] == '(' {
		a, n, err := vtlArg(s[j:], in)
		if err != nil {
			return "", 0, fmt.Errorf("%s: %w", name, err)
		}
		arg = &a
		j += n
	}
	if braced {
		if j >= len(s) || s[j] != '}' {
			return "", 0, fmt.Errorf("${%s is not closed", name)
		}
		j++
	}
	v, err := vtlValue(name, arg, in)
	if errors.Is(err, errUnknownRef) {
		// Velocity writes a reference it does not know as it is (a
		// template's ${Logical} names the resource the wire reaches).
		return s[:j], j, nil
	}
	if err != nil {
		return "", 0, err
	}
	return v, j, nil
}

func isIdent(c byte) bool {
	return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// vtlArg reads one call argument in parentheses: a quoted string or a
// reference.
func vtlArg(s string, in vtlInput) (string, int, error) {
	i := 1
	for i < len(s) && s[i] == ' ' {
		i++
	}
	var v string
	switch {
	case i < len(s) && (s[i] == '\'' || s[i] == '"'):
		q := s[i]
		end := strings.IndexByte(s[i+1:], q)
		if end < 0 {
			return "", 0, fmt.Errorf("unclosed string")
		}
		v = s[i+1 : i+1+end]
		i += end + 2
	case i < len(s) && s[i] == '$':
		val, n, err := evalVTL(s[i:], in)
		if err != nil {
			return "", 0, err
		}
		if n == 0 {
			return "", 0, fmt.Errorf("argument is not a reference")
		}
		v = val
		i += n
	default:
		return "", 0, fmt.Errorf("only a quoted string or a reference may be an argument here")
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i >= len(s) || s[i] != ')' {
		return "", 0, fmt.Errorf("a call takes one argument")
	}
	return v, i + 1, nil
}

func vtlValue(name string, arg *string, in vtlInput) (string, error) {
	need := func() (string, error) {
		if arg == nil {
			return "", fmt.Errorf("$%s needs an argument", name)
		}
		return *arg, nil
	}
	switch {
	case name == "input.body":
		return in.body, nil
	case name == "input.json", name == "input.path":
		p, err := need()
		if err != nil {
			return "", err
		}
		v, ok := jsonPath(in.body, p)
		if name == "input.json" || !ok {
			if !ok {
				return "null", nil
			}
			return plainJSON(v), nil
		}
		if s, isString := v.(string); isString {
			return s, nil
		}
		return plainJSON(v), nil
	case strings.HasPrefix(name, "context."):
		return in.context[strings.TrimPrefix(name, "context.")], nil
	case strings.HasPrefix(name, "stageVariables."):
		return "", nil
	case strings.HasPrefix(name, "util."):
		a, err := need()
		if err != nil {
			return "", err
		}
		switch strings.TrimPrefix(name, "util.") {
		case "urlEncode":
			return url.QueryEscape(a), nil
		case "urlDecode":
			return url.QueryUnescape(a)
		case "escapeJavaScript":
			q := strconv.Quote(a)
			q = q[1 : len(q)-1]
			return strings.ReplaceAll(q, `'`, `\'`), nil
		case "base64Encode":
			return base64.StdEncoding.EncodeToString([]byte(a)), nil
		case "base64Decode":
			b, err := base64.StdEncoding.DecodeString(a)
			return string(b), err
		case "parseJson":
			return a, nil
		}
		return "", fmt.Errorf("$%s is not rendered by a local run", name)
	case strings.HasPrefix(name, "input."):
		return "", fmt.Errorf("$%s is not rendered by a local run", name)
	}
	return "", errUnknownRef
}

// plainJSON writes a value as API Gateway's $input.json does: without
// Go's escaping of <, > and &.
func plainJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// jsonPath follows $, $.a.b or $.a[0] in a JSON document.
func jsonPath(doc, p string) (any, bool) {
	var v any
	if json.Unmarshal([]byte(doc), &v) != nil {
		return nil, false
	}
	if !strings.HasPrefix(p, "$") {
		return nil, false
	}
	rest := p[1:]
	for rest != "" {
		switch {
		case rest[0] == '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[rest[:end]]; !ok {
				return nil, false
			}
			rest = rest[end:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			n, err := strconv.Atoi(rest[1:end])
			a, ok := v.([]any)
			if err != nil || !ok || n < 0 || n >= len(a) {
				return nil, false
			}
			v = a[n]
			rest = rest[end+1:]
		default:
			return nil, false
		}
	}
	return v, true
}

// selectTemplate picks a request template as API Gateway does: the
// template selection expression (\$default, or $request.body.<path>)
// names a key; $default when it matches none.
func selectTemplate(templates map[string]string, expr, body string) (string, bool) {
	key := "$default"
	if p, ok := strings.CutPrefix(expr, "$request.body."); ok {
		if v, found := jsonPath(body, "$."+p); found {
			key = fmt.Sprint(v)
		}
	} else if expr != "" {
		key = strings.TrimPrefix(expr, `\`)
	}
	if t, ok := templates[key]; ok {
		return t, true
	}
	t, ok := templates["$default"]
	return t, ok
}
