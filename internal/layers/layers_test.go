// Package layers holds no code: its test keeps the packages' dependencies
// pointing the way the README's layout section says, so a shortcut from the
// HTTP layer or the command line into Git or an emulator fails here rather
// than in review.
package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/testtool"
)

const module = "github.com/switchboard-dev/switchboard"

// forbidden lists, per package, the project packages it must not import
// directly (non-test files). Packages are named by their path in the module
// without a leading internal/, so a move under internal/ keeps the rule.
var forbidden = map[string][]string{
	// The edges reach Git only through publish and the emulators only
	// through localrun.
	"cmd/switchboard": {"gitlink", "apigw", "lambdaemu", "dynamo", "localca", "sqslocal", "asl"},
	"server":          {"gitlink", "apigw", "lambdaemu", "dynamo", "localca", "sqslocal", "asl"},
	// The emulators know API Gateway and Lambda, not the stack: localrun
	// turns the stack into their configuration.
	"apigw":     {"model", "localrun", "export", "store", "server", "publish", "gitlink", "lambdaemu"},
	"lambdaemu": {"model", "localrun", "export", "store", "server", "publish", "gitlink", "apigw"},
	// The built-in DynamoDB and the local CA serve a run without knowing it.
	"dynamo":  {"model", "localrun", "export", "store", "server", "publish", "gitlink", "apigw", "lambdaemu"},
	"localca": {"model", "localrun", "export", "store", "server", "publish", "gitlink", "apigw", "lambdaemu"},
	// So do the queues and the state machine interpreter.
	"sqslocal": {"model", "localrun", "export", "store", "server", "publish", "gitlink", "apigw", "lambdaemu", "dynamo", "asl"},
	"asl":      {"model", "localrun", "export", "store", "server", "publish", "gitlink", "apigw", "lambdaemu", "dynamo", "sqslocal"},
	// Git is below publish, and knows nothing of stacks.
	"gitlink": {"model", "export", "store", "server", "publish", "localrun"},
	// The model is the bottom layer.
	"model": {"store", "export", "importer", "server", "publish", "gitlink", "localrun", "apigw", "lambdaemu", "web"},
}

type listedPackage struct {
	ImportPath string
	Imports    []string
}

func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	imports := map[string][]string{}
	for _, p := range pkgs {
		var own []string
		for _, imp := range p.Imports {
			if rel, ok := projectPath(imp); ok {
				own = append(own, rel)
			}
		}
		if rel, ok := projectPath(p.ImportPath); ok {
			imports[rel] = own
		}
	}
	for pkg, banned := range forbidden {
		own, ok := imports[pkg]
		if !ok {
			t.Errorf("package %s has a rule here but was not found: update the rule with the package", pkg)
			continue
		}
		for _, imp := range own {
			if slices.Contains(banned, imp) {
				t.Errorf("%s imports %s; see the README's layout section for the way dependencies point", pkg, imp)
			}
		}
	}
}

// projectPath returns a module package's path without the module prefix and
// a leading internal/, and false for packages of other modules.
func projectPath(importPath string) (string, bool) {
	rel, ok := strings.CutPrefix(importPath, module+"/")
	if !ok {
		return "", false
	}
	return strings.TrimPrefix(rel, "internal/"), true
}

// listPackages runs go list on the whole module, the same view the build has.
func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	goTool := testtool.Command(t, "go", "go list reads the packages' imports")
	cmd := exec.Command(goTool, "list", "-json=ImportPath,Imports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}
