package lambdaemu

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// bootstrapFS holds the runtime clients Switchboard runs handlers with: the
// Node.js bootstrap with its module resolve hook, and the Python bootstrap.
//
//go:embed node/bootstrap.mjs node/hooks.mjs python/bootstrap.py
var bootstrapFS embed.FS

// writeBootstraps copies the embedded bootstrap files into dir, keeping
// their folders.
func writeBootstraps(dir string) error {
	return fs.WalkDir(bootstrapFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := bootstrapFS.ReadFile(p)
		if err == nil {
			err = os.WriteFile(target, b, 0o644)
		}
		if err != nil {
			return fmt.Errorf("lambdaemu: writing the runtime bootstraps: %w", err)
		}
		return nil
	})
}

// launcher returns the command that runs one process of a function, its
// Runtime API at api (host:port/secret, the value of AWS_LAMBDA_RUNTIME_API).
type launcher func(api string) (*exec.Cmd, error)

// launcherFor picks how to run cfg's runtime. An unsupported runtime or a
// missing node gives a launcher that fails, so the other functions of a
// stack still run and this one's error names the cause on every Invoke.
func (p *Pool) launcherFor(cfg FunctionConfig) (launcher, error) {
	if cfg.CodeDir == "" || !filepath.IsAbs(cfg.CodeDir) {
		return nil, fmt.Errorf("lambdaemu: function %s: code folder %q is not an absolute path", cfg.Name, cfg.CodeDir)
	}
	fail := func(err error) launcher { return func(string) (*exec.Cmd, error) { return nil, err } }
	switch {
	case strings.HasPrefix(cfg.Runtime, "nodejs"):
		node := cmp.Or(cfg.Interpreter, p.opts.Node, "node")
		path, err := exec.LookPath(node)
		if err != nil {
			return fail(fmt.Errorf("lambdaemu: %s: %w: runtime %s needs node, and %q is not installed: %v", cfg.Name, ErrInit, cfg.Runtime, node, err)), nil
		}
		// V8's old space gets what Lambda's runtime gives it, 90% of
		// the memory; buffers and the rest are watched as RSS.
		heapMB := max(cfg.MemoryMB*9/10, 16)
		return func(api string) (*exec.Cmd, error) {
			if err := checkCodeDir(cfg); err != nil {
				return nil, err
			}
			runtimeDir := filepath.Join(p.tempDir, "node")
			cmd := exec.Command(path, "--max-old-space-size="+strconv.Itoa(heapMB), filepath.Join(runtimeDir, "bootstrap.mjs"))
			cmd.Dir = cfg.CodeDir
			extra := map[string]string{"AWS_EXECUTION_ENV": "AWS_Lambda_" + cfg.Runtime, "LAMBDA_RUNTIME_DIR": runtimeDir}
			if path := modulePath(cfg, nodeLayerPaths(cfg.Runtime), p.opts.NodePath); path != "" {
				extra["NODE_PATH"] = path
			}
			cmd.Env = p.environ(cfg, api, extra)
			return cmd, nil
		}, nil
	case strings.HasPrefix(cfg.Runtime, "python"):
		// The system's python3 whatever the runtime's version: looking up
		// python3.13 finds version managers' shims that fail when that
		// version is not the selected one.
		python := cmp.Or(cfg.Interpreter, p.opts.Python, "python3")
		path, err := p.pythonExecutable(python)
		if err != nil {
			return fail(fmt.Errorf("lambdaemu: %s: %w: runtime %s needs %q, which is not installed: %v", cfg.Name, ErrInit, cfg.Runtime, python, err)), nil
		}
		return func(api string) (*exec.Cmd, error) {
			if err := checkCodeDir(cfg); err != nil {
				return nil, err
			}
			runtimeDir := filepath.Join(p.tempDir, "python")
			cmd := exec.Command(path, filepath.Join(runtimeDir, "bootstrap.py"))
			cmd.Dir = cfg.CodeDir
			extra := map[string]string{
				"AWS_EXECUTION_ENV":  "AWS_Lambda_" + cfg.Runtime,
				"LAMBDA_RUNTIME_DIR": runtimeDir,
				"PYTHONUNBUFFERED":   "1",
				// Lambda's code folder is read-only; the user's must not
				// fill with __pycache__ folders either.
				"PYTHONDONTWRITEBYTECODE": "1",
			}
			if path := modulePath(cfg, pythonLayerPaths(cfg.Runtime), p.opts.PythonPath); path != "" {
				extra["PYTHONPATH"] = path
			}
			cmd.Env = p.environ(cfg, api, extra)
			return cmd, nil
		}, nil
	case strings.HasPrefix(cfg.Runtime, "provided"):
		return func(api string) (*exec.Cmd, error) {
			if err := checkCodeDir(cfg); err != nil {
				return nil, err
			}
			bootstrap := filepath.Join(cfg.CodeDir, "bootstrap")
			fi, err := os.Stat(bootstrap)
			if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
				return nil, &FunctionError{Function: cfg.Name, Type: "Runtime.InvalidEntrypoint",
					Message: fmt.Sprintf("runtime %s runs the executable %s, which is missing or not executable: build your handler to a file named bootstrap there", cfg.Runtime, bootstrap),
					Kind:    ErrInit}
			}
			cmd := exec.Command(bootstrap)
			cmd.Dir = cfg.CodeDir
			cmd.Env = p.environ(cfg, api, map[string]string{"LAMBDA_RUNTIME_DIR": cfg.CodeDir})
			return cmd, nil
		}, nil
	default:
		return fail(fmt.Errorf("lambdaemu: %s: %w: %s (nodejs*, python* and provided.* runtimes run locally)", cfg.Name, ErrUnsupportedRuntime, cfg.Runtime)), nil
	}
}

// pythonExecutable finds the interpreter python names, once per pool. It
// asks the interpreter for its own path, because python3 on PATH is often a
// version manager's shim (pyenv) that costs half a second per start.
func (p *Pool) pythonExecutable(python string) (string, error) {
	p.pythonMu.Lock()
	defer p.pythonMu.Unlock()
	if exe, ok := p.pythons[python]; ok {
		return exe, nil
	}
	found, err := exec.LookPath(python)
	if err != nil {
		return "", err
	}
	exe := found
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, found, "-c", "import sys; print(sys.executable)").Output()
	if real := strings.TrimSpace(string(out)); err == nil && filepath.IsAbs(real) {
		exe = real
	}
	if p.pythons == nil {
		p.pythons = map[string]string{}
	}
	p.pythons[python] = exe
	return exe, nil
}

func checkCodeDir(cfg FunctionConfig) error {
	fi, err := os.Stat(cfg.CodeDir)
	if err != nil || !fi.IsDir() {
		return &FunctionError{Function: cfg.Name, Type: "Runtime.InvalidEntrypoint",
			Message: fmt.Sprintf("code folder %s does not exist or is not a folder", cfg.CodeDir), Kind: ErrInit}
	}
	return nil
}

// environ builds a process's environment the way Lambda does: a clean one
// (nothing of Switchboard's own environment leaks in but PATH and the
// locale), the standard variables, cfg.Env over them, and the variables
// Lambda reserves over everything.
func (p *Pool) environ(cfg FunctionConfig, api string, extra map[string]string) []string {
	env := map[string]string{
		"PATH":                           os.Getenv("PATH"),
		"LANG":                           "en_US.UTF-8",
		"TZ":                             ":UTC",
		"AWS_REGION":                     p.opts.Region,
		"AWS_DEFAULT_REGION":             p.opts.Region,
		"AWS_LAMBDA_LOG_GROUP_NAME":      "/aws/lambda/" + cfg.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":     time.Now().UTC().Format("2006/01/02") + "/[$LATEST]switchboard",
		"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
	}
	if _, given := cfg.Env["AWS_ACCESS_KEY_ID"]; !given {
		// Dummy credentials: SDKs sign requests to the local endpoints
		// with them, and they can never reach a real account.
		env["AWS_ACCESS_KEY_ID"] = "ASIASWITCHBOARDLOCAL"
		env["AWS_SECRET_ACCESS_KEY"] = "switchboard-local-secret"
		env["AWS_SESSION_TOKEN"] = "switchboard-local-session"
	}
	maps.Copy(env, extra)
	maps.Copy(env, cfg.Env)
	maps.Copy(env, map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        cfg.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(cfg.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_RUNTIME_API":          api,
		"_HANDLER":                        cfg.Handler,
		"LAMBDA_TASK_ROOT":                cfg.CodeDir,
	})
	out := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}
