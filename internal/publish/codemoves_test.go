package publish

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// TestCodeMoveInNextCommit: a function's folder exists once committed; a
// move recorded for it is made by the next commit, the user's own file
// going along, and then forgotten.
func TestCodeMoveInNextCommit(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("SWITCHBOARD_REQUIRE_TOOLS") == "1" {
			t.Fatal("git is needed")
		}
		t.Skip("git is needed")
	}
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, storetest.Path(t, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ex, _ := model.Example("echo", "echo")
	stack, err := st.CreateStack(ctx, ex)
	if err != nil {
		t.Fatal(err)
	}
	p := New(st, nil)
	repo := filepath.Join(dir, "repo")
	if err := p.SaveLink(ctx, stack, LinkInput{GitLink: model.GitLink{Repo: repo, Branch: "main", Folder: "echo"}}); err != nil {
		t.Fatal(err)
	}
	fn := stack.Functions[0]
	from := fn.CodePath
	if ok, err := p.CodeFolderExists(ctx, stack, from); err != nil || ok {
		t.Fatalf("before the first commit, %s exists: %v, %v", from, ok, err)
	}
	if _, err := p.Commit(ctx, stack, "first", false); err != nil {
		t.Fatal(err)
	}
	if ok, err := p.CodeFolderExists(ctx, stack, from); err != nil || !ok {
		t.Fatalf("after the commit, %s exists: %v, %v", from, ok, err)
	}
	// The user writes code of their own in the folder and commits it.
	user := filepath.Join(repo, "echo", filepath.FromSlash(from), "lib.js")
	if err := os.WriteFile(user, []byte("module.exports = 'mine'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=u", "GIT_AUTHOR_EMAIL=u@example.com", "GIT_COMMITTER_NAME=u", "GIT_COMMITTER_EMAIL=u@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("add", ".")
	git("commit", "-q", "-m", "user code")

	// Renamed, and the user said yes: the stack points at the new folder
	// and the move waits for the commit.
	to := model.DefaultCodePath("Repeater")
	renamed, _, err := st.Edit(ctx, stack.ID, stack.Revision, func(s *model.Stack) error {
		f := s.Function(fn.ID)
		f.Name, f.CodePath = "Repeater", to
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.MoveCodeInNextCommit(ctx, stack.ID, from, to); err != nil {
		t.Fatal(err)
	}
	changes, err := p.Preview(ctx, renamed, false)
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, c := range changes {
		summary = append(summary, c.Status+" "+c.Path)
	}
	for _, want := range []string{"deleted " + from + "/lib.js", "added " + to + "/lib.js"} {
		if !strings.Contains(strings.Join(summary, "\n"), want) {
			t.Fatalf("preview lacks %q:\n%s", want, strings.Join(summary, "\n"))
		}
	}
	if _, err := p.Commit(ctx, renamed, "rename", false); err != nil {
		t.Fatal(err)
	}
	tree := git("ls-tree", "-r", "--name-only", "HEAD", "echo/functions")
	if strings.Contains(tree, from+"/") || !strings.Contains(tree, "echo/"+to+"/lib.js") {
		t.Fatalf("tree after the move:\n%s", tree)
	}
	if got, _ := os.ReadFile(filepath.Join(repo, "echo", filepath.FromSlash(to), "lib.js")); string(got) != "module.exports = 'mine'\n" {
		t.Fatalf("the user's file moved as %q", got)
	}
	if st := git("status", "--porcelain"); st != "" {
		t.Fatalf("working tree not clean:\n%s", st)
	}
	if moves, err := p.CodeMoves(ctx, stack.ID); err != nil || len(moves) != 0 {
		t.Fatalf("moves left after the commit: %v, %v", moves, err)
	}
}
