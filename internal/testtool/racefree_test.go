package testtool

import (
	"go/ast"
	"go/build/constraint"
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

func raceFreePatterns(t *testing.T, makefile string) []string {
	t.Helper()
	return makeList(t, makefile, "RACE_FREE")
}

// makeList returns the words of the Makefile's line `name := ...`.
func makeList(t *testing.T, makefile, name string) []string {
	t.Helper()
	b, err := os.ReadFile(makefile)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s*:=(.*)$`).FindSubmatch(b)
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

// The two kinds of test file of a RACE_SPLIT package, by build constraint:
// its single-goroutine tests are built only without the race detector
// (//go:build !race, with any other condition), its concurrency tests
// everywhere but in the Makefile's race-free job (//go:build race ||
// !racesplit).
const (
	withoutRace      = "!race"
	notInRaceFreeJob = "race || !racesplit"
)

// splitKind says which of the two a build constraint makes a file: it is
// built in the race suite, in the race-free job, or both, other tags
// (unix...) aside.
func splitKind(t *testing.T, line string) string {
	t.Helper()
	if line == "" {
		return ""
	}
	expr, err := constraint.Parse("//go:build " + line)
	if err != nil {
		t.Fatal(err)
	}
	built := func(race, racesplit bool) bool {
		return expr.Eval(func(tag string) bool {
			switch tag {
			case "race":
				return race
			case "racesplit":
				return racesplit
			}
			return true
		})
	}
	inRaceSuite, inRaceFreeJob, plain := built(true, false), built(false, true), built(false, false)
	switch {
	case !inRaceSuite && inRaceFreeJob && plain:
		return withoutRace
	case inRaceSuite && !inRaceFreeJob && plain:
		return notInRaceFreeJob
	}
	return line
}

// TestRaceSplitFilesStartNoGoroutine keeps the Makefile's RACE_SPLIT list
// honest. Each test of a RACE_SPLIT package runs once in `make test`: in a
// file built only without the race detector (//go:build !race), which the
// race-free job runs, or in one the race-free job leaves out (//go:build
// race || !racesplit), which the race suite runs. Skipping -race is only
// sound while a test drives the code from one goroutine: neither it nor the
// package's test helpers it calls start one. (The code under test may
// start its own; the package's concurrency tests, under -race, are there
// for that.)
func TestRaceSplitFilesStartNoGoroutine(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	makefile := filepath.Join(root, "Makefile")
	split := map[string]bool{}
	for _, pattern := range makeList(t, makefile, "RACE_SPLIT") {
		split[filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(pattern, "./")))] = true
	}
	if len(split) == 0 {
		t.Fatal("the Makefile names no RACE_SPLIT packages")
	}
	if b, err := os.ReadFile(makefile); err != nil || !regexp.MustCompile(`(?m)^\t.*-tags racesplit .*\$\(RACE_SPLIT\)`).Match(b) {
		t.Errorf("the Makefile runs RACE_SPLIT without -tags racesplit (%v), so its concurrency tests run twice", err)
	}
	withFiles := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "node_modules" || name == "testdata" || strings.HasPrefix(name, ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		rel, _ := filepath.Rel(root, path)
		line, tests := testFile(t, path)
		constraint := splitKind(t, line)
		switch {
		case !split[dir] && (constraint == withoutRace || constraint == notInRaceFreeJob):
			t.Errorf("%s is built with %q, but its package is not in the Makefile's RACE_SPLIT", rel, constraint)
		case !split[dir]:
		case constraint == withoutRace:
			withFiles[dir] = true
			starters := goroutineStarters(t, dir)
			for _, at := range goroutinesStarted(t, path) {
				t.Errorf("%s:%d starts a goroutine in a file built only without -race", rel, at.Line)
			}
			for _, call := range calledIn(t, path) {
				if starters[call.name] {
					t.Errorf("%s:%d calls %s, which starts a goroutine, in a file built only without -race", rel, call.at.Line, call.name)
				}
			}
		case constraint != notInRaceFreeJob && tests:
			t.Errorf("%s holds tests of a RACE_SPLIT package but is built with %q: want %q or %q, so that make test runs them once", rel, constraint, withoutRace, notInRaceFreeJob)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range split {
		if !withFiles[dir] {
			rel, _ := filepath.Rel(root, dir)
			t.Errorf("RACE_SPLIT names %s, which has no test file built only without -race", rel)
		}
	}
}

// TestRaceSplitFindsHelpersThatStartGoroutines: a helper that starts a
// goroutine, directly or through another, counts as starting one.
func TestRaceSplitFindsHelpersThatStartGoroutines(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a_test.go": "package x\nfunc direct() { go func() {}() }\nfunc indirect() { direct() }\nfunc (h helper) method() { indirect() }\nfunc plain() {}\n",
		"b_test.go": "//go:build !race\n\npackage x\nfunc TestX() { plain(); var h helper; h.method() }\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	starters := goroutineStarters(t, dir)
	for name, want := range map[string]bool{"direct": true, "indirect": true, "method": true, "plain": false} {
		if starters[name] != want {
			t.Errorf("%s starts a goroutine: %v, want %v", name, starters[name], want)
		}
	}
	if c, tests := testFile(t, filepath.Join(dir, "b_test.go")); c != withoutRace || !tests {
		t.Errorf("b_test.go: constraint %q, tests %v", c, tests)
	}
	if c, tests := testFile(t, filepath.Join(dir, "a_test.go")); c != "" || tests {
		t.Errorf("a_test.go: constraint %q, tests %v", c, tests)
	}
	for line, want := range map[string]string{"!race": withoutRace, "unix && !race": withoutRace, "race || !racesplit": notInRaceFreeJob, "unix": "unix", "race": "race", "": ""} {
		if got := splitKind(t, line); got != want {
			t.Errorf("splitKind(%q) = %q, want %q", line, got, want)
		}
	}
}

// testFile returns the file's build constraint and whether it declares
// a test.
func testFile(t *testing.T, path string) (constraint string, tests bool) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, c := range g.List {
			if text, ok := strings.CutPrefix(c.Text, "//go:build "); ok {
				constraint = strings.TrimSpace(text)
			}
		}
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Test") {
			tests = true
		}
	}
	return constraint, tests
}

type call struct {
	name string
	at   token.Position
}

// calledIn lists the functions and methods a file calls, by name.
func calledIn(t *testing.T, path string) []call {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var calls []call
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			switch fn := c.Fun.(type) {
			case *ast.Ident:
				calls = append(calls, call{fn.Name, fset.Position(c.Pos())})
			case *ast.SelectorExpr:
				calls = append(calls, call{fn.Sel.Name, fset.Position(c.Pos())})
			}
		}
		return true
	})
	return calls
}

// goroutineStarters names the functions and methods of dir's test files
// that start a goroutine or call one that does. Names alone link calls to
// declarations, so a call of another package's function with the name of a
// starter counts too: the check errs on the side of -race.
func goroutineStarters(t *testing.T, dir string) map[string]bool {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string][]string{}
	starters := map[string]bool{}
	for _, path := range paths {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := fn.Name.Name
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.GoStmt:
					starters[name] = true
				case *ast.CallExpr:
					switch f := n.Fun.(type) {
					case *ast.Ident:
						calls[name] = append(calls[name], f.Name)
					case *ast.SelectorExpr:
						if f.Sel.Name == "AfterFunc" || f.Sel.Name == "Go" {
							starters[name] = true
						}
						calls[name] = append(calls[name], f.Sel.Name)
					}
				}
				return true
			})
		}
	}
	for changed := true; changed; {
		changed = false
		for name, callees := range calls {
			for _, callee := range callees {
				if starters[callee] && !starters[name] {
					starters[name], changed = true, true
				}
			}
		}
	}
	return starters
}
