package gitlink

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// A local commit writes files into the working tree, moves the branch and
// rewrites the index, taking index.lock and <ref>.lock as git does. Killed
// half way, it would leave a lock that makes every later commit fail, and
// files on disk that the next commit takes for the user's uncommitted
// edits once the stack has changed. So before it writes anything it
// records what it is about to write in a journal in the repository's git
// folder; the next commit reads it back, removes the locks and temporary
// files its dead writer left, and treats the recorded contents as its
// own. The journal goes when a commit completes.

// journalName is the journal's file in the git folder; git ignores it.
const journalName = "switchboard-commit.json"

// tempPrefix starts the names of working tree files being written.
const tempPrefix = ".switchboard-"

type journal struct {
	// PID is the process that wrote the journal and Started when, so a
	// later one can tell a dead writer's leftovers from a live writer.
	PID     int   `json:"pid"`
	Started int64 `json:"started"` // unix nanoseconds
	// Locks are the lock files the commit may take, relative to the git
	// folder, slash-separated.
	Locks []string `json:"locks"`
	// Files maps each working tree path (relative to the repository root)
	// to the blob ids of the contents Switchboard wrote or was about to
	// write there, over every interrupted commit since the last complete
	// one.
	Files map[string][]string `json:"files"`
}

// leftovers are the contents an interrupted commit may have left in the
// working tree, by repository path.
type leftovers map[string]map[plumbing.Hash]bool

func (lo leftovers) ours(rp string, data []byte) bool {
	return lo != nil && lo[rp][blobHash(data)]
}

func readJournal(dotgit string) (*journal, error) {
	data, err := os.ReadFile(filepath.Join(dotgit, journalName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gitlink: read %s: %w", journalName, err)
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		// Torn by a crash mid-write cannot happen (it is renamed into
		// place), so this is somebody else's file: ignore it.
		return nil, nil
	}
	return &j, nil
}

// leftoversOf reads the journal for Preview: no cleaning up.
func leftoversOf(dotgit string) leftovers {
	j, err := readJournal(dotgit)
	if err != nil || j == nil {
		return nil
	}
	return j.leftovers()
}

func (j *journal) leftovers() leftovers {
	lo := leftovers{}
	for rp, hs := range j.Files {
		lo[rp] = map[plumbing.Hash]bool{}
		for _, h := range hs {
			lo[rp][plumbing.NewHash(h)] = true
		}
	}
	return lo
}

// recoverJournal runs before a local commit, under the process's lock for
// the repository. When a journal is left by a process that is gone (or by
// this one: it holds the lock, so no commit of its own is running), it
// removes the lock files that process took and nobody holds open now, and
// its temporary files, and returns what it wrote. A journal of a live
// process is another Switchboard committing: ErrConflict.
func recoverJournal(dotgit, wt string) (*journal, error) {
	j, err := readJournal(dotgit)
	if err != nil || j == nil {
		return nil, err
	}
	if j.PID != os.Getpid() && processAlive(j.PID) {
		return nil, fmt.Errorf("gitlink: another Switchboard (process %d) is committing to this repository: %w", j.PID, ErrConflict)
	}
	started := time.Unix(0, j.Started).Add(-2 * time.Second) // clock granularity
	for _, lk := range j.Locks {
		if !strings.HasSuffix(lk, ".lock") || !filepath.IsLocal(filepath.FromSlash(lk)) {
			continue
		}
		p, err := filepath.Abs(filepath.Join(dotgit, filepath.FromSlash(lk)))
		if err != nil {
			continue
		}
		fi, err := os.Lstat(p)
		// A lock older than the journal, or open in a process, is not the
		// one that writer left.
		if err != nil || !fi.Mode().IsRegular() || fi.ModTime().Before(started) || heldOpen(p) {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("gitlink: remove stale %s: %w", p, err)
		}
	}
	if wt != "" {
		dirs := map[string]bool{}
		for rp := range j.Files {
			if validateRelPath(rp) == nil {
				dirs[path.Dir(rp)] = true
			}
		}
		for d := range dirs {
			tmps, _ := filepath.Glob(filepath.Join(wt, filepath.FromSlash(d), tempPrefix+"*"))
			for _, t := range tmps {
				_ = os.Remove(t)
			}
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(dotgit, journalName+".tmp*"))
	for _, t := range tmps {
		_ = os.Remove(t)
	}
	return j, nil
}

// writeJournal records, durably, what the commit is about to write: the
// lock files and the working tree contents (added to those of earlier
// interrupted commits, in prev).
func writeJournal(dotgit string, prev *journal, locks []string, ps []planned) error {
	j := journal{PID: os.Getpid(), Started: time.Now().UnixNano(), Locks: locks, Files: map[string][]string{}}
	if prev != nil {
		for rp, hs := range prev.Files {
			j.Files[rp] = append([]string(nil), hs...)
		}
	}
	for _, p := range ps {
		if p.data == nil {
			continue
		}
		h := blobHash(p.data).String()
		if !containsString(j.Files[p.repoPath], h) {
			j.Files[p.repoPath] = append(j.Files[p.repoPath], h)
		}
	}
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dotgit, journalName+".tmp*")
	if err != nil {
		return fmt.Errorf("gitlink: write %s: %w", journalName, err)
	}
	defer os.Remove(tmp.Name())
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dotgit, journalName))
	}
	if err != nil {
		return fmt.Errorf("gitlink: write %s: %w", journalName, err)
	}
	return nil
}

// clearJournal removes the journal after a complete commit.
func clearJournal(dotgit string) error {
	err := os.Remove(filepath.Join(dotgit, journalName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("gitlink: remove %s: %w", journalName, err)
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// heldOpen reports whether any process has the file open, from
// /proc/*/fd where there is one (Linux); false elsewhere, where the
// journal's process id and the lock's age decide alone.
func heldOpen(file string) bool {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	for _, p := range procs {
		if _, err := strconv.Atoi(p.Name()); err != nil {
			continue
		}
		fdDir := filepath.Join("/proc", p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil && target == file {
				return true
			}
		}
	}
	return false
}
