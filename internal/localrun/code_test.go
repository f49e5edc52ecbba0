package localrun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestMissingCodeFolderRunsStarter: a function whose folder exists runs
// the user's code; one whose folder does not runs a starter handler, and
// the run names that function, the folder it lacks and where the starter
// is, in the log and the feed.
func TestMissingCodeFolderRunsStarter(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run starts Node.js handlers")
	root := t.TempDir()
	s := probeStack(t, root, nil) // writes functions/probe
	MustWrite(t, root, map[string]string{"functions/probe/index.mjs": `export const handler = async (e) => ({ statusCode: 200, body: "mine:" + e.body });`})
	starter := model.NewFunction("f2", "Missing")
	starter.CodePath = "functions/missing"
	s.Functions = append(s.Functions, starter)
	s.APIs[0].Routes = append(s.APIs[0].Routes, &model.Route{ID: "r2", Key: "$connect"})
	s.Wires = append(s.Wires, &model.Wire{ID: "w2", Kind: model.WireIntegration, From: "r2", To: "f2"})

	m := NewManager(nil)
	defer m.StopAll()
	s.ID = 7
	run, err := m.Start(context.Background(), Config{Stack: s, CodeDir: root})
	if err != nil {
		t.Fatal(err)
	}
	st := run.runner.Starters()
	if len(st) != 1 || st[0].Function != "Missing" || st[0].Missing != filepath.Join(root, "functions", "missing") {
		t.Fatalf("starters = %+v", st)
	}
	if msg := st[0].Message(); !strings.Contains(msg, "STARTER handler, not your code") || !strings.Contains(msg, st[0].Missing) {
		t.Errorf("message %q", msg)
	}
	items, _, _ := run.Feed().Since(0)
	found := false
	for _, it := range items {
		found = found || strings.Contains(string(it.JSON), `"function":"Missing"`) && strings.Contains(string(it.JSON), "STARTER handler")
	}
	if !found {
		t.Errorf("the feed does not say Missing runs a starter: %d items", len(items))
	}
	c := MustDial(t, run.runner, "")
	MustSend(t, c, "hi")
	if got := MustRead(t, c); got != "mine:hi" {
		t.Errorf("the user's handler answered %q", got)
	}
	if _, err := os.Stat(filepath.Join(root, "functions", "missing")); err == nil {
		t.Error("the starter was written into the user's folder")
	}
}

// TestCodeFolderEscapes: a code path that leads out of the code folder
// through a symbolic link is refused, naming where it leads; nothing runs.
func TestCodeFolderEscapes(t *testing.T) {
	t.Parallel()
	root, outside := t.TempDir(), t.TempDir()
	MustWrite(t, outside, map[string]string{"index.mjs": `export const handler = async () => ({ statusCode: 200 });`})
	s := probeStack(t, root, nil)
	s.Functions[0].CodePath = "functions/link"
	if err := os.Symlink(outside, filepath.Join(root, "functions", "link")); err != nil {
		t.Skip(err)
	}
	_, err := Start(context.Background(), nil, Config{Stack: s, CodeDir: root})
	if err == nil || !strings.Contains(err.Error(), "outside the code folder") {
		t.Fatalf("err = %v, want the escape refused", err)
	}
	// The code folder itself may be a link: what counts is where it leads.
	linked := filepath.Join(t.TempDir(), "linked")
	if err := os.Symlink(root, linked); err != nil {
		t.Fatal(err)
	}
	s.Functions[0].CodePath = "functions/probe"
	if _, err := Start(context.Background(), nil, Config{Stack: s, CodeDir: linked}); err != nil && strings.Contains(err.Error(), "outside") {
		t.Fatalf("a linked code folder was refused: %v", err)
	}
}

// TestRunParameters: a parameter without a default must be given; a name
// the stack lacks is refused; values reach the environment in place of
// ${Name}, defaults where none is given; and a default that would load
// other code through NODE_OPTIONS is refused like a written one.
func TestRunParameters(t *testing.T) {
	t.Parallel()
	testtool.Command(t, "node", "the run starts Node.js handlers")
	root := t.TempDir()
	s := probeStack(t, root, map[string]string{"GREETING": "${Hello}, ${Who}!", "PORT": "${Port}"})
	MustWrite(t, root, map[string]string{"functions/probe/index.mjs": `export const handler = async () => ({ statusCode: 200, body: process.env.GREETING + " " + process.env.PORT });`})
	port := "3001"
	s.Parameters = []*model.Parameter{{Name: "Hello"}, {Name: "Who"}, {Name: "Port", Default: &port}}
	_, err := Start(context.Background(), nil, Config{Stack: s, CodeDir: root, Parameters: map[string]string{"Who": "you"}})
	if err == nil || !strings.Contains(err.Error(), "needs a value for parameter Hello") {
		t.Fatalf("err = %v", err)
	}
	_, err = Start(context.Background(), nil, Config{Stack: s, CodeDir: root, Parameters: map[string]string{"Hello": "a", "Who": "b", "Nope": "c"}})
	if err == nil || !strings.Contains(err.Error(), "has no parameter Nope") {
		t.Fatalf("err = %v", err)
	}
	r := MustRun(t, Config{Stack: s, CodeDir: root, Parameters: map[string]string{"Hello": "Hi", "Who": "you"}})
	c := MustDial(t, r, "")
	MustSend(t, c, "x")
	if got := MustRead(t, c); got != "Hi, you! 3001" {
		t.Errorf("handler saw %q", got)
	}

	evil := "--import=data:text/javascript,process.exit(3)"
	s.Functions[0].Environment = map[string]string{"NODE_OPTIONS": "${Opts}"}
	s.Parameters = []*model.Parameter{{Name: "Opts", Default: &evil}}
	_, err = Start(context.Background(), nil, Config{Stack: s, CodeDir: root})
	if err == nil || !strings.Contains(err.Error(), "NODE_OPTIONS, with the stack's parameters") {
		t.Fatalf("err = %v, want the default's loader refused", err)
	}
}
