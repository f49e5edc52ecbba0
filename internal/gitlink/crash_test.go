//go:build unix && !race

// The crash tests kill a child at every step of a commit: they drive it
// from one goroutine, so `make test` runs them once, without -race
// (RACE_SPLIT in the Makefile), where the child starts five times faster.

package gitlink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash tests run commits in a child process (this test binary,
// re-executed into TestCrashHelper) and kill it with SIGKILL: at each step
// of a commit in turn, then at random moments. After every kill a normal
// commit of content the child never wrote must succeed and leave the
// repository consistent.

const (
	envCrashRepo = "GITLINK_CRASH_REPO"
	envCrashStep = "GITLINK_CRASH_STEP" // die at this step (1-based); 0: commit in a loop
)

// TestCrashHelper is the child process; it does nothing in a normal run.
func TestCrashHelper(t *testing.T) {
	repo := os.Getenv(envCrashRepo)
	if repo == "" {
		t.Skip("helper process for the crash tests")
	}
	dieAt, _ := strconv.Atoi(os.Getenv(envCrashStep))
	n := 0
	testHookStep = func(string) {
		n++
		if n == dieAt {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	c := &Client{Now: fixedNow}
	l := Link{Repo: repo, Folder: "stacks/chat"}
	fmt.Println("ready")
	for i := 0; ; i++ {
		_, err := c.Commit(context.Background(), l, stackFiles(fmt.Sprintf("child %d %d\n", os.Getpid(), i)), "child")
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		if dieAt > 0 {
			fmt.Println("done") // the commit had fewer steps than dieAt
			os.Exit(0)
		}
	}
}

// startChild starts the helper and waits until it is about to commit.
func startChild(t *testing.T, repo string, dieAt int) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashRepo+"="+repo, envCrashStep+"="+strconv.Itoa(dieAt))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	if line, err := r.ReadString('\n'); err != nil || line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper: %q %v", line, err)
	}
	return cmd, r
}

// commitAfterCrash is the user's next commit, with content the child never
// wrote (the stack changed meanwhile). It must work and leave the
// repository consistent: fsck clean, nothing left in git status, the
// commit's content in HEAD, the index and the working tree.
func commitAfterCrash(t *testing.T, g *gitCLI, repo string, round int) {
	t.Helper()
	c := &Client{Now: fixedNow}
	l := Link{Repo: repo, Folder: "stacks/chat"}
	want := fmt.Sprintf("after crash %d\n", round)
	if _, err := c.Commit(context.Background(), l, stackFiles(want), "after crash"); err != nil {
		t.Fatalf("round %d: the commit after a crash failed: %v", round, err)
	}
	g.Fsck(repo)
	if st := g.Run(repo, "status", "--porcelain", "--untracked-files=all"); st != "" {
		t.Fatalf("round %d: git status not clean:\n%s", round, st)
	}
	if got := g.Run(repo, "show", "HEAD:stacks/chat/template.yaml"); got+"\n" != want {
		t.Fatalf("round %d: HEAD has %q", round, got)
	}
	if _, err := os.Stat(filepath.Join(repo, ".git", journalName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("round %d: journal left after a complete commit: %v", round, err)
	}
	if _, err := c.Commit(context.Background(), l, stackFiles(want), "again"); !errors.Is(err, ErrNothingToCommit) {
		t.Fatalf("round %d: want nothing to commit, got %v", round, err)
	}
}

func newCrashRepo(t *testing.T, g *gitCLI) string {
	repo := filepath.Join(t.TempDir(), "repo")
	g.Run(filepath.Dir(repo), "init", "-q", "-b", "main", repo)
	return repo
}

func TestCrash_KillAtEveryStep(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	// Each step of the first commit (which also creates the scaffold)
	// and of a later one, in a fresh repository each time.
	for _, first := range []bool{true, false} {
		for dieAt := 1; ; dieAt++ {
			repo := newCrashRepo(t, g)
			if !first {
				commitAfterCrash(t, g, repo, 0)
			}
			cmd, out := startChild(t, repo, dieAt)
			line, _ := out.ReadString('\n')
			err := cmd.Wait()
			if line == "done\n" {
				if dieAt < 5 {
					t.Fatalf("a commit has only %d steps: the hooks are not reached", dieAt-1)
				}
				break
			}
			if line != "" || !strings.Contains(fmt.Sprint(err), "killed") {
				t.Fatalf("step %d: helper said %q, %v", dieAt, line, err)
			}
			commitAfterCrash(t, g, repo, dieAt)
		}
	}
}

func TestCrash_KillAtRandom(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	repo := newCrashRepo(t, g)
	rounds := 15
	if testing.Short() {
		rounds = 5
	}
	for round := 1; round <= rounds; round++ {
		cmd, _ := startChild(t, repo, 0)
		time.Sleep(time.Duration(rand.IntN(20000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); !strings.Contains(fmt.Sprint(err), "killed") {
			t.Fatalf("round %d: helper ended by itself: %v", round, err)
		}
		commitAfterCrash(t, g, repo, round)
	}
}

// A lock that is not a dead Switchboard's is never removed: without a
// journal it is some git command's; with a journal, one that a process
// holds open, or older than the journal, is not the one that was left.
func TestCrash_ForeignLockKept(t *testing.T) {
	t.Parallel()
	g := MustGit(t)
	repo := newCrashRepo(t, g)
	commitAfterCrash(t, g, repo, 0)
	lockPath := filepath.Join(repo, ".git", "index.lock")
	c := &Client{Now: fixedNow}
	l := Link{Repo: repo, Folder: "stacks/chat"}
	commit := func() error {
		_, err := c.Commit(context.Background(), l, stackFiles(fmt.Sprintf("v%d\n", time.Now().UnixNano())), "x")
		return err
	}

	if err := os.WriteFile(lockPath, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := commit(); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "another Git process") {
		t.Fatalf("no journal: got %v, want the lock reported", err)
	}
	if _, err := os.Stat(lockPath); err != nil {
		t.Fatalf("somebody else's lock was removed: %v", err)
	}

	// A journal of a dead process, but the lock is open in a live one.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	writeDeadJournal := func() {
		j := fmt.Sprintf(`{"pid":%d,"started":%d,"locks":["index.lock"],"files":{}}`, dead.Process.Pid, time.Now().Add(-time.Minute).UnixNano())
		if err := os.WriteFile(filepath.Join(repo, ".git", journalName), []byte(j), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeDeadJournal()
	f, err := os.Open(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := commit(); !errors.Is(err, ErrConflict) {
		t.Fatalf("held lock: got %v, want the lock reported", err)
	}
	f.Close()
	if _, err := os.Stat(lockPath); err != nil {
		t.Fatalf("a lock held open was removed: %v", err)
	}
	// Closed now, newer than the dead process's journal: that one's.
	writeDeadJournal()
	if err := commit(); err != nil {
		t.Fatalf("stale lock of a dead Switchboard: %v", err)
	}
}
