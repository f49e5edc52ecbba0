package gitlink

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

var errNotExist = fs.ErrNotExist

// localKey is the lock key of a local repository.
func localKey(l Link) string {
	abs, err := filepath.Abs(l.Repo)
	if err != nil {
		abs = l.Repo
	}
	return "local:" + abs
}

// openLocal opens the repository whose root is l.Repo. With create, a
// missing or empty folder is initialised with l.Branch as HEAD.
func openLocal(l Link, create bool) (*git.Repository, error) {
	dir := l.Repo
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := checkHostPath(dir); err != nil {
			return nil, err
		}
		if !create {
			return nil, fmt.Errorf("gitlink: %s does not exist: %w", dir, ErrNotFound)
		}
		return initLocal(l)
	case err != nil:
		return nil, fmt.Errorf("gitlink: open %s: %w", dir, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("gitlink: %s is a file, not a folder: %w", dir, ErrNotFound)
	}
	// DetectDotGit stays false: Repo must be the repository's root, never a
	// folder inside some unrelated repository further up.
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: false})
	if err == nil {
		return repo, nil
	}
	if !errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("gitlink: open %s: %w", dir, err)
	}
	entries, rerr := os.ReadDir(dir)
	if rerr != nil {
		return nil, fmt.Errorf("gitlink: open %s: %w", dir, rerr)
	}
	if len(entries) > 0 {
		return nil, fmt.Errorf("gitlink: %s is not a Git repository and not empty; choose the repository's top folder or an empty one: %w", dir, ErrNotFound)
	}
	if !create {
		return nil, fmt.Errorf("gitlink: %s is not a Git repository yet: %w", dir, ErrNotFound)
	}
	return initLocal(l)
}

// hostPathRE matches a relative path whose first element is a host name
// (with a letters-only top-level domain and an optional port): what a user
// pastes when leaving out https://.
var hostPathRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(:[0-9]+)?/.`)

// checkHostPath refuses a missing local folder that reads like a URL
// without its scheme (github.com/me/infra.git), rather than creating a
// folder of that name and committing into it.
func checkHostPath(dir string) error {
	if filepath.IsAbs(dir) || !hostPathRE.MatchString(filepath.ToSlash(dir)) {
		return nil
	}
	return invalidf("%q looks like a web address without its scheme: write https://%s (or ./%s for a new local folder)", dir, dir, dir)
}

func initLocal(l Link) (*git.Repository, error) {
	if err := os.MkdirAll(l.Repo, 0o755); err != nil {
		return nil, fmt.Errorf("gitlink: create %s: %w", l.Repo, err)
	}
	repo, err := git.PlainInitWithOptions(l.Repo, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: l.branchRef()},
	})
	if err != nil {
		return nil, fmt.Errorf("gitlink: init %s: %w", l.Repo, err)
	}
	return repo, nil
}

// gitDir is the folder holding the repository's refs, objects and index.
func gitDir(repo *git.Repository) (string, error) {
	fss, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return "", errors.New("gitlink: repository is not on disk")
	}
	return fss.Filesystem().Root(), nil
}

// checkedOut returns the working tree folder when l.Branch is checked out
// there (HEAD points at it), and "" otherwise (bare repository, or another
// branch checked out).
func checkedOut(repo *git.Repository, l Link) string {
	wt, err := repo.Worktree()
	if err != nil {
		return ""
	}
	head, err := repo.Storer.Reference(plumbing.HEAD)
	if err != nil || head.Type() != plumbing.SymbolicReference || head.Target() != l.branchRef() {
		return ""
	}
	return wt.Filesystem.Root()
}

// commitLocal commits to a local repository. See the package documentation
// for how the working tree is treated.
func (c *Client) commitLocal(ctx context.Context, l Link, files map[string]File, message string) (Result, error) {
	unlock, err := lock(ctx, localKey(l))
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	repo, err := openLocal(l, true)
	if err != nil {
		return Result{}, err
	}
	dotgit, err := gitDir(repo)
	if err != nil {
		return Result{}, err
	}
	tip, err := refHash(repo.Storer, l.branchRef())
	if err != nil {
		return Result{}, err
	}
	tree, err := treeOf(repo.Storer, tip)
	if err != nil {
		return Result{}, err
	}
	wt := checkedOut(repo, l)
	// What an interrupted commit left: its locks go, its files are ours.
	prev, err := recoverJournal(dotgit, wt)
	if err != nil {
		return Result{}, err
	}
	var lo leftovers
	if prev != nil {
		lo = prev.leftovers()
	}
	ps, err := plan(repo.Storer, tree, l, files, wt, lo)
	if err != nil {
		return Result{}, err
	}
	ch := changed(ps)
	if foreign, err := foreignFiles(repo.Storer, tree, l, ps); err != nil {
		return Result{}, err
	} else if len(foreign) > 0 {
		return Result{}, foreignConflict(l, foreign)
	}

	var disk []planned // files to (re)write in the working tree, and stage
	if wt != "" {
		if disk, err = worktreePlan(repo, wt, tip, tree, l, files, ch, lo); err != nil {
			return Result{}, err
		}
		if prev != nil {
			// The index may be the one from before the branch moved.
			disk = append(disk, restage(repo, wt, tree, l, files, disk)...)
		}
	}
	locks := []string{"index.lock", l.branchRef().String() + ".lock"}
	if len(ch) == 0 {
		if len(disk) > 0 {
			// Only files a crash left stale in the working tree.
			if err := writeJournal(dotgit, prev, locks, disk); err != nil {
				return Result{}, err
			}
			if err := syncWorktree(dotgit, wt, disk, nil); err != nil {
				return Result{}, err
			}
		}
		if prev != nil || len(disk) > 0 {
			if err := clearJournal(dotgit); err != nil {
				return Result{}, err
			}
		}
		return Result{Changes: changesOf(ps)}, fmt.Errorf("gitlink: %s on %s: %w", folderName(l), l.branch(), ErrNothingToCommit)
	}
	h, err := c.buildCommit(ctx, repo.Storer, l, tip, ch, message)
	if err != nil {
		return Result{}, err
	}
	if err := writeJournal(dotgit, prev, locks, disk); err != nil {
		return Result{}, err
	}
	step("journal written")
	move := func() error { return updateRef(dotgit, repo, l.branchRef(), h, tip) }
	if wt == "" {
		if err := move(); err != nil {
			return Result{}, err
		}
	} else if err := syncWorktree(dotgit, wt, disk, move); err != nil {
		return Result{}, err
	}
	step("committed")
	if err := clearJournal(dotgit); err != nil {
		return resultOf(h, ps, false), err
	}
	return resultOf(h, ps, false), nil
}

// restage lists the managed files whose working copy is already the
// branch tip's version and not in disk yet, to stage again: an interrupted
// commit may have moved the branch without writing the index.
func restage(repo *git.Repository, wt string, tree *object.Tree, l Link, files map[string]File, disk []planned) []planned {
	have := map[string]bool{}
	for _, p := range disk {
		have[p.Path] = true
	}
	var out []planned
	for p, f := range files {
		if have[p] {
			continue
		}
		rp := l.repoPath(p)
		if f.Delete {
			// Deleted at the tip and gone from the disk: the index entry
			// goes too. A file still on disk is left to the user.
			if e, err := entryAt(tree, rp); err == nil && e == nil && !existsOnDisk(wt, rp) {
				out = append(out, planned{Change: Change{Path: p}, deleted: true, repoPath: rp})
			}
			continue
		}
		want, mode, ok, err := blobAt(repo.Storer, tree, rp)
		if err != nil || !ok {
			continue
		}
		if cur, state, err := readDisk(wt, rp); err == nil && state == diskFile && bytes.Equal(cur, want) {
			out = append(out, planned{Change: Change{Path: p}, repoPath: rp, mode: mode})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func folderName(l Link) string {
	if l.folder() == "" {
		return "repository root"
	}
	return l.Folder
}

// worktreePlan decides which files to write into the checked-out working
// tree: every changed file, plus managed files that an interrupted commit
// left at their previous version. It refuses (ErrConflict) to overwrite a
// file whose content is neither committed (at the tip or its parent) nor
// what we are writing: that would lose the user's uncommitted work.
func worktreePlan(repo *git.Repository, wt string, tip plumbing.Hash, tree *object.Tree, l Link, files map[string]File, ch []planned, lo leftovers) ([]planned, error) {
	var parentTree *object.Tree
	if !tip.IsZero() {
		cm, err := object.GetCommit(repo.Storer, tip)
		if err != nil {
			return nil, err
		}
		if len(cm.ParentHashes) > 0 {
			if parentTree, err = treeOf(repo.Storer, cm.ParentHashes[0]); err != nil {
				return nil, err
			}
		}
	}
	inCommit := map[string]bool{}
	var out []planned
	var conflicts, tooBig []string
	for _, p := range ch {
		inCommit[p.Path] = true
		cur, state, err := readDisk(wt, p.repoPath)
		if errors.Is(err, ErrTooBig) {
			tooBig = append(tooBig, p.Path)
			continue
		}
		if err != nil {
			return nil, err
		}
		switch {
		case state == diskOther:
			conflicts = append(conflicts, p.Path)
		case state == diskMissing:
			out = append(out, p)
		case p.deleted:
			// Deleted only as committed: an uncommitted edit is the user's.
			if !bytes.Equal(cur, p.old) {
				conflicts = append(conflicts, p.Path)
				continue
			}
			out = append(out, p)
		case bytes.Equal(cur, p.data):
			p.data = nil // already there; only stage it
			out = append(out, p)
		case p.old != nil && bytes.Equal(cur, p.old):
			out = append(out, p)
		case lo.ours(p.repoPath, cur):
			out = append(out, p) // written by an interrupted commit
		default:
			prev, _, ok, err := blobAt(repo.Storer, parentTree, p.repoPath)
			if err != nil {
				return nil, err
			}
			if !ok || !bytes.Equal(cur, prev) {
				conflicts = append(conflicts, p.Path)
				continue
			}
			out = append(out, p)
		}
	}
	if len(tooBig) > 0 {
		return nil, tooBigConflict(tooBig)
	}
	if len(conflicts) > 0 {
		return nil, &ConflictError{Files: conflicts, Reason: "uncommitted changes in the working tree of " + l.Repo + "; commit or discard them first"}
	}
	if parentTree == nil {
		return out, nil
	}
	// Up-to-date files whose working copy is still the parent's version.
	for p, f := range files {
		if inCommit[p] {
			continue
		}
		rp := l.repoPath(p)
		want, mode, ok, err := blobAt(repo.Storer, tree, rp)
		if err != nil || !ok || !bytes.Equal(want, f.Data) {
			continue
		}
		prev, _, pok, err := blobAt(repo.Storer, parentTree, rp)
		if err != nil || !pok || bytes.Equal(prev, want) {
			continue
		}
		cur, state, err := readDisk(wt, rp)
		if err != nil || state != diskFile || !bytes.Equal(cur, prev) {
			continue
		}
		out = append(out, planned{Change: Change{Path: p}, repoPath: rp, data: want, mode: mode})
	}
	return out, nil
}

type diskState int

const (
	diskMissing diskState = iota
	diskFile
	diskOther // a folder, symlink or device: never ours to replace
)

// readDisk reads a working tree file, refusing paths that go through symlinks.
func readDisk(wt, rp string) ([]byte, diskState, error) {
	full, err := safeJoin(wt, rp)
	if err != nil {
		return nil, diskOther, nil
	}
	fi, err := os.Lstat(full)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, diskMissing, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, diskOther, nil
	}
	if fi.Size() > MaxFileSize {
		return nil, diskFile, &tooBigError{path: rp, size: fi.Size()}
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	// The file may grow between Lstat and here.
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err == nil && len(b) > MaxFileSize {
		return nil, diskFile, &tooBigError{path: rp, size: int64(len(b))}
	}
	return b, diskFile, err
}

func existsOnDisk(wt, rp string) bool {
	_, err := os.Lstat(filepath.Join(wt, filepath.FromSlash(rp)))
	return err == nil
}

// safeJoin joins rp onto wt and checks that no folder on the way is a
// symlink, so a write can never land outside the working tree.
func safeJoin(wt, rp string) (string, error) {
	parts := strings.Split(rp, "/")
	cur := wt
	for _, el := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, el)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return "", err
		}
		if !fi.IsDir() {
			return "", fmt.Errorf("%s is not a folder", cur)
		}
	}
	return filepath.Join(wt, filepath.FromSlash(rp)), nil
}

// syncWorktree writes files into the working tree and stages them, holding
// index.lock throughout so that git commands running meanwhile wait or fail
// instead of racing us. move, if not nil, moves the branch; it runs after
// the files are written and before the index is, so that an interruption
// leaves either the old commit with new files on disk (which the next
// Commit accepts as its own) or the new commit with a stale index (which
// the next Commit re-stages).
func syncWorktree(dotgit, wt string, ps []planned, move func() error) error {
	lockPath := filepath.Join(dotgit, "index.lock")
	lf, err := os.OpenFile(lockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("gitlink: %s exists: another Git process is using this repository (remove the file if none is): %w", lockPath, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("gitlink: lock index: %w", err)
	}
	done := false
	defer func() {
		if !done {
			lf.Close()
			os.Remove(lockPath)
		}
	}()
	step("index locked")

	for _, p := range ps {
		if p.deleted {
			if err := removeFile(wt, p.repoPath); err != nil {
				return err
			}
			continue
		}
		if p.data == nil {
			continue
		}
		if err := writeFileAtomic(wt, p.repoPath, p.data, p.mode); err != nil {
			return err
		}
		step("file written")
	}
	if move != nil {
		if err := move(); err != nil {
			return err
		}
		step("branch moved")
	}

	idx, err := readIndex(dotgit)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.deleted {
			kept := idx.Entries[:0]
			for _, e := range idx.Entries {
				if e.Name != p.repoPath {
					kept = append(kept, e)
				}
			}
			idx.Entries = kept
			continue
		}
		full := filepath.Join(wt, filepath.FromSlash(p.repoPath))
		fi, err := os.Stat(full)
		if err != nil {
			return fmt.Errorf("gitlink: stage %s: %w", p.repoPath, err)
		}
		data := p.data
		if data == nil {
			if data, err = os.ReadFile(full); err != nil {
				return fmt.Errorf("gitlink: stage %s: %w", p.repoPath, err)
			}
		}
		// Replace every entry of the path (there are three while a merge
		// conflict is pending) with one resolved entry.
		kept := idx.Entries[:0]
		for _, e := range idx.Entries {
			if e.Name != p.repoPath {
				kept = append(kept, e)
			}
		}
		idx.Entries = append(kept, &index.Entry{
			Name:       p.repoPath,
			Hash:       blobHash(data),
			Mode:       p.mode,
			Size:       uint32(fi.Size()),
			ModifiedAt: fi.ModTime(),
			CreatedAt:  fi.ModTime(),
			// Stage 0 is "merged". go-git's index.Merged constant is 1,
			// which git reads as a conflict's base version.
			Stage: 0,
		})
	}
	// go-git writes no extensions; dropping the cached tree (TREE) is what
	// keeps git from reusing stale subtrees after our edit.
	idx.Cache = nil
	idx.ResolveUndo = nil
	w := bufio.NewWriter(lf)
	if err := index.NewEncoder(w).Encode(idx); err != nil {
		return fmt.Errorf("gitlink: write index: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("gitlink: write index: %w", err)
	}
	if err := lf.Sync(); err != nil {
		return fmt.Errorf("gitlink: write index: %w", err)
	}
	step("index written")
	if err := lf.Close(); err != nil {
		return fmt.Errorf("gitlink: write index: %w", err)
	}
	done = true
	if err := os.Rename(lockPath, filepath.Join(dotgit, "index")); err != nil {
		os.Remove(lockPath)
		return fmt.Errorf("gitlink: write index: %w", err)
	}
	return nil
}

// removeFile deletes a working tree file and the folders it leaves empty,
// refusing paths that go through symlinks. A missing file is no error.
func removeFile(wt, rp string) error {
	full, err := safeJoin(wt, rp)
	if err != nil {
		return err
	}
	if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("gitlink: delete %s: %w", rp, err)
	}
	for dir := filepath.Dir(full); dir != wt && strings.HasPrefix(dir, wt+string(filepath.Separator)); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break // not empty, or not ours to remove
		}
	}
	return nil
}

func readIndex(dotgit string) (*index.Index, error) {
	idx := &index.Index{Version: 2}
	f, err := os.Open(filepath.Join(dotgit, "index"))
	if errors.Is(err, fs.ErrNotExist) {
		return idx, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gitlink: read index: %w", err)
	}
	defer f.Close()
	if err := index.NewDecoder(bufio.NewReader(f)).Decode(idx); err != nil {
		return nil, fmt.Errorf("gitlink: read index: %w", err)
	}
	if idx.Version > index.EncodeVersionSupported {
		return nil, fmt.Errorf("gitlink: index version %d is not supported", idx.Version)
	}
	return idx, nil
}

// writeFileAtomic writes a working tree file through a temporary file and a
// rename, so a reader never sees half a file.
func writeFileAtomic(wt, rp string, data []byte, mode filemode.FileMode) error {
	full, err := safeJoin(wt, rp)
	if err != nil {
		return fmt.Errorf("gitlink: write %s: %w", rp, err)
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return fmt.Errorf("gitlink: write %s: %w", rp, err)
	}
	perm := os.FileMode(0o644)
	if mode == filemode.Executable {
		perm = 0o755
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), ".switchboard-*")
	if err != nil {
		return fmt.Errorf("gitlink: write %s: %w", rp, err)
	}
	defer os.Remove(tmp.Name())
	step("temporary file created")
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("gitlink: write %s: %w", rp, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("gitlink: write %s: %w", rp, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("gitlink: write %s: %w", rp, err)
	}
	if err := os.Rename(tmp.Name(), full); err != nil {
		return fmt.Errorf("gitlink: write %s: %w", rp, err)
	}
	return nil
}

// updateRef moves a branch from old (zero: must not exist) to new the way
// git does: take <ref>.lock, check the current value, write, rename. The
// lock file keeps concurrent git commands out; the rename makes the update
// atomic, so an interruption leaves the old value.
func updateRef(dotgit string, repo *git.Repository, name plumbing.ReferenceName, new, old plumbing.Hash) error {
	file := filepath.Join(dotgit, filepath.FromSlash(name.String()))
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("gitlink: update %s: %w", name, err)
	}
	lockPath := file + ".lock"
	f, err := os.OpenFile(lockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("gitlink: %s exists: another Git process is updating %s: %w", lockPath, name.Short(), ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("gitlink: update %s: %w", name, err)
	}
	renamed := false
	defer func() {
		if !renamed {
			f.Close()
			os.Remove(lockPath)
		}
	}()
	step("ref locked")
	cur, err := refHash(repo.Storer, name)
	if err != nil {
		return err
	}
	if cur != old {
		return fmt.Errorf("gitlink: %s moved while committing (now %s); try again: %w", name.Short(), cur, ErrConflict)
	}
	if _, err := f.WriteString(new.String() + "\n"); err != nil {
		return fmt.Errorf("gitlink: update %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("gitlink: update %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("gitlink: update %s: %w", name, err)
	}
	if err := os.Rename(lockPath, file); err != nil {
		return fmt.Errorf("gitlink: update %s: %w", name, err)
	}
	renamed = true
	return nil
}
