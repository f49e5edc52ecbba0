package export

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// lintedStacks are stacks using what the examples leave out, linted
// beside the goldens.
var lintedStacks = map[string]func(testing.TB) *model.Stack{"authorized": authorizedStack, "features": featureStack, "parameters": parameterStack}

// TestYAMLAndJSONSayTheSame: each golden and linted stack renders to one
// document in both formats, so cfn-lint need read only one of them.
func TestYAMLAndJSONSayTheSame(t *testing.T) {
	t.Parallel()
	all := maps.Clone(goldenStacks)
	maps.Copy(all, lintedStacks)
	for _, name := range slices.Sorted(maps.Keys(all)) {
		s := all[name](t)
		yj, _ := json.Marshal(mustYAML(t, s))
		jj, _ := json.Marshal(mustJSON(t, s))
		if !bytes.Equal(yj, jj) {
			t.Errorf("%s: YAML and JSON differ:\nYAML %s\nJSON %s", name, yj, jj)
		}
	}
}

// TestCfnLint runs cfn-lint on the goldens and on stacks using what the
// examples leave out, in YAML: TestYAMLAndJSONSayTheSame shows the JSON
// is the same document. W3002 (Code is a local path) is expected before
// `aws cloudformation package`; anything else is a finding. Where
// TestDeployToMoto runs, it lints every golden after packaging, W3002
// included, which finds all this would and more, so the goldens are left
// to it.
func TestCfnLint(t *testing.T) {
	t.Parallel()
	requireTool(t, "cfn-lint")
	var files []string
	if !deployLintsGoldens() {
		for _, name := range slices.Sorted(maps.Keys(goldenStacks)) {
			files = append(files, filepath.Join("testdata", name+".yaml"))
		}
	}
	dir := t.TempDir()
	for name, stack := range lintedStacks {
		out, err := YAML(stack(t))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(p, out, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	// One run for all files: cfn-lint takes seconds to start.
	out, err := runTool(t, ".", nil, "cfn-lint", append([]string{"--ignore-checks", "W3002", "--"}, files...)...)
	for _, file := range files {
		t.Run(filepath.Base(file)+"/HasNoFindings", func(t *testing.T) {
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, file+":") {
					t.Errorf("cfn-lint finding at %s\n%s", line, out)
					return
				}
			}
		})
	}
	if err != nil || out != "" {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}

// deployLintsGoldens reports whether TestDeployToMoto runs here, and so
// lints every golden's packaged template.
func deployLintsGoldens() bool {
	if testing.Short() {
		return false
	}
	for _, tool := range []string{"aws", "cfn-lint"} {
		if _, err := exec.LookPath(tool); err != nil {
			return false
		}
	}
	if os.Getenv(testtool.MotoURLEnv) != "" {
		return true
	}
	_, err := exec.LookPath("moto_server")
	return err == nil
}
