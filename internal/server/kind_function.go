package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A function's form: its code settings, limits, logs and environment.
func init() {
	registerKindForm(model.KindFunction, &kindForm{
		fields: set("name", "description", "runtime", "handler", "codePath", "memorySize", "timeout",
			"environment", "logRetentionDays", "logDeletionPolicy"),
		read: readFunctionFields,
	})
}

// functionFields is a function's part of the properties form.
type functionFields struct {
	Runtime, Handler, CodePath, LogDeletionPolicy *string
	MemorySize, Timeout, LogRetentionDays         *int
	// Env is nil when the form had no environment part.
	Env *envRows
}

// envRows are the environment rows, in order: env.name, env.value and
// env.was (the saved name the row showed) repeated.
type envRows struct {
	Names, Values, Was []string
}

func readFunctionFields(v formValues, errors map[string]string) kindFields {
	f := &functionFields{
		Runtime: v.str("runtime"), Handler: v.str("handler"), CodePath: v.str("codePath"),
		LogDeletionPolicy: v.str("logDeletionPolicy"),
		MemorySize:        v.num("memorySize", "Memory", errors),
		Timeout:           v.num("timeout", "Timeout", errors),
		LogRetentionDays:  v.num("logRetentionDays", "Log retention", errors),
	}
	if _, sent := v["envForm"]; sent {
		f.Env = &envRows{Names: v["env.name"], Values: v["env.value"], Was: v["env.was"]}
	}
	return f
}

func (p *functionFields) apply(common *propertiesForm, f *nodeForm, st *model.Stack, id string) {
	fn := st.Function(id)
	sent(&fn.Name, common.Name)
	sent(&fn.Description, common.Description)
	sent(&fn.Runtime, p.Runtime)
	sent(&fn.Handler, p.Handler)
	sent(&fn.CodePath, p.CodePath)
	sent(&fn.MemorySize, p.MemorySize)
	sent(&fn.Timeout, p.Timeout)
	sent(&fn.LogRetentionDays, p.LogRetentionDays)
	setNonEmpty(&fn.LogDeletionPolicy, p.LogDeletionPolicy)
	if p.Env != nil {
		f.applyEnvRows(p.Env, fn)
	}
	if fn.CodePath == "" {
		fn.CodePath = model.DefaultCodePath(fn.Name)
	}
}
