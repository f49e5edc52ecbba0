package lambdaemu

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeInterpreter writes name into dir: a script that reports version for
// --version and otherwise runs the real program, marking its processes.
func fakeInterpreter(tb testing.TB, dir, name, version, real string) {
	tb.Helper()
	script := "#!/bin/sh\nif [ \"$1\" = --version ]; then echo " + version + "; exit 0; fi\nexport FAKE_INTERPRETER=" + name + "\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		tb.Fatal(err)
	}
}

// TestInterpreterMatchesRuntime: with node22 and node (v20, say) on PATH, a
// nodejs22.x function runs on node22 without a warning, a nodejs24.x one
// on node with a warning naming the fix; a function really runs on the
// interpreter picked.
func TestInterpreterMatchesRuntime(t *testing.T) {
	real := MustNode(t)
	bin := t.TempDir()
	fakeInterpreter(t, bin, "node22", "v22.11.0", real)
	fakeInterpreter(t, bin, "node", "v20.19.1", real)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	ctx := context.Background()

	in := FindInterpreter(ctx, "nodejs22.x", "")
	if in.Path != filepath.Join(bin, "node22") || in.Warning != "" || in.Version != "v22.11.0" {
		t.Fatalf("nodejs22.x: %+v, want node22 without warning", in)
	}
	in = FindInterpreter(ctx, "nodejs24.x", "")
	if in.Path != filepath.Join(bin, "node") {
		t.Fatalf("nodejs24.x: %+v, want the plain node", in)
	}
	for _, want := range []string{"nodejs24.x", "v20.19.1", "Node.js 24", "node24", "--node"} {
		if !strings.Contains(in.Warning, want) {
			t.Errorf("warning %q does not name %q", in.Warning, want)
		}
	}
	// --node given: used as it is, warned about when it differs.
	if in := FindInterpreter(ctx, "nodejs22.x", "node"); in.Path != filepath.Join(bin, "node") || !strings.Contains(in.Warning, "pass --node with a Node.js 22") {
		t.Fatalf("given node: %+v", in)
	}

	fn := nodeFunction(t, "Which", map[string]string{"index.mjs": `export const handler = async () => process.env.FAKE_INTERPRETER ?? "none";`})
	fn.Runtime = "nodejs22.x"
	fn.Interpreter = FindInterpreter(ctx, fn.Runtime, "").Path
	p := MustPool(t, Options{}, fn)
	if got := MustInvoke[string](t, p, "Which", map[string]any{}); got != "node22" {
		t.Fatalf("the function ran on %q, want node22", got)
	}
}

// TestPythonInterpreterMatchesRuntime: python3.12 on PATH is picked for a
// python3.12 function; the plain python3 of another version is warned
// about.
func TestPythonInterpreterMatchesRuntime(t *testing.T) {
	real, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH")
	}
	bin := t.TempDir()
	// python reports its version through -c, as versionOf asks it.
	script := "#!/bin/sh\nif [ \"$1\" = -c ]; then case \"$2\" in *python_version*) echo 3.12.4; exit 0;; esac; fi\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "python3.12"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if in := FindInterpreter(context.Background(), "python3.12", ""); in.Path != filepath.Join(bin, "python3.12") || in.Warning != "" {
		t.Fatalf("python3.12: %+v", in)
	}
	in := FindInterpreter(context.Background(), "python3.99", "")
	if !strings.Contains(in.Warning, "python3.99") || !strings.Contains(in.Warning, "install Python 3.99") {
		t.Fatalf("python3.99: %+v, want a warning naming the fix", in)
	}
}
