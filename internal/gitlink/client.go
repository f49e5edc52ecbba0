package gitlink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// File is one file to write into the stack folder.
type File struct {
	// Data is the file's content.
	Data []byte
	// CreateOnly marks scaffolding that becomes user code once written (a
	// function's handler, say): it is written only when neither the file
	// nor its folder exists yet, and is never overwritten.
	CreateOnly bool
	// Delete removes the file instead (the old copy of a folder the caller
	// moves); nothing happens when there is none. Data is not used.
	Delete bool
}

// Files wraps generated contents, keyed by path relative to the stack
// folder, as Files that are always written.
func Files(m map[string][]byte) map[string]File {
	out := make(map[string]File, len(m))
	for p, b := range m {
		out[p] = File{Data: b}
	}
	return out
}

// Change statuses.
const (
	StatusAdded    = "added"    // the file is new
	StatusModified = "modified" // the file exists with other content
	StatusKept     = "kept"     // a CreateOnly file left alone: it or its folder exists
	StatusDeleted  = "deleted"  // a Delete file that was there
)

// Change is what a commit does, or would do, to one file.
type Change struct {
	// Path is relative to Link.Folder, as in the files passed in.
	Path string
	// Status is StatusAdded, StatusModified, StatusKept or StatusDeleted.
	// Only files passed with Delete are deleted; files already up to date
	// are not listed.
	Status string
	// Diff is a `git diff`-style unified diff of the old content against the
	// new one (paths relative to the repository root); empty for StatusKept.
	Diff string
	// Conflict (Preview only) marks a file Commit would refuse to write:
	// changed upstream since Switchboard last committed it, edited and
	// not committed in the local working tree, or (Foreign) already in a
	// folder the caller did not write. See ErrConflict.
	Conflict bool
	// Foreign (Preview only): the conflict is a file of somebody else's
	// in a folder the caller did not write; Link.Overwrite replaces it.
	Foreign bool
}

// Result reports a commit.
type Result struct {
	// Hash is the new commit's id.
	Hash string
	// Changes lists the files added or modified, then the CreateOnly files kept.
	Changes []Change
	// Pushed is true when the commit was pushed to a remote.
	Pushed bool
}

// CommitInfo describes one commit of History.
type CommitInfo struct {
	Hash        string    // full commit id
	Message     string    // the message without its trailing newline
	Author      string    // author name
	AuthorEmail string    // author email
	When        time.Time // author date
}

// Client commits to local and remote repositories. The zero value works
// for local repositories; remotes need CacheDir. A Client is safe for
// concurrent use: operations on the same repository or cache are
// serialised within the process.
type Client struct {
	// CacheDir holds a bare clone of every remote, in CacheDir/<hash of URL>.
	// It is created with mode 0700.
	CacheDir string
	// MaxObjectSize is the largest object a fetch accepts, checked from
	// the pack's headers before go-git loads it; DefaultMaxObjectSize when
	// zero. A bigger one fails the fetch with ErrTooBig.
	MaxObjectSize int64
	// Now stamps the commits; time.Now when nil. Tests inject a fixed
	// clock to get reproducible commit ids.
	Now func() time.Time
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// maxPushAttempts bounds how often Commit fetches and retries after the
// remote moved while it was pushing.
const maxPushAttempts = 3

// testHookBeforeRef, when set by tests, runs after the commit's objects are
// written and before any reference moves; an error aborts the commit there.
var testHookBeforeRef func() error

// testHookStep, when set by tests, runs at each step of a local commit
// that writes to disk; the crash test kills the process there.
var testHookStep func(step string)

func step(name string) {
	if testHookStep != nil {
		testHookStep(name)
	}
}

// locks serialises work per repository folder or cache folder. A channel
// rather than a sync.Mutex so that waiting honours the context.
var locks sync.Map // string → chan struct{}

func lock(ctx context.Context, key string) (unlock func(), err error) {
	v, _ := locks.LoadOrStore(key, make(chan struct{}, 1))
	ch := v.(chan struct{})
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Check opens the repository the way Commit would and reports whether it
// can be used. A local folder that is missing or empty is initialised, with
// the branch as HEAD. For a remote, Check lists its references (git
// ls-remote) and returns ErrAuth, ErrNotFound or ErrBranchMissing.
func (c *Client) Check(ctx context.Context, l Link) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if l.IsRemote() {
		return c.checkRemote(ctx, l)
	}
	unlock, err := lock(ctx, localKey(l))
	if err != nil {
		return err
	}
	defer unlock()
	_, err = openLocal(l, true)
	return err
}

// DefaultBranch is the branch to use when the user names none: the one the
// remote's HEAD points at (what a clone checks out), or for a local
// repository the branch its HEAD points at. An empty or missing repository
// has none yet, and gets DefaultBranch. l.Branch is ignored.
func (c *Client) DefaultBranch(ctx context.Context, l Link) (string, error) {
	l.Branch = ""
	if err := l.Validate(); err != nil {
		return "", err
	}
	if l.IsRemote() {
		refs, err := c.listRemote(ctx, l)
		if errors.Is(err, errEmptyRemote) {
			return DefaultBranch, nil
		}
		if err != nil {
			return "", err
		}
		for _, r := range refs {
			if r.Name() == plumbing.HEAD && r.Type() == plumbing.SymbolicReference && r.Target().IsBranch() {
				return r.Target().Short(), nil
			}
		}
		return DefaultBranch, nil
	}
	if _, err := os.Stat(l.Repo); errors.Is(err, os.ErrNotExist) {
		if err := checkHostPath(l.Repo); err != nil {
			return "", err
		}
	}
	repo, err := git.PlainOpenWithOptions(l.Repo, &git.PlainOpenOptions{DetectDotGit: false})
	if err != nil {
		return DefaultBranch, nil // missing or empty: Check initialises it
	}
	head, err := repo.Storer.Reference(plumbing.HEAD)
	if err == nil && head.Type() == plumbing.SymbolicReference && head.Target().IsBranch() {
		return head.Target().Short(), nil
	}
	return DefaultBranch, nil
}

// Preview reports what Commit would change, without changing anything
// (except that a missing or empty local folder is initialised, as by Check).
// For remotes it fetches first, so the diff is against the remote tip.
// Files Commit would refuse to overwrite are marked Change.Conflict.
func (c *Client) Preview(ctx context.Context, l Link, files map[string]File) ([]Change, error) {
	if err := validate(l, files); err != nil {
		return nil, err
	}
	var (
		repo *git.Repository
		tip  plumbing.Hash
		wt   string
		lo   leftovers
		err  error
	)
	remote := l.IsRemote()
	if remote {
		var unlock func()
		repo, unlock, err = c.openCache(ctx, l)
		if err != nil {
			return nil, err
		}
		defer unlock()
		tip, err = c.fetchTip(ctx, repo, l)
		switch {
		case errors.Is(err, errEmptyRemote):
			tip, err = plumbing.ZeroHash, nil
		case errors.Is(err, ErrBranchMissing) && l.CreateBranch:
			tip, err = c.fetchDefaultTip(ctx, repo, l)
		}
	} else {
		unlock, lerr := lock(ctx, localKey(l))
		if lerr != nil {
			return nil, lerr
		}
		defer unlock()
		repo, err = openLocal(l, true)
		if err == nil {
			tip, err = refHash(repo.Storer, l.branchRef())
			wt = checkedOut(repo, l)
		}
		if err == nil && wt != "" {
			if dotgit, derr := gitDir(repo); derr == nil {
				lo = leftoversOf(dotgit)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	tree, err := treeOf(repo.Storer, tip)
	if err != nil {
		return nil, err
	}
	ps, err := plan(repo.Storer, tree, l, files, wt, lo)
	if err != nil {
		return nil, err
	}
	foreign, err := foreignFiles(repo.Storer, tree, l, ps)
	if err != nil {
		return nil, err
	}
	var conflicts []string
	switch {
	case remote && !l.Overwrite:
		base := conflictBase(repo, readCacheRef(repo, baseRef(l)), readCacheRef(repo, pendingRef(l)), tip)
		if conflicts, err = upstreamChanged(repo, base, changed(ps)); err != nil {
			return nil, err
		}
	case wt != "":
		var ce *ConflictError
		if _, err := worktreePlan(repo, wt, tip, tree, l, files, changed(ps), lo); errors.As(err, &ce) {
			conflicts = ce.Files
		} else if err != nil {
			return nil, err
		}
	}
	out := changesOf(ps)
	for i := range out {
		out[i].Foreign = slices.Contains(foreign, out[i].Path)
		out[i].Conflict = out[i].Foreign || slices.Contains(conflicts, out[i].Path)
	}
	return out, nil
}

// Commit writes files into Link.Folder on Link.Branch as one commit signed
// by the Link's author and stamped by Client.Now, and pushes it to remotes.
// message is the commit message; an empty one becomes "Update <folder>".
//
// It returns ErrNothingToCommit (and makes no commit) when every file is up
// to date, and a *ConflictError (ErrConflict) when it would overwrite
// somebody else's change: upstream for remotes, uncommitted in the working
// tree for local repositories. Remotes may also give ErrAuth, ErrNotFound
// and ErrBranchMissing.
func (c *Client) Commit(ctx context.Context, l Link, files map[string]File, message string) (Result, error) {
	if err := validate(l, files); err != nil {
		return Result{}, err
	}
	if strings.TrimSpace(message) == "" {
		message = "Update " + l.folder()
		if l.folder() == "" {
			message = "Update stack"
		}
	}
	if !strings.HasSuffix(message, "\n") {
		message += "\n"
	}
	if l.IsRemote() {
		return c.commitRemote(ctx, l, files, message)
	}
	return c.commitLocal(ctx, l, files, message)
}

// History lists the commits of Link.Branch that touch Link.Folder, newest
// first, at most limit of them (all when limit <= 0). Remotes are fetched
// first. A branch without commits has no history.
func (c *Client) History(ctx context.Context, l Link, limit int) ([]CommitInfo, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	repo, tip, unlock, err := c.openTip(ctx, l)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if tip.IsZero() {
		return nil, nil
	}
	opts := &git.LogOptions{From: tip}
	if f := l.folder(); f != "" {
		opts.PathFilter = func(p string) bool { return p == f || strings.HasPrefix(p, f+"/") }
	}
	iter, err := repo.Log(opts)
	if err != nil {
		return nil, fmt.Errorf("gitlink: history of %s: %w", l.Folder, err)
	}
	defer iter.Close()
	var out []CommitInfo
	err = iter.ForEach(func(cm *object.Commit) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		out = append(out, CommitInfo{
			Hash:        cm.Hash.String(),
			Message:     strings.TrimRight(cm.Message, "\n"),
			Author:      cm.Author.Name,
			AuthorEmail: cm.Author.Email,
			When:        cm.Author.When,
		})
		if limit > 0 && len(out) >= limit {
			return storer.ErrStop
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("gitlink: history of %s: %w", l.Folder, err)
	}
	return out, nil
}

// ReadFile returns the content of Folder/p at the tip of Link.Branch (the
// remote's tip, after a fetch). A missing file gives an error wrapping
// fs.ErrNotExist.
func (c *Client) ReadFile(ctx context.Context, l Link, p string) ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if err := validateRelPath(p); err != nil {
		return nil, invalidf("path %q: %v", p, err)
	}
	repo, tip, unlock, err := c.openTip(ctx, l)
	if err != nil {
		return nil, err
	}
	defer unlock()
	tree, err := treeOf(repo.Storer, tip)
	if err != nil {
		return nil, err
	}
	data, _, ok, err := blobAt(repo.Storer, tree, l.repoPath(p))
	if err != nil {
		return nil, fmt.Errorf("gitlink: read %s: %w", l.repoPath(p), err)
	}
	if !ok {
		return nil, fmt.Errorf("gitlink: read %s on %s: %w", l.repoPath(p), l.branch(), errNotExist)
	}
	return data, nil
}

// entryAtTip opens the repository at the tip of Link.Branch and returns
// the tree entry at Folder/p, nil when there is none. The caller unlocks
// the repository when done with it.
func (c *Client) entryAtTip(ctx context.Context, l Link, p string) (*git.Repository, *object.TreeEntry, func(), error) {
	if err := l.Validate(); err != nil {
		return nil, nil, nil, err
	}
	if err := validateRelPath(p); err != nil {
		return nil, nil, nil, invalidf("path %q: %v", p, err)
	}
	repo, tip, unlock, err := c.openTip(ctx, l)
	if err != nil {
		return nil, nil, nil, err
	}
	tree, err := treeOf(repo.Storer, tip)
	if err != nil {
		unlock()
		return nil, nil, nil, err
	}
	e, err := entryAt(tree, l.repoPath(p))
	if err != nil {
		unlock()
		return nil, nil, nil, fmt.Errorf("gitlink: read %s: %w", l.repoPath(p), err)
	}
	return repo, e, unlock, nil
}

// Exists reports whether anything is at Folder/p at the tip of
// Link.Branch (the remote's tip, after a fetch) or, for a local repository
// with the branch checked out, in its working tree: a folder the user made
// and has not committed yet exists too.
func (c *Client) Exists(ctx context.Context, l Link, p string) (bool, error) {
	repo, e, unlock, err := c.entryAtTip(ctx, l, p)
	if err != nil {
		return false, err
	}
	defer unlock()
	if e != nil {
		return true, nil
	}
	if !l.IsRemote() {
		if wt := checkedOut(repo, l); wt != "" {
			if _, err := safeJoin(wt, l.repoPath(p)); err == nil && existsOnDisk(wt, l.repoPath(p)) {
				return true, nil
			}
		}
	}
	return false, nil
}

// ReadFolder returns the files under Folder/dir at the tip of Link.Branch,
// keyed by path relative to Folder as File paths are: what a caller moving
// the folder writes elsewhere and deletes here. An absent folder has none.
// A file over MaxFileSize is ErrTooBig; a symlink or submodule, which a
// move could not carry, is ErrInvalid.
func (c *Client) ReadFolder(ctx context.Context, l Link, dir string) (map[string][]byte, error) {
	repo, e, unlock, err := c.entryAtTip(ctx, l, dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if e == nil || e.Mode != filemode.Dir {
		return nil, nil
	}
	sub, err := object.GetTree(repo.Storer, e.Hash)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	var tooBig []string
	walker := object.NewTreeWalker(sub, true, nil)
	defer walker.Close()
	for {
		name, entry, err := walker.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("gitlink: read %s: %w", l.repoPath(dir), err)
		}
		p := path.Join(dir, name)
		switch {
		case entry.Mode == filemode.Dir:
			continue
		case !entry.Mode.IsFile() || entry.Mode == filemode.Symlink:
			return nil, invalidf("%s is a link or submodule, which cannot be moved", p)
		}
		data, _, _, err := blobAt(repo.Storer, sub, name)
		if errors.Is(err, ErrTooBig) {
			tooBig = append(tooBig, p)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("gitlink: read %s: %w", l.repoPath(p), err)
		}
		out[p] = data
	}
	if len(tooBig) > 0 {
		return nil, tooBigConflict(tooBig)
	}
	return out, nil
}

// openTip opens the repository (fetching remotes) and resolves the branch tip.
func (c *Client) openTip(ctx context.Context, l Link) (*git.Repository, plumbing.Hash, func(), error) {
	if l.IsRemote() {
		repo, unlock, err := c.openCache(ctx, l)
		if err != nil {
			return nil, plumbing.ZeroHash, nil, err
		}
		tip, err := c.fetchTip(ctx, repo, l)
		if errors.Is(err, errEmptyRemote) {
			return repo, plumbing.ZeroHash, unlock, nil // nothing committed yet
		}
		if err != nil {
			unlock()
			return nil, plumbing.ZeroHash, nil, err
		}
		return repo, tip, unlock, nil
	}
	unlock, err := lock(ctx, localKey(l))
	if err != nil {
		return nil, plumbing.ZeroHash, nil, err
	}
	// Reading never initialises a repository.
	repo, err := openLocal(l, false)
	if err != nil {
		unlock()
		return nil, plumbing.ZeroHash, nil, err
	}
	tip, err := refHash(repo.Storer, l.branchRef())
	if err != nil {
		unlock()
		return nil, plumbing.ZeroHash, nil, err
	}
	return repo, tip, unlock, nil
}

// validate checks the link and the file paths.
func validate(l Link, files map[string]File) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if len(files) == 0 {
		return invalidf("no files to write")
	}
	for p, f := range files {
		if err := validateRelPath(p); err != nil {
			return invalidf("file %q: %v", p, err)
		}
		if f.Delete && f.CreateOnly {
			return invalidf("file %q: both deleted and created", p)
		}
	}
	return nil
}

// refHash resolves a reference to a hash; zero when it does not exist.
func refHash(s storer.ReferenceStorer, name plumbing.ReferenceName) (plumbing.Hash, error) {
	ref, err := storer.ResolveReference(s, name)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("gitlink: resolve %s: %w", name, err)
	}
	return ref.Hash(), nil
}

// treeOf returns the tree of a commit; nil for the zero hash.
func treeOf(s storer.EncodedObjectStorer, commit plumbing.Hash) (*object.Tree, error) {
	if commit.IsZero() {
		return nil, nil
	}
	cm, err := object.GetCommit(s, commit)
	if err != nil {
		return nil, fmt.Errorf("gitlink: read commit %s: %w", commit, err)
	}
	t, err := cm.Tree()
	if err != nil {
		return nil, fmt.Errorf("gitlink: read tree of %s: %w", commit, err)
	}
	return t, nil
}

// planned is one file of a commit with what it replaces.
type planned struct {
	Change
	deleted  bool // remove repoPath; data is nil
	repoPath string
	data     []byte
	mode     filemode.FileMode
	old      []byte // nil when added
	oldMode  filemode.FileMode
}

// plan compares files with tree (the branch tip; nil for none). wt is the
// working tree folder when the branch is checked out there: CreateOnly
// files then also count as existing when they exist on disk.
//
// lo are the contents an interrupted commit left in the working tree: a
// CreateOnly file that is one of them was never committed, so it is still
// to be created rather than the user's.
func plan(s storer.EncodedObjectStorer, tree *object.Tree, l Link, files map[string]File, wt string, lo leftovers) ([]planned, error) {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []planned
	var tooBig []string
	for _, p := range paths {
		f := files[p]
		rp := l.repoPath(p)
		old, oldMode, exists, err := blobAt(s, tree, rp)
		if errors.Is(err, ErrTooBig) {
			tooBig = append(tooBig, p)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("gitlink: read %s: %w", rp, err)
		}
		if f.Delete {
			if exists {
				pl := planned{Change: Change{Path: p, Status: StatusDeleted}, deleted: true, repoPath: rp, old: old, oldMode: oldMode}
				pl.Diff = unifiedDiff(rp, old, oldMode, nil, 0)
				out = append(out, pl)
			}
			continue
		}
		if f.CreateOnly {
			taken, err := createOnlyTaken(tree, l, p, wt, lo)
			if err != nil {
				return nil, err
			}
			if taken {
				if !exists || !bytes.Equal(old, f.Data) {
					out = append(out, planned{Change: Change{Path: p, Status: StatusKept}, repoPath: rp})
				}
				continue
			}
		}
		if exists && bytes.Equal(old, f.Data) {
			continue
		}
		pl := planned{repoPath: rp, data: f.Data, mode: filemode.Regular}
		pl.Path = p
		if exists {
			pl.Status, pl.old, pl.oldMode = StatusModified, old, oldMode
			if oldMode == filemode.Executable {
				pl.mode = oldMode // keep the user's chmod +x
			}
		} else {
			pl.Status = StatusAdded
		}
		pl.Diff = unifiedDiff(rp, pl.old, pl.oldMode, pl.data, pl.mode)
		out = append(out, pl)
	}
	if len(tooBig) > 0 {
		return nil, tooBigConflict(tooBig)
	}
	// Real changes first, kept files last, each group sorted by path.
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Status != StatusKept && out[j].Status == StatusKept
	})
	return out, nil
}

// createOnlyTaken reports whether a CreateOnly file p must be left alone:
// anything exists at its path, or its folder (below the stack folder) exists.
func createOnlyTaken(tree *object.Tree, l Link, p, wt string, lo leftovers) (bool, error) {
	check := []string{l.repoPath(p)}
	if dir := path.Dir(p); dir != "." {
		check = append(check, l.repoPath(dir))
	}
	for i, rp := range check {
		e, err := entryAt(tree, rp)
		if err != nil {
			return false, fmt.Errorf("gitlink: read %s: %w", rp, err)
		}
		if e != nil {
			return true, nil
		}
		if wt == "" || !existsOnDisk(wt, rp) {
			continue
		}
		if i == 0 && leftoverOnDisk(wt, rp, lo) {
			continue
		}
		if i == 1 && onlyLeftovers(wt, rp, lo) {
			continue
		}
		return true, nil
	}
	return false, nil
}

// leftoverOnDisk reports whether the working tree file rp holds what an
// interrupted commit wrote there.
func leftoverOnDisk(wt, rp string, lo leftovers) bool {
	if lo == nil {
		return false
	}
	cur, state, err := readDisk(wt, rp)
	return err == nil && state == diskFile && lo.ours(rp, cur)
}

// onlyLeftovers reports whether the working tree folder dir holds nothing
// but files an interrupted commit wrote: then it is not the user's yet.
func onlyLeftovers(wt, dir string, lo leftovers) bool {
	if lo == nil {
		return false
	}
	entries, err := os.ReadDir(filepath.Join(wt, filepath.FromSlash(dir)))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !leftoverOnDisk(wt, dir+"/"+e.Name(), lo) {
			return false
		}
	}
	return true
}

// changed returns the planned files that change (not kept).
func changed(ps []planned) []planned {
	var out []planned
	for _, p := range ps {
		if p.Status != StatusKept {
			out = append(out, p)
		}
	}
	return out
}

func changesOf(ps []planned) []Change {
	out := make([]Change, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Change)
	}
	return out
}

// buildCommit writes the blobs, trees and commit object for ps on top of
// parent (zero for a root commit) and returns the commit's hash. No
// reference moves.
func (c *Client) buildCommit(ctx context.Context, s storer.EncodedObjectStorer, l Link, parent plumbing.Hash, ps []planned, message string) (plumbing.Hash, error) {
	tree, err := treeOf(s, parent)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	report(ctx, "Writing the commit (%d files)", len(ps))
	entries := make(map[string]newEntry, len(ps))
	for _, p := range ps {
		if err := ctx.Err(); err != nil {
			return plumbing.ZeroHash, err
		}
		if p.deleted {
			entries[p.repoPath] = newEntry{deleted: true}
			continue
		}
		h, err := writeBlob(s, p.data)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("gitlink: write %s: %w", p.repoPath, err)
		}
		entries[p.repoPath] = newEntry{hash: h, mode: p.mode}
	}
	treeHash, err := buildTree(s, tree, entries)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("gitlink: cannot write into %s: %w: %w", l.Folder, err, ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return plumbing.ZeroHash, err
	}
	sig := object.Signature{Name: l.AuthorName, Email: l.AuthorEmail, When: c.now()}
	if sig.Name == "" {
		sig.Name = DefaultAuthorName
	}
	if sig.Email == "" {
		sig.Email = DefaultAuthorEmail
	}
	cm := &object.Commit{Author: sig, Committer: sig, Message: message, TreeHash: treeHash}
	if !parent.IsZero() {
		cm.ParentHashes = []plumbing.Hash{parent}
	}
	h, err := writeCommit(s, cm)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("gitlink: write commit: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return plumbing.ZeroHash, err
	}
	if testHookBeforeRef != nil {
		if err := testHookBeforeRef(); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	return h, nil
}

func resultOf(h plumbing.Hash, ps []planned, pushed bool) Result {
	return Result{Hash: h.String(), Changes: changesOf(ps), Pushed: pushed}
}

// foreignFiles lists the files of ps that would replace somebody else's:
// the folder's OwnerFile is missing or not recognised by l.IsOwner, and
// the file exists with other content. Nil with Overwrite or no IsOwner.
func foreignFiles(s storer.EncodedObjectStorer, tree *object.Tree, l Link, ps []planned) ([]string, error) {
	if l.IsOwner == nil || l.Overwrite {
		return nil, nil
	}
	var replaced []string
	for _, p := range ps {
		if p.Status == StatusModified {
			replaced = append(replaced, p.Path)
		}
	}
	if len(replaced) == 0 {
		return nil, nil
	}
	marker, _, ok, err := blobAt(s, tree, l.repoPath(l.OwnerFile))
	if err != nil && !errors.Is(err, ErrTooBig) {
		return nil, fmt.Errorf("gitlink: read %s: %w", l.repoPath(l.OwnerFile), err)
	}
	if ok && l.IsOwner(marker) {
		return nil, nil
	}
	return replaced, nil
}

func foreignConflict(l Link, files []string) error {
	return &ConflictError{Files: files, Foreign: true, Reason: fmt.Sprintf(
		"already in %s and not written by Switchboard; commit with Overwrite to replace them, or choose another folder", folderName(l))}
}
