package localrun

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// Run locally runs only the stack's own code: what the user wrote in each
// function's code folder. A stack is not always the user's own work (a
// shared switchboard.json, an imported template, a cloned repository), and
// on AWS environment variables and handlers only ever reach the function's
// own sandbox; here they would run on the user's machine. So the run
// refuses, before starting anything, a handler that resolves outside its
// code folder and an environment variable that makes a runtime load other
// code. Export keeps both: on AWS they are legitimate.

// loaderVariables make a runtime, the dynamic linker or a shell load code
// from elsewhere; their names are compared in upper case.
var loaderVariables = map[string]string{
	"NODE_PATH":                 "makes Node.js resolve modules outside the code folder",
	"NODE_REPL_EXTERNAL_MODULE": "makes Node.js load a module in place of its REPL",
	"PYTHONPATH":                "makes Python import modules from outside the code folder",
	"PYTHONHOME":                "makes Python load its standard library from another folder",
	"PYTHONSTARTUP":             "makes Python run a file at start-up",
	"PYTHONUSERBASE":            "makes Python load site packages (and their .pth code) from another folder",
	"PYTHONPYCACHEPREFIX":       "makes Python load compiled modules from another folder",
	"PYTHONBREAKPOINT":          "makes Python import a module on breakpoint()",
	"BASH_ENV":                  "makes every bash script run a file first",
	"ENV":                       "makes sh run a file first",
	"PERL5OPT":                  "passes options (-M modules) to every perl",
	"PERL5LIB":                  "makes perl load modules from another folder",
	"PERLLIB":                   "makes perl load modules from another folder",
	"PERL5DB":                   "makes perl load a debugger",
	"RUBYOPT":                   "passes options (-r libraries) to every ruby",
	"RUBYLIB":                   "makes ruby load libraries from another folder",
	"JAVA_TOOL_OPTIONS":         "passes options (-javaagent) to every JVM",
	"_JAVA_OPTIONS":             "passes options (-javaagent) to every JVM",
	"JDK_JAVA_OPTIONS":          "passes options (-javaagent) to every JVM",
	"GCONV_PATH":                "makes the C library load conversion modules from another folder",
	"GLIBC_TUNABLES":            "changes how the C library and the dynamic linker behave",
	"OPENSSL_CONF":              "makes OpenSSL load a configuration that may load engines",
	"OPENSSL_ENGINES":           "makes OpenSSL load engines from another folder",
}

// loaderPrefixes are families of such variables.
var loaderPrefixes = map[string]string{
	"LD_":        "makes the dynamic linker load other libraries",
	"DYLD_":      "makes the dynamic linker load other libraries",
	"BASH_FUNC_": "defines a shell function that every bash runs in place of a command",
}

// nodeLoaderFlags are the Node.js options (dashes as written, underscores
// turned to dashes) that load code: modules, loaders, a debugger anyone
// local can drive, configuration files that name more options.
var nodeLoaderFlags = map[string]bool{
	"-r": true, "--require": true, "--import": true, "--loader": true, "--experimental-loader": true,
	"-e": true, "--eval": true, "-p": true, "--print": true,
	"--inspect": true, "--inspect-brk": true, "--inspect-wait": true, "--inspect-port": true, "--debug-port": true,
	"--openssl-config": true, "--env-file": true, "--env-file-if-exists": true,
	"--experimental-config-file": true, "--experimental-default-config-file": true,
	"--snapshot-blob": true, "--build-snapshot": true,
}

// envProblem says why a function's environment variable cannot run
// locally, or "".
func envProblem(name, value string) string {
	upper := strings.ToUpper(name)
	if upper == "NODE_OPTIONS" {
		if flag := nodeLoaderFlag(value); flag != "" {
			return fmt.Sprintf("holds %s, which makes Node.js load code from outside the code folder", flag)
		}
		return ""
	}
	if why, ok := loaderVariables[upper]; ok {
		return why
	}
	for prefix, why := range loaderPrefixes {
		if strings.HasPrefix(upper, prefix) {
			return why
		}
	}
	return ""
}

// nodeLoaderFlag returns the first option of a NODE_OPTIONS value that
// loads code, or "". It splits the value as Node.js does: on spaces
// outside double quotes, quotes dropped, a backslash inside quotes
// escaping the next character; then also on any other white space.
func nodeLoaderFlag(value string) string {
	var tokens []string
	var cur strings.Builder
	inString, started := false, false
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case c == '\\' && inString && i+1 < len(value):
			i++
			c = value[i]
		case c == ' ' && !inString:
			if started {
				tokens = append(tokens, cur.String())
				cur.Reset()
				started = false
			}
			continue
		case c == '"':
			inString = !inString
			started = true
			continue
		}
		cur.WriteByte(c)
		started = true
	}
	if started {
		tokens = append(tokens, cur.String())
	}
	for _, tok := range tokens {
		for _, part := range strings.FieldsFunc(tok, unicode.IsSpace) {
			name, _, _ := strings.Cut(part, "=")
			name = strings.ToLower(name)
			if rest, ok := strings.CutPrefix(name, "--"); ok {
				name = "--" + strings.ReplaceAll(rest, "_", "-")
			} else if strings.HasPrefix(name, "-r") {
				// -r ./x and a value glued to the short option.
				name = "-r"
			}
			if nodeLoaderFlags[name] {
				return part
			}
		}
	}
	return ""
}

// checkEnvironment lists every function's variables that would load other
// code.
func checkEnvironment(s *model.Stack) []string {
	var problems []string
	for _, f := range s.Functions {
		for _, name := range sortedNames(f.Environment) {
			if why := envProblem(name, f.Environment[name]); why != "" {
				problems = append(problems, fmt.Sprintf("function %s: environment variable %s %s", f.Name, name, why))
			}
		}
	}
	return problems
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// handlerModule returns the module path of a handler, slash-separated and
// relative to the code folder, as the runtime resolves it: Node.js takes
// what comes before the first dot of the last path segment, Python what
// comes before the last dot. It is "" for runtimes that run a bootstrap
// executable.
func handlerModule(runtime, handler string) string {
	switch {
	case strings.HasPrefix(runtime, "nodejs"):
		slash := strings.LastIndex(handler, "/")
		if dot := strings.Index(handler[slash+1:], "."); dot >= 0 {
			return handler[:slash+1+dot]
		}
		return handler
	case strings.HasPrefix(runtime, "python"):
		if dot := strings.LastIndex(handler, "."); dot >= 0 {
			return handler[:dot]
		}
		return handler
	}
	return ""
}

// checkHandlerPaths refuses handlers whose module path leaves the code
// folder by its spelling: absolute, or through "..".
func checkHandlerPaths(s *model.Stack) []string {
	var problems []string
	for _, f := range s.Functions {
		mod := handlerModule(f.Runtime, f.Handler)
		if mod == "" {
			continue
		}
		if strings.HasPrefix(mod, "/") || strings.Contains(mod, `\`) || filepath.IsAbs(mod) || filepath.VolumeName(mod) != "" ||
			slices.Contains(strings.Split(mod, "/"), "..") || path.Clean(mod) == "." {
			problems = append(problems, fmt.Sprintf("function %s: handler %q must name a module inside its code folder (no absolute path, no ..)", f.Name, f.Handler))
		}
	}
	return problems
}

// checkHandlerFiles refuses handlers whose file, once symbolic links are
// followed, lies outside the function's code folder. A handler with no file
// fails at init, in that function only; the Python bootstrap refuses a
// module it would find outside the code folder (the standard library).
func checkHandlerFiles(s *model.Stack, fns map[string]string) ([]string, error) {
	var problems []string
	for _, f := range s.Functions {
		dir := fns[f.Name]
		root, err := filepath.EvalSymlinks(dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // checkCodeFolders names it
			}
			return nil, fmt.Errorf("localrun: code folder of %s: %w", f.Name, err)
		}
		mod := handlerModule(f.Runtime, f.Handler)
		var candidates []string
		switch {
		case strings.HasPrefix(f.Runtime, "nodejs"):
			candidates = []string{mod + ".js", mod + ".mjs", mod + ".cjs"}
		case strings.HasPrefix(f.Runtime, "python"):
			candidates = []string{mod + ".py", mod + "/__init__.py"}
		default:
			candidates = []string{"bootstrap"}
		}
		for _, c := range candidates {
			p := filepath.Join(dir, filepath.FromSlash(c))
			real, err := filepath.EvalSymlinks(p)
			if errors.Is(err, fs.ErrNotExist) {
				if _, lerr := os.Lstat(p); lerr == nil {
					// A dangling link: where it points may appear later.
					problems = append(problems, fmt.Sprintf("function %s: %s is a symbolic link to nowhere", f.Name, c))
				}
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("localrun: handler of %s: %w", f.Name, err)
			}
			if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
				problems = append(problems, fmt.Sprintf("function %s: handler file %s resolves to %s, outside its code folder %s", f.Name, c, real, dir))
			}
		}
	}
	return problems, nil
}

// refuse turns problems into one error naming each.
func refuse(s *model.Stack, problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return model.Errorf(model.EINVALID, "stack %q cannot run locally: %s (a stack runs locally only its own code; export keeps these for AWS)", s.Name, strings.Join(problems, "; "))
}
