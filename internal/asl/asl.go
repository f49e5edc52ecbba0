// Package asl runs Amazon States Language definitions in process, for a
// local run: the subset the WebSocket stacks people build use (Pass, Task
// invoking a Lambda function, Choice, Wait, Succeed, Fail, Parallel) with
// JSONPath input and output processing (InputPath, Parameters,
// ResultSelector, ResultPath, OutputPath), Retry and Catch. A definition
// that uses anything else is refused when it is read, naming the state, so
// a run never skips a state in silence. It imports nothing of the project.
package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Invoker runs a function synchronously with a JSON payload.
type Invoker func(ctx context.Context, function string, payload []byte) ([]byte, error)

// TaskError is an error a task's function reported: Error is its type
// (Lambda's errorType), Cause its details, as Step Functions has them.
type TaskError struct {
	Name, Cause string
}

func (e *TaskError) Error() string { return e.Name + ": " + e.Cause }

// Resolver maps a Task's Lambda function reference (its Resource, or the
// FunctionName of the lambda:invoke integration) to a function of the run.
type Resolver func(ref string) (function string, ok bool)

// Failure is an execution that failed: the error name and cause, as Step
// Functions reports them, and the state it failed in.
type Failure struct {
	Name, Cause, State string
}

func (f *Failure) Error() string {
	return fmt.Sprintf("state %s failed: %s: %s", f.State, f.Name, f.Cause)
}

// Machine is a definition ready to run.
type Machine struct {
	root *machine
}

type machine struct {
	startAt string
	states  map[string]*state
}

type state struct {
	name           string
	typ            string
	next           string
	end            bool
	inputPath      *string // nil: "$"; pointer to "": null
	outputPath     *string
	resultPath     *string
	parameters     any
	resultSelector any
	result         any
	hasResult      bool
	// Task
	function   string
	invokeAPI  bool // arn:aws:states:::lambda:invoke, whose result wraps the payload
	retry      []retrier
	catch      []catcher
	timeoutSec float64
	// Choice
	choices []choiceRule
	deflt   string
	// Wait
	seconds                  *float64
	secondsPath              string
	timestamp, timestampPath string
	// Fail
	failError, failCause string
	// Parallel
	branches []*machine
}

type retrier struct {
	errorEquals []string
	interval    float64
	maxAttempts int
	backoff     float64
}

type catcher struct {
	errorEquals []string
	next        string
	resultPath  *string
}

// supported are the state types this package runs.
var supported = []string{"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel"}

// Parse reads a definition. Every Task must invoke a Lambda function the
// resolver knows; any state or field outside the subset is an error naming
// the state.
func Parse(def []byte, resolve Resolver) (*Machine, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(def, &raw); err != nil {
		return nil, fmt.Errorf("the definition is not JSON: %w", err)
	}
	if ql, ok := raw["QueryLanguage"]; ok && strings.Trim(string(ql), `"`) != "JSONPath" {
		return nil, fmt.Errorf("query language %s is not emulated locally; only JSONPath is", ql)
	}
	m, err := parseMachine(raw, resolve)
	if err != nil {
		return nil, err
	}
	return &Machine{root: m}, nil
}

func parseMachine(raw map[string]json.RawMessage, resolve Resolver) (*machine, error) {
	m := &machine{states: map[string]*state{}}
	if err := json.Unmarshal(raw["StartAt"], &m.startAt); err != nil || m.startAt == "" {
		return nil, errors.New("the definition has no StartAt")
	}
	var states map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw["States"], &states); err != nil || len(states) == 0 {
		return nil, errors.New("the definition has no States")
	}
	names := make([]string, 0, len(states))
	for n := range states {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s, err := parseState(n, states[n], resolve)
		if err != nil {
			return nil, fmt.Errorf("state %q: %w", n, err)
		}
		m.states[n] = s
	}
	if m.states[m.startAt] == nil {
		return nil, fmt.Errorf("StartAt names %q, which is not a state", m.startAt)
	}
	for _, n := range names {
		s := m.states[n]
		targets := []string{s.next, s.deflt}
		for _, c := range s.choices {
			targets = append(targets, c.next)
		}
		for _, c := range s.catch {
			targets = append(targets, c.next)
		}
		for _, t := range targets {
			if t != "" && m.states[t] == nil {
				return nil, fmt.Errorf("state %q: goes to %q, which is not a state", n, t)
			}
		}
	}
	return m, nil
}

// known lists the fields each state type may have here.
var known = map[string][]string{
	"":         {"Type", "Comment", "Next", "End", "InputPath", "OutputPath"},
	"Pass":     {"Result", "ResultPath", "Parameters"},
	"Task":     {"Resource", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "TimeoutSeconds"},
	"Choice":   {"Choices", "Default"},
	"Wait":     {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
	"Succeed":  {},
	"Fail":     {"Error", "Cause"},
	"Parallel": {"Branches", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch"},
}

func parseState(name string, f map[string]json.RawMessage, resolve Resolver) (*state, error) {
	s := &state{name: name}
	_ = json.Unmarshal(f["Type"], &s.typ)
	if !slices.Contains(supported, s.typ) {
		return nil, fmt.Errorf("type %s is not emulated locally (a run emulates %s)", cmpOr(s.typ, "(none)"), strings.Join(supported, ", "))
	}
	for k := range f {
		if !slices.Contains(known[""], k) && !slices.Contains(known[s.typ], k) {
			return nil, fmt.Errorf("field %s of a %s state is not emulated locally", k, s.typ)
		}
	}
	_ = json.Unmarshal(f["Next"], &s.next)
	_ = json.Unmarshal(f["End"], &s.end)
	var err error
	if s.inputPath, err = pathField(f, "InputPath"); err != nil {
		return nil, err
	}
	if s.outputPath, err = pathField(f, "OutputPath"); err != nil {
		return nil, err
	}
	if s.resultPath, err = pathField(f, "ResultPath"); err != nil {
		return nil, err
	}
	for _, k := range []string{"Parameters", "ResultSelector", "Result"} {
		raw, ok := f[k]
		if !ok {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("%s is not JSON", k)
		}
		if k != "Result" {
			if err := checkTemplate(v); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
		}
		switch k {
		case "Parameters":
			s.parameters = v
		case "ResultSelector":
			s.resultSelector = v
		default:
			s.result, s.hasResult = v, true
		}
	}
	switch s.typ {
	case "Task":
		if err := s.parseTask(f, resolve); err != nil {
			return nil, err
		}
	case "Parallel":
		var branches []map[string]json.RawMessage
		if err := json.Unmarshal(f["Branches"], &branches); err != nil || len(branches) == 0 {
			return nil, errors.New("a Parallel state needs Branches")
		}
		for i, b := range branches {
			m, err := parseMachine(b, resolve)
			if err != nil {
				return nil, fmt.Errorf("branch %d: %w", i+1, err)
			}
			s.branches = append(s.branches, m)
		}
		if err := s.parseErrors(f); err != nil {
			return nil, err
		}
	case "Choice":
		var rules []map[string]json.RawMessage
		if err := json.Unmarshal(f["Choices"], &rules); err != nil || len(rules) == 0 {
			return nil, errors.New("a Choice state needs Choices")
		}
		for i, r := range rules {
			c, err := parseRule(r, true)
			if err != nil {
				return nil, fmt.Errorf("choice %d: %w", i+1, err)
			}
			s.choices = append(s.choices, c)
		}
		_ = json.Unmarshal(f["Default"], &s.deflt)
	case "Wait":
		if raw, ok := f["Seconds"]; ok {
			var n float64
			if err := json.Unmarshal(raw, &n); err != nil || n < 0 {
				return nil, errors.New("its Seconds must be a number of seconds")
			}
			s.seconds = &n
		}
		_ = json.Unmarshal(f["SecondsPath"], &s.secondsPath)
		_ = json.Unmarshal(f["Timestamp"], &s.timestamp)
		_ = json.Unmarshal(f["TimestampPath"], &s.timestampPath)
		if s.seconds == nil && s.secondsPath == "" && s.timestamp == "" && s.timestampPath == "" {
			return nil, errors.New("a Wait state needs Seconds, SecondsPath, Timestamp or TimestampPath")
		}
	case "Fail":
		_ = json.Unmarshal(f["Error"], &s.failError)
		_ = json.Unmarshal(f["Cause"], &s.failCause)
	}
	terminal := s.typ == "Choice" || s.typ == "Succeed" || s.typ == "Fail"
	if !terminal && s.next == "" && !s.end {
		return nil, errors.New("it needs Next or End")
	}
	return s, nil
}

func (s *state) parseTask(f map[string]json.RawMessage, resolve Resolver) error {
	var resource string
	_ = json.Unmarshal(f["Resource"], &resource)
	ref := resource
	if strings.HasPrefix(resource, "arn:aws:states:::") || strings.Contains(resource, ":states:::") {
		integration := resource[strings.Index(resource, ":::")+3:]
		if integration != "lambda:invoke" {
			return fmt.Errorf("resource %s is not emulated locally; a Task may invoke a Lambda function of the stack", resource)
		}
		params, _ := s.parameters.(map[string]any)
		name, ok := params["FunctionName"].(string)
		if !ok {
			return errors.New("lambda:invoke needs a literal FunctionName to run locally")
		}
		ref, s.invokeAPI = name, true
	}
	fn, ok := resolve(ref)
	if !ok {
		return fmt.Errorf("resource %s is not a function of the stack", ref)
	}
	s.function = fn
	_ = json.Unmarshal(f["TimeoutSeconds"], &s.timeoutSec)
	return s.parseErrors(f)
}

func (s *state) parseErrors(f map[string]json.RawMessage) error {
	var retry []struct {
		ErrorEquals     []string
		IntervalSeconds *float64
		MaxAttempts     *int
		BackoffRate     *float64
	}
	if raw, ok := f["Retry"]; ok {
		if err := json.Unmarshal(raw, &retry); err != nil {
			return errors.New("its Retry is not a list of retriers")
		}
	}
	for _, r := range retry {
		rt := retrier{errorEquals: r.ErrorEquals, interval: 1, maxAttempts: 3, backoff: 2}
		if r.IntervalSeconds != nil {
			rt.interval = *r.IntervalSeconds
		}
		if r.MaxAttempts != nil {
			rt.maxAttempts = *r.MaxAttempts
		}
		if r.BackoffRate != nil {
			rt.backoff = *r.BackoffRate
		}
		s.retry = append(s.retry, rt)
	}
	var catch []map[string]json.RawMessage
	if raw, ok := f["Catch"]; ok {
		if err := json.Unmarshal(raw, &catch); err != nil {
			return errors.New("its Catch is not a list of catchers")
		}
	}
	for _, c := range catch {
		ct := catcher{}
		_ = json.Unmarshal(c["ErrorEquals"], &ct.errorEquals)
		_ = json.Unmarshal(c["Next"], &ct.next)
		rp, err := pathField(c, "ResultPath")
		if err != nil {
			return err
		}
		ct.resultPath = rp
		s.catch = append(s.catch, ct)
	}
	return nil
}

// pathField reads a path field: absent is nil, null is "".
func pathField(f map[string]json.RawMessage, k string) (*string, error) {
	raw, ok := f[k]
	if !ok {
		return nil, nil
	}
	if string(raw) == "null" {
		empty := ""
		return &empty, nil
	}
	var p string
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("%s must be a path", k)
	}
	if _, err := parsePath(p); err != nil {
		return nil, fmt.Errorf("%s: %w", k, err)
	}
	return &p, nil
}

// checkTemplate refuses a payload template whose .$ values cannot be
// evaluated here.
func checkTemplate(v any) error {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if strings.HasSuffix(k, ".$") {
				p, ok := x.(string)
				if !ok {
					return fmt.Errorf("%s must be a path", k)
				}
				if strings.HasPrefix(p, "States.") {
					if err := checkIntrinsic(p); err != nil {
						return fmt.Errorf("%s: %w", k, err)
					}
					continue
				}
				if _, _, err := parseRef(p); err != nil {
					return fmt.Errorf("%s: %w", k, err)
				}
				continue
			}
			if err := checkTemplate(x); err != nil {
				return err
			}
		}
	case []any:
		for _, x := range t {
			if err := checkTemplate(x); err != nil {
				return err
			}
		}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
