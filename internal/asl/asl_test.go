package asl

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// functions are the tasks' functions: Go code in place of Lambda's
// processes (localrun's tests run real ones).
var functions = map[string]func(in map[string]any) (any, error){
	"Add": func(in map[string]any) (any, error) {
		return map[string]any{"sum": in["a"].(float64) + in["b"].(float64)}, nil
	},
	"Boom": func(map[string]any) (any, error) {
		return nil, &TaskError{Name: "ValueError", Cause: `{"errorMessage":"boom"}`}
	},
	"Echo": func(in map[string]any) (any, error) { return in, nil },
}

func resolve(ref string) (string, bool) {
	name := ref[strings.LastIndex(ref, ":")+1:]
	_, ok := functions[name]
	return name, ok
}

func run(t *testing.T, def, input string, calls *atomic.Int32) (string, error) {
	t.Helper()
	m, err := Parse([]byte(def), resolve)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	out, err := m.Run(context.Background(), []byte(input), Execution{
		ID: "arn:exec", Name: "exec",
		Invoke: func(_ context.Context, fn string, payload []byte) ([]byte, error) {
			if calls != nil {
				calls.Add(1)
			}
			var in map[string]any
			_ = json.Unmarshal(payload, &in)
			res, err := functions[fn](in)
			if err != nil {
				return nil, err
			}
			return json.Marshal(res)
		},
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	return string(out), err
}

func TestPathsAndPass(t *testing.T) {
	def := `{"StartAt": "A", "States": {
	  "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Add", "InputPath": "$.numbers", "ResultPath": "$.result", "Next": "B"},
	  "B": {"Type": "Pass", "Parameters": {"total.$": "$.result.sum", "label.$": "States.Format('{} + {}', $.numbers.a, $.numbers.b)", "who.$": "$$.Execution.Name"}, "OutputPath": "$", "Next": "C"},
	  "C": {"Type": "Pass", "Result": "dropped", "ResultPath": null, "End": true}}}`
	out, err := run(t, def, `{"numbers": {"a": 2, "b": 3}}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out != `{"label":"2 + 3","total":5,"who":"exec"}` {
		t.Fatalf("output = %s", out)
	}
}

func TestChoice(t *testing.T) {
	def := `{"StartAt": "Route", "States": {
	  "Route": {"Type": "Choice", "Choices": [
	    {"And": [{"Variable": "$.kind", "StringEquals": "order"}, {"Variable": "$.total", "NumericGreaterThanEquals": 100}], "Next": "Big"},
	    {"Not": {"Variable": "$.kind", "IsPresent": true}, "Next": "Unknown"},
	    {"Variable": "$.kind", "StringMatches": "ord*", "Next": "Small"}],
	   "Default": "Other"},
	  "Big": {"Type": "Pass", "Result": "big", "End": true},
	  "Small": {"Type": "Pass", "Result": "small", "End": true},
	  "Unknown": {"Type": "Pass", "Result": "unknown", "End": true},
	  "Other": {"Type": "Fail", "Error": "Unroutable", "Cause": "no route"}}}`
	for in, want := range map[string]string{
		`{"kind":"order","total":150}`: `"big"`,
		`{"kind":"order","total":5}`:   `"small"`,
		`{}`:                           `"unknown"`,
	} {
		if out, err := run(t, def, in, nil); err != nil || out != want {
			t.Errorf("%s → %s, %v; want %s", in, out, err, want)
		}
	}
	_, err := run(t, def, `{"kind":"refund"}`, nil)
	var f *Failure
	if !errors.As(err, &f) || f.Name != "Unroutable" || f.State != "Other" {
		t.Fatalf("err = %v, want Unroutable from Other", err)
	}
}

func TestRetryCatchParallel(t *testing.T) {
	var calls atomic.Int32
	def := `{"StartAt": "Both", "States": {
	  "Both": {"Type": "Parallel", "Branches": [
	    {"StartAt": "Add", "States": {"Add": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "Add", "Payload.$": "$"}, "ResultSelector": {"sum.$": "$.Payload.sum"}, "End": true}}},
	    {"StartAt": "Echo", "States": {"Echo": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Echo", "End": true}}}],
	   "ResultSelector": {"sum.$": "$[0].sum", "echoed.$": "$[1].b"}, "Next": "Fragile"},
	  "Fragile": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Boom",
	    "Retry": [{"ErrorEquals": ["ValueError"], "MaxAttempts": 2}],
	    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done"}], "End": true},
	  "Done": {"Type": "Succeed"}}}`
	out, err := run(t, def, `{"a": 1, "b": 2}`, &calls)
	if err != nil {
		t.Fatal(err)
	}
	if out != `{"echoed":2,"error":{"Cause":"{\"errorMessage\":\"boom\"}","Error":"ValueError"},"sum":3}` {
		t.Fatalf("output = %s", out)
	}
	if n := calls.Load(); n != 2+3 {
		t.Errorf("%d invocations, want 2 branches and 3 tries of Boom", n)
	}
}

func TestRefusals(t *testing.T) {
	for def, want := range map[string]string{
		`{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true}}}`:                                                          `state "M": type Map is not emulated`,
		`{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}}`:         `state "T": resource arn:aws:states:::sqs:sendMessage is not emulated`,
		`{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:Gone", "End": true}}}`: `state "T": resource arn:aws:lambda:us-east-1:1:function:Gone is not a function of the stack`,
		`{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "States.UUID()"}, "End": true}}}`:                 `intrinsic function States.UUID is not emulated`,
		`{"StartAt": "P", "States": {"P": {"Type": "Pass", "ItemsPath": "$", "End": true}}}`:                                       `field ItemsPath of a Pass state is not emulated`,
		`{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`:                             `JSONata`,
	} {
		_, err := Parse([]byte(def), resolve)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want %q", def, err, want)
		}
	}
}
