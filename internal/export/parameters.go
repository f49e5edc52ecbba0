package export

import (
	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// The stack's parameters are the template's Parameters, each of type
// String; a value that uses one as ${Name} is written as a Ref of it when
// it is nothing else, and as a Sub otherwise.

// parameterValue is the function of the stack's parameters a value is, or
// nil when it uses none.
func (b *builder) parameterValue(v string) *cfn.Value {
	refs := b.s.ParameterRefs(v)
	if len(refs) == 0 {
		return nil
	}
	if v == "${"+refs[0]+"}" {
		return b.ref(refs[0])
	}
	return b.sub(b.s.SubEscape(v))
}

// parametersNode is the Parameters section the stack's parameters make,
// followed by the parameters an import kept as written, or nil for none.
func parametersNode(s *model.Stack, kept *cfn.Value) *cfn.Value {
	if len(s.Parameters) == 0 {
		return kept
	}
	out := &cfn.Value{Kind: cfn.Map}
	for _, p := range s.Parameters {
		def := cfn.MapOf("Type", cfn.Str("String"))
		if p.Default != nil {
			def.Set("Default", cfn.Str(*p.Default))
		}
		if p.Description != "" {
			def.Set("Description", cfn.Str(p.Description))
		}
		out.Set(p.Name, def)
	}
	if kept != nil && kept.Kind == cfn.Map {
		for i, k := range kept.Keys {
			out.Set(k, kept.Items[i])
		}
	}
	return out
}
