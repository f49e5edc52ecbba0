package testtool

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRaceFreePackagesStartNoGoroutine keeps the Makefile's RACE_FREE list
// honest: `make test` runs those packages without the race detector, which
// is only sound while their own code starts no goroutine (a go statement,
// time.AfterFunc, or an errgroup's Go).
func TestRaceFreePackagesStartNoGoroutine(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	patterns := raceFreePatterns(t, filepath.Join(root, "Makefile"))
	if len(patterns) == 0 {
		t.Fatal("the Makefile names no RACE_FREE packages")
	}
	for _, pattern := range patterns {
		dir := filepath.Join(root, filepath.FromSlash(strings.TrimSuffix(strings.TrimPrefix(pattern, "./"), "/...")))
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("RACE_FREE names %s: %v", pattern, err)
			continue
		}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			for _, at := range goroutinesStarted(t, path) {
				rel, _ := filepath.Rel(root, at.Filename)
				t.Errorf("%s:%d starts a goroutine, so its package cannot be in the Makefile's RACE_FREE list", rel, at.Line)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestRaceFreeFindsGoroutines: the check sees each way of starting one.
func TestRaceFreeFindsGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.go")
	src := `package x
import "time"
func a() { go func() {}() }
func b() { time.AfterFunc(time.Second, func() {}) }
func c(g interface{ Go(func() error) }) { g.Go(func() error { return nil }) }
func d() {}
`
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, at := range goroutinesStarted(t, path) {
		lines = append(lines, at.Line)
	}
	if len(lines) != 3 || lines[0] != 3 || lines[1] != 4 || lines[2] != 5 {
		t.Fatalf("found goroutines at lines %v, want 3, 4 and 5", lines)
	}
}

var raceFreeLine = regexp.MustCompile(`(?m)^RACE_FREE\s*:=(.*)$`)

func raceFreePatterns(t *testing.T, makefile string) []string {
	t.Helper()
	b, err := os.ReadFile(makefile)
	if err != nil {
		t.Fatal(err)
	}
	m := raceFreeLine.FindSubmatch(b)
	if m == nil {
		return nil
	}
	return strings.Fields(string(m[1]))
}

func goroutinesStarted(t *testing.T, path string) []token.Position {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var found []token.Position
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			found = append(found, fset.Position(n.Pos()))
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "AfterFunc" || sel.Sel.Name == "Go") {
				found = append(found, fset.Position(n.Pos()))
			}
		}
		return true
	})
	return found
}
