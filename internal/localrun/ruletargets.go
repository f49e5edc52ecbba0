package localrun

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// A rule target the export does not generate (one with an Input,
// InputPath or InputTransformer, or of a kind Switchboard does not wire)
// is kept in the rule's Targets as the template wrote it. A run delivers
// those that name a function or queue of the stack (GetAtt X.Arn), shaped
// as EventBridge shapes them, and names the others when it starts.

// keptTargets reads a rule's kept Targets.
func keptTargets(st *starting, x *model.Index, lr *localRule) []ruleTarget {
	r := lr.rule
	var raw []map[string]json.RawMessage
	for _, k := range r.Kept {
		for _, p := range k.Properties {
			if k.Part == model.PartMain && p.Key == "Targets" {
				_ = json.Unmarshal(p.Value, &raw)
			}
		}
	}
	byLogicalID := map[string]*model.Wire{}
	for _, f := range st.s.Functions {
		byLogicalID[model.KeptLogicalID(f.Kept, model.PartMain, f.Name)] = &model.Wire{Kind: model.WireTrigger, From: r.ID, To: f.ID}
	}
	for _, q := range st.s.Queues {
		byLogicalID[model.KeptLogicalID(q.Kept, model.PartMain, q.Name)] = &model.Wire{Kind: model.WireDeliver, From: r.ID, To: q.ID}
	}
	var out []ruleTarget
	for _, t := range raw {
		var id string
		_ = json.Unmarshal(t["Id"], &id)
		logical, att, _ := strings.Cut(refOf(t["Arn"]), ".")
		w := byLogicalID[logical]
		if w == nil || att != "Arn" {
			st.progress(fmt.Sprintf("warning: rule %s: target %s is not a function or queue of the stack, which a local run does not deliver to", r.Name, id))
			continue
		}
		if wired(x, r.ID, w.To) && len(t) == 2 {
			continue // the wire delivers it
		}
		input, err := targetInput(t, lr)
		if err != nil {
			st.progress(fmt.Sprintf("warning: rule %s: target %s: %v; a local run does not deliver to it", r.Name, id, err))
			continue
		}
		out = append(out, ruleTarget{wire: w, input: input})
	}
	return out
}

func wired(x *model.Index, from, to string) bool {
	for _, w := range x.WiresFrom(from) {
		if w.To == to {
			return true
		}
	}
	return false
}

// targetInput is what a target's Input, InputPath or InputTransformer
// makes of an event; nil for the event as it is.
func targetInput(t map[string]json.RawMessage, lr *localRule) (func([]byte) ([]byte, error), error) {
	for key := range t {
		switch key {
		case "Id", "Arn", "Input", "InputPath", "InputTransformer":
		case "SqsParameters", "RetryPolicy", "DeadLetterConfig":
			// Delivery details the run's own delivery stands in for.
		default:
			return nil, fmt.Errorf("%s is not emulated", key)
		}
	}
	if raw, ok := t["Input"]; ok {
		var input string
		if json.Unmarshal(raw, &input) != nil || !json.Valid([]byte(input)) {
			return nil, fmt.Errorf("its Input is not JSON text")
		}
		return func([]byte) ([]byte, error) { return []byte(input), nil }, nil
	}
	if raw, ok := t["InputPath"]; ok {
		var path string
		if json.Unmarshal(raw, &path) != nil {
			return nil, fmt.Errorf("its InputPath is not a string")
		}
		if _, err := splitJSONPath(path); err != nil {
			return nil, err
		}
		return func(event []byte) ([]byte, error) {
			v, _ := valueAt(event, path)
			return json.Marshal(v)
		}, nil
	}
	if raw, ok := t["InputTransformer"]; ok {
		var tr struct {
			InputPathsMap map[string]string
			InputTemplate *string
		}
		if json.Unmarshal(raw, &tr) != nil || tr.InputTemplate == nil {
			return nil, fmt.Errorf("its InputTransformer is not a map of paths and a template written as text")
		}
		for _, p := range tr.InputPathsMap {
			if _, err := splitJSONPath(p); err != nil {
				return nil, err
			}
		}
		return func(event []byte) ([]byte, error) {
			return transformInput(event, tr.InputPathsMap, *tr.InputTemplate, lr), nil
		}, nil
	}
	return nil, nil
}

// splitJSONPath reads the JSONPath EventBridge takes: $ or $.a.b.
func splitJSONPath(path string) ([]string, error) {
	if path == "$" {
		return nil, nil
	}
	rest, ok := strings.CutPrefix(path, "$.")
	if !ok || rest == "" || strings.ContainsAny(rest, "[]*") {
		return nil, fmt.Errorf("the path %q is not $.field.field, the form a local run follows", path)
	}
	return strings.Split(rest, "."), nil
}

// valueAt is the value at a path of the event, and whether it is there.
func valueAt(event []byte, path string) (any, bool) {
	keys, _ := splitJSONPath(path)
	var v any
	if json.Unmarshal(event, &v) != nil {
		return nil, false
	}
	for _, k := range keys {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// transformInput fills an InputTemplate: each <name> of the paths map, and
// EventBridge's own (<aws.events.event.json>, the whole event;
// <aws.events.rule-name>, <aws.events.rule-arn>,
// <aws.events.event.ingestion-time>), becomes its value: a string's text,
// anything else's JSON; a path not in the event gives null, nothing
// inside quotes.
func transformInput(event []byte, paths map[string]string, template string, lr *localRule) []byte {
	var b strings.Builder
	for {
		i := strings.IndexByte(template, '<')
		if i < 0 {
			b.WriteString(template)
			break
		}
		j := strings.IndexByte(template[i:], '>')
		if j < 0 {
			b.WriteString(template)
			break
		}
		name := template[i+1 : i+j]
		b.WriteString(template[:i])
		template = template[i+j+1:]
		var v any
		var found bool
		switch name {
		case "aws.events.event.json", "aws.events.event":
			b.Write(event)
			continue
		case "aws.events.rule-name":
			v, found = lr.rule.Name, true
		case "aws.events.rule-arn":
			v, found = lr.arn, true
		case "aws.events.event.ingestion-time":
			v, found = valueAt(event, "$.time")
		default:
			path, ok := paths[name]
			if !ok {
				b.WriteString("<" + name + ">")
				continue
			}
			v, found = valueAt(event, path)
		}
		inQuotes := strings.HasSuffix(b.String(), `"`) && strings.HasPrefix(template, `"`)
		switch s, isString := v.(string); {
		case isString:
			if inQuotes {
				esc, _ := json.Marshal(s)
				b.WriteString(strings.Trim(string(esc), `"`))
			} else {
				b.WriteString(s)
			}
		case !found && inQuotes:
		default:
			j, _ := json.Marshal(v)
			b.Write(j)
		}
	}
	return []byte(b.String())
}
