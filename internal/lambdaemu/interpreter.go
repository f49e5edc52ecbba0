package lambdaemu

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Interpreter is the local program that runs a function's runtime.
type Interpreter struct {
	// Path is the executable; "" when none was found.
	Path string
	// Version is what it reports, such as "v22.11.0" or "3.12.4".
	Version string
	// Warning, when not empty, says that the interpreter's version differs
	// from the runtime's and how to fix it.
	Warning string
}

// runtimeVersion splits a runtime into its language and the version the
// local interpreter should have: nodejs22.x → node, "22"; python3.12 →
// python, "3.12". ok is false for other runtimes.
func runtimeVersion(runtime string) (lang, want string, ok bool) {
	if v, found := strings.CutPrefix(runtime, "nodejs"); found {
		v, _, _ = strings.Cut(v, ".")
		return "node", v, v != ""
	}
	if v, found := strings.CutPrefix(runtime, "python"); found && v != "" {
		return "python", v, true
	}
	return "", "", false
}

var versionNumber = regexp.MustCompile(`\d+(\.\d+)*`)

// matches reports whether a version an interpreter printed has the
// runtime's version: the major for Node.js, major.minor for Python.
func matches(lang, version, want string) bool {
	v := versionNumber.FindString(version)
	switch lang {
	case "node":
		major, _, _ := strings.Cut(v, ".")
		return major == want
	case "python":
		return v == want || strings.HasPrefix(v, want+".")
	}
	return false
}

// interpreterVersions caches what each executable printed for its version:
// a stack's functions ask for the same few.
var interpreterVersions sync.Map // path → string ("" when it did not run)

func versionOf(ctx context.Context, path, lang string) string {
	if v, ok := interpreterVersions.Load(path); ok {
		return v.(string)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	arg := "--version"
	var out []byte
	var err error
	if lang == "python" {
		// python --version prints to stderr on old versions; a version
		// manager's shim for an unselected version fails here too.
		out, err = exec.CommandContext(ctx, path, "-c", "import platform; print(platform.python_version())").Output()
	} else {
		out, err = exec.CommandContext(ctx, path, arg).Output()
	}
	v := ""
	if err == nil {
		v = strings.TrimSpace(string(out))
	}
	interpreterVersions.Store(path, v)
	return v
}

// FindInterpreter picks the program that runs runtime: the one given
// (--node; "" for none), else one on PATH named for the runtime's version
// (node22, python3.12) that reports that version, else the plain one (node,
// python3). When the version it reports differs from the runtime's, the
// Warning says so and names the fix; the run goes on with it, as the
// difference rarely matters to a handler and is for the user to judge.
func FindInterpreter(ctx context.Context, runtime, given string) Interpreter {
	lang, want, ok := runtimeVersion(runtime)
	if !ok {
		return Interpreter{}
	}
	plain := "node"
	versioned := []string{"node" + want, "nodejs" + want}
	if lang == "python" {
		plain = "python3"
		versioned = []string{"python" + want}
	}
	var candidates []string
	if given != "" {
		candidates = []string{given}
	} else {
		candidates = append(versioned, plain)
	}
	var first Interpreter
	for _, name := range candidates {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		v := versionOf(ctx, path, lang)
		if v == "" {
			continue
		}
		if matches(lang, v, want) {
			return Interpreter{Path: path, Version: v}
		}
		if first.Path == "" {
			first = Interpreter{Path: path, Version: v}
		}
	}
	if first.Path == "" {
		return first
	}
	fix := fmt.Sprintf("install Node.js %s and put it on PATH as node or node%s, or pass --node with its path", want, want)
	if given != "" {
		fix = fmt.Sprintf("pass --node with a Node.js %s", want)
	}
	if lang == "python" {
		fix = fmt.Sprintf("install Python %s and put it on PATH as python%s", want, want)
	}
	first.Warning = fmt.Sprintf("runtime %s runs on the local %s %s (%s), not on version %s as on Lambda: %s",
		runtime, lang, first.Version, first.Path, want, fix)
	return first
}
