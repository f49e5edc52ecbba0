package asl

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// intrinsics are the intrinsic functions a local run evaluates.
var intrinsics = []string{"States.Format", "States.StringToJson", "States.JsonToString", "States.Array"}

func checkIntrinsic(expr string) error {
	name, _, err := splitCall(expr)
	if err != nil {
		return err
	}
	for _, n := range intrinsics {
		if n == name {
			return nil
		}
	}
	return fmt.Errorf("intrinsic function %s is not emulated locally (a run evaluates %s)", name, strings.Join(intrinsics, ", "))
}

// splitCall splits Name(arg, arg) into the name and its arguments, which
// are string literals in single quotes, numbers, paths or nested calls.
func splitCall(expr string) (string, []string, error) {
	open := strings.IndexByte(expr, '(')
	if open < 0 || !strings.HasSuffix(expr, ")") {
		return "", nil, fmt.Errorf("%q is not an intrinsic function call", expr)
	}
	name, body := expr[:open], expr[open+1:len(expr)-1]
	var args []string
	var cur strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && quoted && i+1 < len(body):
			cur.WriteByte(c)
			i++
			cur.WriteByte(body[i])
			continue
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			args = append(args, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	if s := strings.TrimSpace(cur.String()); s != "" || len(args) > 0 {
		args = append(args, s)
	}
	return name, args, nil
}

func intrinsic(expr string, input, ctxObj any) (any, error) {
	name, rawArgs, err := splitCall(expr)
	if err != nil {
		return nil, err
	}
	args := make([]any, len(rawArgs))
	for i, a := range rawArgs {
		switch {
		case strings.HasPrefix(a, "'"):
			s := strings.TrimSuffix(strings.TrimPrefix(a, "'"), "'")
			s = strings.NewReplacer(`\'`, `'`, `\{`, `{`, `\}`, `}`, `\\`, `\`).Replace(s)
			args[i] = s
		case strings.HasPrefix(a, "$"):
			if args[i], err = evalRef(a, input, ctxObj); err != nil {
				return nil, err
			}
		case strings.HasPrefix(a, "States."):
			if args[i], err = intrinsic(a, input, ctxObj); err != nil {
				return nil, err
			}
		default:
			n, err := strconv.ParseFloat(a, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: argument %q is not a string, number or path", name, a)
			}
			args[i] = n
		}
	}
	switch name {
	case "States.Format":
		if len(args) == 0 {
			return nil, fmt.Errorf("States.Format needs a template")
		}
		tmpl, _ := args[0].(string)
		var b strings.Builder
		next := 1
		for i := 0; i < len(tmpl); i++ {
			if tmpl[i] == '{' && i+1 < len(tmpl) && tmpl[i+1] == '}' {
				if next >= len(args) {
					return nil, fmt.Errorf("States.Format: more {} than arguments")
				}
				switch v := args[next].(type) {
				case string:
					b.WriteString(v)
				default:
					j, _ := json.Marshal(v)
					b.Write(j)
				}
				next++
				i++
				continue
			}
			b.WriteByte(tmpl[i])
		}
		return b.String(), nil
	case "States.StringToJson":
		s, _ := args[0].(string)
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("States.StringToJson: %w", err)
		}
		return v, nil
	case "States.JsonToString":
		b, _ := json.Marshal(args[0])
		return string(b), nil
	case "States.Array":
		return args, nil
	}
	return nil, fmt.Errorf("intrinsic function %s is not emulated locally", name)
}
