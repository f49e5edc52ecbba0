package model

import (
	"maps"
	"path"
	"slices"
	"strings"
)

// The function kind: a Lambda function with its role and log group.
func init() {
	registerKind(&KindSpec{
		Kind: KindFunction, Order: 20,
		Noun: "function", Article: "a function",
		IDPrefix: "fn", BaseName: "Function",
		add: func(s *Stack, id, name string) *Node {
			f := NewFunction(id, name)
			s.Functions = append(s.Functions, f)
			return &f.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, f := range s.Functions {
				fn(f.ID, &f.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, f := range s.Functions {
				fn(&f.Node)
			}
		},
		count: func(s *Stack) int { return len(s.Functions) },
		applyDefaults: func(s *Stack) {
			for _, f := range s.Functions {
				if f.Runtime == "" {
					f.Runtime = DefaultRuntime
				}
				if f.Handler == "" {
					f.Handler = DefaultHandler
				}
				if f.CodePath == "" && f.Name != "" {
					f.CodePath = DefaultCodePath(f.Name)
				}
				if f.MemorySize == 0 {
					f.MemorySize = DefaultMemorySize
				}
				if f.Timeout == 0 {
					f.Timeout = DefaultTimeout
				}
				if f.LogRetentionDays == 0 {
					f.LogRetentionDays = DefaultLogRetentionDays
				}
				if f.LogDeletionPolicy == "" {
					f.LogDeletionPolicy = DeletionRetain
				}
			}
		},
		check: func(v *validator) {
			for _, f := range v.stack.Functions {
				v.checkFunction(f)
			}
		},
		clone: func(dst, src *Stack) {
			dst.Functions = cloneEach(src.Functions, func(f *Function) *Function {
				c := *f
				c.Environment = maps.Clone(f.Environment)
				c.Kept = cloneKept(f.Kept)
				return &c
			})
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.Functions)
			s.Functions = slices.DeleteFunc(s.Functions, func(f *Function) bool { return f.ID == id })
			return len(s.Functions) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, f := range src.Functions {
				f.ID = ids.renew(f.ID, "fn")
				f.Kept = forgetLogicalIDs(f.Kept)
				// A copy's code follows its new name, as a new function's
				// does, unless the original's had been moved elsewhere.
				if old := ids.oldName[f.Name]; old != f.Name && f.CodePath == DefaultCodePath(old) {
					f.CodePath = DefaultCodePath(f.Name)
				}
				dst.Functions = append(dst.Functions, f)
			}
		},
	})
}

// Function is a Lambda function.
type Function struct {
	Node
	Description string `json:"description,omitempty"`
	Runtime     string `json:"runtime"`
	Handler     string `json:"handler"`
	// CodePath is the function's code folder, relative to the stack's
	// folder (in its repository, or the one it was imported from); "." is
	// that folder itself. `aws cloudformation package` uploads it.
	CodePath    string            `json:"codePath"`
	MemorySize  int               `json:"memorySize"`
	Timeout     int               `json:"timeout"`
	Environment map[string]string `json:"environment,omitempty"`
	// LogRetentionDays is the retention of the function's log group.
	LogRetentionDays int `json:"logRetentionDays"`
	// LogDeletionPolicy says what happens to the log group when the stack
	// or the function is deleted.
	LogDeletionPolicy DeletionPolicy `json:"logDeletionPolicy"`
	// Kept is what an imported template said about the function's
	// resources that Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// NewFunction returns a function with the defaults.
func NewFunction(id, name string) *Function {
	return &Function{
		Node:              Node{ID: id, Name: name},
		Runtime:           DefaultRuntime,
		Handler:           DefaultHandler,
		CodePath:          DefaultCodePath(name),
		MemorySize:        DefaultMemorySize,
		Timeout:           DefaultTimeout,
		LogRetentionDays:  DefaultLogRetentionDays,
		LogDeletionPolicy: DeletionRetain,
	}
}

func (v *validator) checkFunction(f *Function) {
	l := label(KindFunction, &f.Node)
	if len(f.Description) > 256 {
		v.add(f.ID, "description", "%s: description is %d bytes; the limit is 256", l, len(f.Description))
	}
	if !slices.Contains(Runtimes, f.Runtime) {
		v.add(f.ID, "runtime", "%s: runtime %q is not one AWS lets new functions use; choose one of %s", l, f.Runtime, strings.Join(Runtimes, ", "))
	}
	if !handlerPattern.MatchString(f.Handler) {
		v.add(f.ID, "handler", "%s: handler must be 1 to 128 characters without spaces, like index.handler", l)
	}
	if msg := checkCodePath(f.CodePath); msg != "" {
		v.add(f.ID, "codePath", "%s: code path %q %s", l, f.CodePath, msg)
	}
	if f.MemorySize < MinMemorySize || f.MemorySize > MaxMemorySize {
		v.add(f.ID, "memorySize", "%s: memory must be %d to %d MB, not %d", l, MinMemorySize, MaxMemorySize, f.MemorySize)
	}
	if f.Timeout < MinTimeout || f.Timeout > MaxTimeout {
		v.add(f.ID, "timeout", "%s: timeout must be %d to %d seconds, not %d", l, MinTimeout, MaxTimeout, f.Timeout)
	}
	if !slices.Contains(LogRetentionDays, f.LogRetentionDays) {
		v.add(f.ID, "logRetentionDays", "%s: log retention of %d days is not one CloudWatch offers", l, f.LogRetentionDays)
	}
	if f.LogDeletionPolicy != DeletionRetain && f.LogDeletionPolicy != DeletionDelete {
		v.add(f.ID, "logDeletionPolicy", "%s: log deletion policy must be Retain or Delete", l)
	}
	generated := v.generatedEnv(f)
	size := 0
	for _, name := range sortedKeys(f.Environment) {
		size += len(name) + len(f.Environment[name])
		field := "environment." + name
		switch {
		case !envNamePattern.MatchString(name):
			v.add(f.ID, field, "%s: environment variable name %q must start with a letter and hold only letters, digits and _", l, name)
		case strings.HasPrefix(strings.ToUpper(name), "AWS_") || slices.Contains(reservedEnvNames, name):
			v.add(f.ID, field, "%s: environment variable %q is reserved by Lambda", l, name)
		case generated[name] != "":
			v.add(f.ID, field, "%s: environment variable %q is set by the wire to %s", l, name, generated[name])
		}
		// A draft may hold one (an import keeps what it cannot decide);
		// a deployment would get the text as the value.
		if fv := FrameworkVariable(f.Environment[name]); fv != "" {
			v.incomplete(f.ID, field, "%s: environment variable %s holds the Serverless Framework variable %s, which CloudFormation does not resolve; give it a value, or a stack parameter as ${Name}", l, name, fv)
		}
	}
	if size > MaxEnvironmentBytes {
		v.add(f.ID, "environment", "%s: environment variables take %d bytes; Lambda allows %d", l, size, MaxEnvironmentBytes)
	}
}

// generatedEnv maps the environment variables the function's wires set to a
// label of the wired resource.
func (v *validator) generatedEnv(f *Function) map[string]string {
	env := map[string]string{}
	for _, w := range v.index.WiresFrom(f.ID) {
		if g, ok := v.index.Grant(w); ok && g.EnvName != "" {
			env[g.EnvName] = label(g.Target())
		}
	}
	return env
}

func checkCodePath(p string) string {
	switch {
	case p == "":
		return "is required"
	case strings.Contains(p, `\`):
		return "must use forward slashes"
	case path.IsAbs(p):
		return "must be relative to the repository"
	case path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../"):
		return "must be a clean path inside the repository, like functions/send"
	case len(p) > 1024:
		return "is too long"
	}
	return ""
}
