package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A function's form: its code settings, limits, logs and environment.
func init() {
	registerKindForm(model.KindFunction, &kindForm{
		fields: set("name", "description", "runtime", "handler", "codePath", "memorySize", "timeout",
			"environment", "logRetentionDays", "logDeletionPolicy"),
		apply: applyFunction,
	})
}

func applyFunction(p *propertiesForm, f *nodeForm, st *model.Stack, id string) {
	fn := st.Function(id)
	sent(&fn.Name, p.Name)
	sent(&fn.Description, p.Description)
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
