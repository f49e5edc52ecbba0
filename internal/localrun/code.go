package localrun

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/lambdaemu"
	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/tempdir"
)

// Where each function's code is: its code path under the run's code
// folder (the linked repository's working copy, the folder the stack was
// imported from, or --code) when that folder exists; otherwise a starter
// handler, which the run reports for that function. A code path is the
// stack's, and the stack may come from an untrusted file, so once symbolic
// links are followed the folder must still lie inside the code folder.

// Starter is a function that runs a starter handler because its own code
// folder does not exist.
type Starter struct {
	Function string
	// Missing is the code folder that does not exist; empty when the run
	// has no code folder at all.
	Missing string
	// Folder is where the starter handler was written.
	Folder string
}

// Message is what the run says about the starter.
func (s Starter) Message() string {
	if s.Missing == "" {
		return fmt.Sprintf("runs a STARTER handler, not your code: the run has no code folder (starter in %s)", s.Folder)
	}
	return fmt.Sprintf("runs a STARTER handler, not your code: its code folder %s does not exist (starter in %s)", s.Missing, s.Folder)
}

// codeFolders finds each function's code folder, writing starter handlers
// for those whose folder does not exist, and refuses a folder that leaves
// the code folder.
func codeFolders(st *starting) (map[string]string, error) {
	r, s, root := st.r, st.s, st.cfg.CodeDir
	folders := make(map[string]string, len(s.Functions))
	var missing []*model.Function
	var problems []string
	realRoot := ""
	if root != "" {
		var err error
		if realRoot, err = filepath.EvalSymlinks(root); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, model.Errorf(model.EINVALID, "the code folder %s does not exist", root)
			}
			return nil, fmt.Errorf("localrun: code folder: %w", err)
		}
	}
	for _, f := range s.Functions {
		if root == "" {
			missing = append(missing, f)
			continue
		}
		dir := filepath.Join(root, filepath.FromSlash(f.CodePath))
		real, err := filepath.EvalSymlinks(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if _, lerr := os.Lstat(dir); lerr == nil {
				problems = append(problems, fmt.Sprintf("function %s: its code folder %s is a symbolic link to nowhere", f.Name, dir))
				continue
			}
			missing = append(missing, f)
			continue
		case err != nil:
			return nil, fmt.Errorf("localrun: code folder of %s: %w", f.Name, err)
		case !inside(realRoot, real):
			problems = append(problems, fmt.Sprintf("function %s: its code folder %s resolves to %s, outside the code folder %s", f.Name, dir, real, root))
			continue
		}
		if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
			problems = append(problems, fmt.Sprintf("function %s: its code path %s is not a folder", f.Name, dir))
			continue
		}
		folders[f.Name] = dir
	}
	if err := refuse(s, problems); err != nil {
		return nil, err
	}
	if len(missing) == 0 {
		return folders, nil
	}
	tmp, err := tempdir.Make("switchboard-run")
	if err != nil {
		return nil, fmt.Errorf("localrun: %w", err)
	}
	r.tmp = tmp
	for _, f := range missing {
		// A folder per function: functions sharing a code path (the
		// service folder, say) each get their own starter.
		folder := filepath.Join(tmp, f.Name)
		name, content := export.Scaffold(s, f)
		file := filepath.Join(folder, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return nil, fmt.Errorf("localrun: starter for %s: %w", f.Name, err)
		}
		if err := os.WriteFile(file, content, 0o644); err != nil {
			return nil, fmt.Errorf("localrun: starter for %s: %w", f.Name, err)
		}
		folders[f.Name] = folder
		sf := Starter{Function: f.Name, Folder: folder}
		if root != "" {
			sf.Missing = filepath.Join(root, filepath.FromSlash(f.CodePath))
		}
		r.starters = append(r.starters, sf)
		st.logger.WarnContext(st.ctx, "function "+sf.Function+" "+sf.Message(), slog.String("function", f.Name))
	}
	return folders, nil
}

// inside reports whether path lies in (or is) dir; both are real paths.
func inside(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Starters lists the functions running starter handlers.
func (r *Runner) Starters() []Starter { return r.starters }

// MissingParameters names the stack's parameters that have no default and
// no value in given, in the stack's order; not those only what the run
// does not emulate uses (a custom domain's certificate).
func MissingParameters(s *model.Stack, given map[string]string) []string {
	var missing []string
	unused := deployOnlyParameters(s)
	for _, p := range s.Parameters {
		if _, ok := given[p.Name]; !ok && p.Default == nil && !unused[p.Name] {
			missing = append(missing, p.Name)
		}
	}
	return missing
}

// checkParameters refuses values for parameters the stack does not have,
// and a run missing a value for one without a default.
func checkParameters(s *model.Stack, given map[string]string) error {
	var unknown []string
	for name := range given {
		if s.Parameter(name) == nil {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return model.Errorf(model.EINVALID, "stack %q has no parameter %s", s.Name, strings.Join(unknown, ", "))
	}
	if missing := MissingParameters(s, given); len(missing) > 0 {
		return model.Errorf(model.EINVALID, "stack %q needs a value for parameter %s, which has no default", s.Name, strings.Join(missing, ", "))
	}
	// A default comes from the stack, which may come from an untrusted
	// file: the environment it makes is checked as a written one is.
	var problems []string
	value := parameterValues(s, given)
	for _, f := range s.Functions {
		for _, name := range sortedNames(f.Environment) {
			v := f.Environment[name]
			if len(s.ParameterRefs(v)) == 0 {
				continue // checkEnvironment had it
			}
			if why := envProblem(name, s.ExpandParameters(v, value)); why != "" {
				problems = append(problems, fmt.Sprintf("function %s: environment variable %s, with the stack's parameters, %s", f.Name, name, why))
			}
		}
	}
	return refuse(s, problems)
}

// parameterValues returns the value of each of the stack's parameters:
// given, else its default.
func parameterValues(s *model.Stack, given map[string]string) func(string) string {
	return func(name string) string {
		if v, ok := given[name]; ok {
			return v
		}
		if p := s.Parameter(name); p != nil && p.Default != nil {
			return *p.Default
		}
		return ""
	}
}

// placeCode points each function at its code folder and puts the run's
// parameter values (given, else the default) into its environment.
func (r *Runner) placeCode(s *model.Stack, given map[string]string, fns []lambdaemu.FunctionConfig) {
	value := parameterValues(s, given)
	for i := range fns {
		if dir, ok := r.folders[fns[i].Name]; ok {
			fns[i].CodeDir = dir
		}
		fns[i].LayerDirs = r.layerDirs[fns[i].Name]
		for k, v := range fns[i].Env {
			fns[i].Env[k] = s.ExpandParameters(v, value)
		}
		if i < len(s.Functions) && s.Functions[i].Name == fns[i].Name {
			applyParamFields(s.Functions[i], value, &fns[i])
		}
	}
}

// applyParamFields gives the function the memory and timeout of the
// parameters they take (model.ParamRef), as the deployed template would; a
// value that is not a whole number keeps the function's own.
func applyParamFields(f *model.Function, value func(string) string, fn *lambdaemu.FunctionConfig) {
	if name := f.ParamOf("memorySize"); name != "" {
		if mb, err := strconv.Atoi(value(name)); err == nil && mb > 0 {
			fn.MemoryMB = mb
		}
	}
	if name := f.ParamOf("timeout"); name != "" {
		if secs, err := strconv.Atoi(value(name)); err == nil && secs > 0 {
			fn.Timeout = time.Duration(secs) * time.Second
		}
	}
}

// Starters lists the run's functions running starter handlers.
func (r *Run) Starters() []Starter { return r.runner.Starters() }
