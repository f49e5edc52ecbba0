package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// TestCfnLint runs cfn-lint on the goldens and on stacks using what the
// examples leave out. W3002 (Code is a local path) is expected before
// `aws cloudformation package`; anything else is a finding.
func TestCfnLint(t *testing.T) {
	t.Parallel()
	requireTool(t, "cfn-lint")
	files := []string{"chat.yaml", "chat.json", "echo.yaml", "echo.json", "kept.yaml", "kept.json", "services.yaml", "services.json", "events.yaml", "events.json", "apikinds.yaml", "apikinds.json", "everything.yaml", "everything.json"}
	dir := t.TempDir()
	for name, s := range map[string]*model.Stack{"authorized": authorizedStack(t), "features": featureStack(t), "parameters": parameterStack(t)} {
		for _, f := range []Format{FormatYAML, FormatJSON} {
			out, err := Render(s, f)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, name+"."+string(f))
			if err := os.WriteFile(p, out, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, p)
		}
	}
	for i, f := range files {
		if !filepath.IsAbs(f) {
			files[i] = filepath.Join("testdata", f)
		}
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
