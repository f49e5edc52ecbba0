package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Execution says what an execution is and is told of each state it enters.
type Execution struct {
	// ID is the execution's ARN; Name its name; StateMachine the machine's
	// ARN, for the context object.
	ID, Name, StateMachine string
	Invoke                 Invoker
	// OnState, when set, is told each state entered.
	OnState func(name, typ string)
	// Sleep waits for a Wait state or a retry; time.After when nil.
	Sleep func(ctx context.Context, d time.Duration) error
}

// maxTransitions bounds an execution, as Step Functions' 25,000 events do,
// so a loop in a definition ends.
const maxTransitions = 25000

// Run runs the machine on the input and returns its output, or the
// *Failure it ended with.
func (m *Machine) Run(ctx context.Context, input []byte, ex Execution) ([]byte, error) {
	var in any
	if len(input) == 0 {
		input = []byte("{}")
	}
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, &Failure{Name: "States.Runtime", Cause: "the execution input is not JSON", State: m.root.startAt}
	}
	if ex.Sleep == nil {
		ex.Sleep = sleep
	}
	r := &runner{ex: ex, ctxObj: map[string]any{
		"Execution":    map[string]any{"Id": ex.ID, "Name": ex.Name, "Input": in, "StartTime": time.Now().UTC().Format(time.RFC3339Nano)},
		"StateMachine": map[string]any{"Id": ex.StateMachine},
	}}
	out, err := r.run(ctx, m.root, in)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

type runner struct {
	ex          Execution
	ctxObj      map[string]any
	mu          sync.Mutex
	transitions int
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (r *runner) run(ctx context.Context, m *machine, input any) (any, error) {
	name := m.startAt
	for {
		s := m.states[name]
		r.mu.Lock()
		r.transitions++
		n := r.transitions
		r.mu.Unlock()
		if n > maxTransitions {
			return nil, &Failure{Name: "States.Runtime", Cause: "the execution passed 25,000 state transitions", State: name}
		}
		if err := ctx.Err(); err != nil {
			return nil, &Failure{Name: "States.Timeout", Cause: err.Error(), State: name}
		}
		if r.ex.OnState != nil {
			r.ex.OnState(s.name, s.typ)
		}
		out, next, err := r.step(ctx, s, input)
		if err != nil {
			var f *Failure
			if !errors.As(err, &f) {
				f = &Failure{Name: "States.Runtime", Cause: err.Error(), State: s.name}
			}
			if f.State == "" {
				f.State = s.name
			}
			return nil, f
		}
		if next == "" {
			return out, nil
		}
		name, input = next, out
	}
}

// step runs one state: its output and the state to go to ("" at the end).
func (r *runner) step(ctx context.Context, s *state, raw any) (any, string, error) {
	// Each state sees the context object with itself in State; branches
	// of a Parallel run at once, so each step has its own copy.
	ctxObj := map[string]any{"State": map[string]any{"Name": s.name, "EnteredTime": time.Now().UTC().Format(time.RFC3339Nano)}}
	for k, v := range r.ctxObj {
		ctxObj[k] = v
	}
	switch s.typ {
	case "Fail":
		return nil, "", &Failure{Name: s.failError, Cause: s.failCause, State: s.name}
	case "Succeed":
		in, err := r.inputOf(s, raw)
		if err != nil {
			return nil, "", err
		}
		out, err := outputOf(s, in)
		return out, "", err
	case "Choice":
		in, err := r.inputOf(s, raw)
		if err != nil {
			return nil, "", err
		}
		for _, c := range s.choices {
			ok, err := c.match(in)
			if err != nil {
				return nil, "", err
			}
			if ok {
				out, err := outputOf(s, in)
				return out, c.next, err
			}
		}
		if s.deflt == "" {
			return nil, "", &Failure{Name: "States.NoChoiceMatched", Cause: "no choice rule matched and there is no Default", State: s.name}
		}
		out, err := outputOf(s, in)
		return out, s.deflt, err
	}
	in, err := r.inputOf(s, raw)
	if err != nil {
		return nil, "", err
	}
	effective := in
	if s.parameters != nil {
		if effective, err = fill(s.parameters, in, ctxObj); err != nil {
			return nil, "", err
		}
	}
	var result any
	switch s.typ {
	case "Pass":
		result = effective
		if s.hasResult {
			result = s.result
		}
	case "Wait":
		if err := r.wait(ctx, s, in); err != nil {
			return nil, "", err
		}
		out, err := outputOf(s, in)
		return out, s.next, err
	case "Task", "Parallel":
		var f *Failure
		result, f = r.withRetry(ctx, s, effective)
		if f != nil {
			for _, c := range s.catch {
				if matches(c.errorEquals, f.Name) {
					errOut := map[string]any{"Error": f.Name, "Cause": f.Cause}
					out, err := placeResult(c.resultPath, raw, errOut)
					return out, c.next, err
				}
			}
			return nil, "", f
		}
		if s.resultSelector != nil {
			if result, err = fill(s.resultSelector, result, ctxObj); err != nil {
				return nil, "", err
			}
		}
	}
	withResult, err := placeResult(s.resultPath, raw, result)
	if err != nil {
		return nil, "", err
	}
	out, err := outputOf(s, withResult)
	if s.end {
		return out, "", err
	}
	return out, s.next, err
}

func (r *runner) inputOf(s *state, raw any) (any, error) {
	switch {
	case s.inputPath == nil:
		return raw, nil
	case *s.inputPath == "":
		return map[string]any{}, nil
	}
	v, err := get(raw, *s.inputPath)
	if err != nil {
		return nil, &Failure{Name: "States.Runtime", Cause: "InputPath: " + err.Error(), State: s.name}
	}
	return v, nil
}

func outputOf(s *state, v any) (any, error) {
	switch {
	case s.outputPath == nil:
		return v, nil
	case *s.outputPath == "":
		return map[string]any{}, nil
	}
	out, err := get(v, *s.outputPath)
	if err != nil {
		return nil, &Failure{Name: "States.Runtime", Cause: "OutputPath: " + err.Error(), State: s.name}
	}
	return out, nil
}

// placeResult puts a state's result into its raw input as ResultPath says:
// absent replaces the input, null keeps the input.
func placeResult(resultPath *string, raw, result any) (any, error) {
	switch {
	case resultPath == nil:
		return result, nil
	case *resultPath == "":
		return raw, nil
	}
	return set(raw, *resultPath, result)
}

func (r *runner) wait(ctx context.Context, s *state, in any) error {
	var d time.Duration
	switch {
	case s.seconds != nil:
		d = time.Duration(*s.seconds * float64(time.Second))
	case s.secondsPath != "":
		v, err := get(in, s.secondsPath)
		n, ok := v.(float64)
		if err != nil || !ok || n < 0 {
			return &Failure{Name: "States.Runtime", Cause: "SecondsPath does not lead to a number of seconds", State: s.name}
		}
		d = time.Duration(n * float64(time.Second))
	default:
		ts := s.timestamp
		if s.timestampPath != "" {
			v, _ := get(in, s.timestampPath)
			ts, _ = v.(string)
		}
		t, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			return &Failure{Name: "States.Runtime", Cause: "the Wait's timestamp is not RFC 3339", State: s.name}
		}
		d = time.Until(t)
	}
	if d <= 0 {
		return nil
	}
	if err := r.ex.Sleep(ctx, d); err != nil {
		return &Failure{Name: "States.Timeout", Cause: err.Error(), State: s.name}
	}
	return nil
}

func matches(errorEquals []string, name string) bool {
	if slices.Contains(errorEquals, "States.ALL") {
		return true
	}
	if slices.Contains(errorEquals, name) {
		return true
	}
	// A function's error is a task failure too.
	return slices.Contains(errorEquals, "States.TaskFailed") && !strings.HasPrefix(name, "States.") || slices.Contains(errorEquals, "States.TaskFailed") && name == "States.Timeout"
}

// withRetry runs a Task or Parallel, retrying as its Retry says.
func (r *runner) withRetry(ctx context.Context, s *state, input any) (any, *Failure) {
	attempts := make([]int, len(s.retry))
	for {
		result, f := r.attempt(ctx, s, input)
		if f == nil {
			return result, nil
		}
		i := slices.IndexFunc(s.retry, func(rt retrier) bool { return matches(rt.errorEquals, f.Name) })
		if i < 0 || attempts[i] >= s.retry[i].maxAttempts {
			return nil, f
		}
		delay := s.retry[i].interval
		for range attempts[i] {
			delay *= s.retry[i].backoff
		}
		attempts[i]++
		if err := r.ex.Sleep(ctx, time.Duration(delay*float64(time.Second))); err != nil {
			return nil, &Failure{Name: "States.Timeout", Cause: err.Error(), State: s.name}
		}
	}
}

func (r *runner) attempt(ctx context.Context, s *state, input any) (any, *Failure) {
	if s.typ == "Parallel" {
		return r.parallel(ctx, s, input)
	}
	if s.timeoutSec > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(s.timeoutSec*float64(time.Second)))
		defer cancel()
	}
	payload := input
	if s.invokeAPI {
		params, _ := input.(map[string]any)
		payload = params["Payload"]
	}
	b, _ := json.Marshal(payload)
	out, err := r.ex.Invoke(ctx, s.function, b)
	if err != nil {
		var te *TaskError
		switch {
		case errors.As(err, &te):
			return nil, &Failure{Name: te.Name, Cause: te.Cause, State: s.name}
		case ctx.Err() != nil:
			return nil, &Failure{Name: "States.Timeout", Cause: "the task did not finish within its TimeoutSeconds", State: s.name}
		}
		return nil, &Failure{Name: "States.TaskFailed", Cause: err.Error(), State: s.name}
	}
	var result any
	if len(out) > 0 {
		if err := json.Unmarshal(out, &result); err != nil {
			return nil, &Failure{Name: "States.Runtime", Cause: fmt.Sprintf("the function's result is not JSON: %v", err), State: s.name}
		}
	}
	if s.invokeAPI {
		result = map[string]any{"ExecutedVersion": "$LATEST", "Payload": result, "StatusCode": 200,
			"SdkHttpMetadata": map[string]any{"HttpStatusCode": 200}}
	}
	return result, nil
}

func (r *runner) parallel(ctx context.Context, s *state, input any) (any, *Failure) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]any, len(s.branches))
	fails := make([]*Failure, len(s.branches))
	var wg sync.WaitGroup
	for i, b := range s.branches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := r.run(ctx, b, clone(input))
			if err != nil {
				var f *Failure
				if !errors.As(err, &f) {
					f = &Failure{Name: "States.Runtime", Cause: err.Error()}
				}
				fails[i] = f
				cancel() // one failed branch stops the others
				return
			}
			out[i] = v
		}()
	}
	wg.Wait()
	for _, f := range fails {
		if f != nil && f.Name != "States.Timeout" {
			return nil, &Failure{Name: f.Name, Cause: f.Cause, State: s.name}
		}
	}
	for _, f := range fails {
		if f != nil {
			return nil, &Failure{Name: f.Name, Cause: f.Cause, State: s.name}
		}
	}
	return out, nil
}
