package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// choiceRule is one rule of a Choice state: a comparison of Variable, or
// And/Or/Not of rules; only top-level rules have Next.
type choiceRule struct {
	variable string
	op       string
	operand  any
	and, or  []choiceRule
	not      *choiceRule
	next     string
}

// comparisons are the operators a local run evaluates; the Path forms
// compare with a value read from the input.
var comparisons = map[string]bool{
	"StringEquals": true, "StringLessThan": true, "StringGreaterThan": true, "StringLessThanEquals": true, "StringGreaterThanEquals": true,
	"StringMatches": true,
	"NumericEquals": true, "NumericLessThan": true, "NumericGreaterThan": true, "NumericLessThanEquals": true, "NumericGreaterThanEquals": true,
	"BooleanEquals":   true,
	"TimestampEquals": true, "TimestampLessThan": true, "TimestampGreaterThan": true, "TimestampLessThanEquals": true, "TimestampGreaterThanEquals": true,
	"IsNull": true, "IsPresent": true, "IsNumeric": true, "IsString": true, "IsBoolean": true, "IsTimestamp": true,
}

func parseRule(r map[string]json.RawMessage, top bool) (choiceRule, error) {
	var c choiceRule
	if top {
		if err := json.Unmarshal(r["Next"], &c.next); err != nil || c.next == "" {
			return c, errors.New("a choice rule needs Next")
		}
	}
	for k, raw := range r {
		switch k {
		case "Next", "Comment":
		case "Variable":
			_ = json.Unmarshal(raw, &c.variable)
			if _, err := parsePath(c.variable); err != nil {
				return c, err
			}
		case "And", "Or":
			var subs []map[string]json.RawMessage
			if err := json.Unmarshal(raw, &subs); err != nil {
				return c, fmt.Errorf("%s must be a list of rules", k)
			}
			for _, s := range subs {
				sub, err := parseRule(s, false)
				if err != nil {
					return c, err
				}
				if k == "And" {
					c.and = append(c.and, sub)
				} else {
					c.or = append(c.or, sub)
				}
			}
			c.op = k
		case "Not":
			var sub map[string]json.RawMessage
			if err := json.Unmarshal(raw, &sub); err != nil {
				return c, errors.New("a Not must hold one rule")
			}
			n, err := parseRule(sub, false)
			if err != nil {
				return c, err
			}
			c.not, c.op = &n, k
		default:
			base := strings.TrimSuffix(k, "Path")
			if !comparisons[k] && !(comparisons[base] && base != k) {
				return c, fmt.Errorf("comparison %s is not emulated locally", k)
			}
			c.op = k
			if err := json.Unmarshal(raw, &c.operand); err != nil {
				return c, fmt.Errorf("%s is not JSON", k)
			}
		}
	}
	if c.op == "" {
		return c, errors.New("a choice rule needs a comparison")
	}
	if c.op != "And" && c.op != "Or" && c.op != "Not" && c.variable == "" {
		return c, fmt.Errorf("%s needs a Variable", c.op)
	}
	return c, nil
}

func (c choiceRule) match(input any) (bool, error) {
	switch c.op {
	case "And":
		for _, s := range c.and {
			if ok, err := s.match(input); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case "Or":
		for _, s := range c.or {
			if ok, err := s.match(input); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case "Not":
		ok, err := c.not.match(input)
		return !ok, err
	}
	v, err := get(input, c.variable)
	present := err == nil
	op, operand := c.op, c.operand
	switch op {
	case "IsPresent":
		return present == (operand == true), nil
	}
	if !present {
		return false, nil
	}
	switch op {
	case "IsNull":
		return (v == nil) == (operand == true), nil
	case "IsNumeric":
		_, ok := v.(float64)
		return ok == (operand == true), nil
	case "IsString":
		_, ok := v.(string)
		return ok == (operand == true), nil
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == (operand == true), nil
	case "IsTimestamp":
		s, _ := v.(string)
		_, terr := time.Parse(time.RFC3339, s)
		return (terr == nil) == (operand == true), nil
	}
	if strings.HasSuffix(op, "Path") {
		p, _ := operand.(string)
		if operand, err = get(input, p); err != nil {
			return false, fmt.Errorf("States.Runtime: %w", err)
		}
		op = strings.TrimSuffix(op, "Path")
	}
	switch {
	case strings.HasPrefix(op, "String"):
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false, nil
		}
		if op == "StringMatches" {
			return globMatch(b, a), nil
		}
		return order(op, strings.Compare(a, b)), nil
	case strings.HasPrefix(op, "Numeric"):
		a, ok1 := v.(float64)
		b, ok2 := operand.(float64)
		if !ok1 || !ok2 {
			return false, nil
		}
		return order(op, cmpFloat(a, b)), nil
	case op == "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b, nil
	case strings.HasPrefix(op, "Timestamp"):
		as, _ := v.(string)
		bs, _ := operand.(string)
		a, err1 := time.Parse(time.RFC3339, as)
		b, err2 := time.Parse(time.RFC3339, bs)
		if err1 != nil || err2 != nil {
			return false, nil
		}
		return order(op, a.Compare(b)), nil
	}
	return false, fmt.Errorf("comparison %s is not emulated locally", c.op)
}

func order(op string, c int) bool {
	switch {
	case strings.HasSuffix(op, "LessThanEquals"):
		return c <= 0
	case strings.HasSuffix(op, "GreaterThanEquals"):
		return c >= 0
	case strings.HasSuffix(op, "LessThan"):
		return c < 0
	case strings.HasSuffix(op, "GreaterThan"):
		return c > 0
	}
	return c == 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// globMatch is StringMatches: * matches any run of characters, \* a star.
func globMatch(pattern, s string) bool {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch {
		case pattern[i] == '\\' && i+1 < len(pattern):
			i++
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		case pattern[i] == '*':
			b.WriteString("(?s:.*)")
		default:
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(s)
}
