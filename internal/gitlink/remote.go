package gitlink

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/memory"
)

const remoteName = "origin"

// trackingRef is where the cache keeps the remote's branch tip.
func trackingRef(l Link) plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(remoteName, l.branch())
}

// baseRef records, per branch and folder, the last commit whose version of
// the folder this cache wrote (or saw as up to date). Upstream changes are
// measured against it.
func baseRef(l Link) plumbing.ReferenceName {
	sum := sha256.Sum256([]byte(l.branch() + "\x00" + l.folder()))
	return plumbing.ReferenceName("refs/switchboard/base/" + hex.EncodeToString(sum[:16]))
}

// cachePath is CacheDir/<hash of URL>.
func (c *Client) cachePath(l Link) (string, error) {
	if c.CacheDir == "" {
		return "", invalidf("Client.CacheDir is required for remote repositories")
	}
	root, err := filepath.Abs(c.CacheDir)
	if err != nil {
		return "", fmt.Errorf("gitlink: cache folder: %w", err)
	}
	sum := sha256.Sum256([]byte(l.Repo))
	return filepath.Join(root, hex.EncodeToString(sum[:16])), nil
}

// openCache locks and opens (creating it if needed) the bare clone of l.Repo.
func (c *Client) openCache(ctx context.Context, l Link) (*git.Repository, func(), error) {
	dir, err := c.cachePath(l)
	if err != nil {
		return nil, nil, err
	}
	unlock, err := lock(ctx, "cache:"+dir)
	if err != nil {
		return nil, nil, err
	}
	repo, err := openCacheDir(filepath.Dir(dir), dir, l, c.maxObjectSize())
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return repo, unlock, nil
}

func openCacheDir(root, dir string, l Link, maxObject int64) (*git.Repository, error) {
	// The cache holds the remote's content: keep it private.
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("gitlink: create cache: %w", err)
	}
	// MkdirAll keeps an existing folder's mode: set it back on every use,
	// whoever widened it.
	for _, d := range []string{root, dir} {
		if err := os.Chmod(d, 0o700); err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("gitlink: cache folder: %w", err)
		}
	}
	repo, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
			return nil, fmt.Errorf("gitlink: create cache: %w", err)
		}
		repo, err = git.PlainInit(dir, true)
	}
	if err != nil {
		// A cache is disposable: start again rather than fail for good.
		if rmErr := os.RemoveAll(dir); rmErr != nil {
			return nil, fmt.Errorf("gitlink: open cache %s: %w", dir, err)
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			return nil, fmt.Errorf("gitlink: create cache: %w", err)
		}
		if repo, err = git.PlainInit(dir, true); err != nil {
			return nil, fmt.Errorf("gitlink: create cache: %w", err)
		}
	}
	// Reopen on storage that checks what a fetch brings in.
	fss, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("gitlink: open cache %s: not on disk", dir)
	}
	if repo, err = git.Open(&guardedStorage{Storage: fss, max: maxObject}, nil); err != nil {
		return nil, fmt.Errorf("gitlink: open cache %s: %w", dir, err)
	}
	rc, err := repo.Remote(remoteName)
	if err == nil && len(rc.Config().URLs) == 1 && rc.Config().URLs[0] == l.Repo {
		return repo, nil
	}
	if err == nil {
		if err := repo.DeleteRemote(remoteName); err != nil {
			return nil, fmt.Errorf("gitlink: configure cache: %w", err)
		}
	}
	_, err = repo.CreateRemote(&config.RemoteConfig{
		Name:  remoteName,
		URLs:  []string{l.Repo},
		Fetch: []config.RefSpec{config.RefSpec("+refs/heads/*:refs/remotes/" + remoteName + "/*")},
	})
	if err != nil {
		return nil, fmt.Errorf("gitlink: configure cache: %w", err)
	}
	return repo, nil
}

// fetchTip fetches l.Branch into the cache and returns the remote's tip.
// It returns ErrBranchMissing when the remote has no such branch.
func (c *Client) fetchTip(ctx context.Context, repo *git.Repository, l Link) (plumbing.Hash, error) {
	if err := c.fetch(ctx, repo, l, l.branch()); err != nil {
		if errors.Is(err, ErrBranchMissing) {
			// Forget a branch deleted upstream.
			_ = repo.Storer.RemoveReference(trackingRef(l))
		}
		return plumbing.ZeroHash, err
	}
	return refHash(repo.Storer, trackingRef(l))
}

func (c *Client) fetch(ctx context.Context, repo *git.Repository, l Link, branch string) error {
	auth, err := l.transportAuth()
	if err != nil {
		return err
	}
	spec := config.RefSpec(fmt.Sprintf("+refs/heads/%s:refs/remotes/%s/%s", branch, remoteName, branch))
	report(ctx, "Fetching %s from %s", branch, l.displayRepo())
	err = repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: remoteName,
		RefSpecs:   []config.RefSpec{spec},
		Auth:       auth,
		Tags:       git.NoTags,
		Progress:   redactingWriter(progressOf(ctx), l.Auth.secrets()),
	})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case errors.Is(err, git.NoMatchingRefSpecError{}):
		return fmt.Errorf("gitlink: %s has no branch %q: %w", l.displayRepo(), branch, ErrBranchMissing)
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return fmt.Errorf("gitlink: %s: %w", l.displayRepo(), errEmptyRemote)
	case errors.Is(err, ErrTooBig):
		return fmt.Errorf("gitlink: fetch from %s refused: %w", l.displayRepo(), err)
	}
	return transportError("fetch from", l, err)
}

// fetchDefaultTip is for a branch about to be created: it returns the tip
// of the remote's default branch, or zero for an empty remote.
func (c *Client) fetchDefaultTip(ctx context.Context, repo *git.Repository, l Link) (plumbing.Hash, error) {
	refs, err := c.listRemote(ctx, l)
	if errors.Is(err, ErrBranchMissing) { // empty remote
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var head plumbing.ReferenceName
	for _, r := range refs {
		if r.Name() == plumbing.HEAD && r.Type() == plumbing.SymbolicReference {
			head = r.Target()
		}
	}
	if !head.IsBranch() {
		return plumbing.ZeroHash, nil
	}
	if err := c.fetch(ctx, repo, l, head.Short()); err != nil {
		return plumbing.ZeroHash, err
	}
	return refHash(repo.Storer, plumbing.NewRemoteReferenceName(remoteName, head.Short()))
}

// listRemote is git ls-remote, without touching the cache.
func (c *Client) listRemote(ctx context.Context, l Link) ([]*plumbing.Reference, error) {
	auth, err := l.transportAuth()
	if err != nil {
		return nil, err
	}
	report(ctx, "Listing the branches of %s", l.displayRepo())
	r := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: remoteName, URLs: []string{l.Repo}})
	refs, err := r.ListContext(ctx, &git.ListOptions{Auth: auth})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return nil, fmt.Errorf("gitlink: %s: %w", l.displayRepo(), errEmptyRemote)
	}
	if err != nil {
		return nil, transportError("list", l, err)
	}
	return refs, nil
}

func (c *Client) checkRemote(ctx context.Context, l Link) error {
	if _, err := c.cachePath(l); err != nil {
		return err
	}
	refs, err := c.listRemote(ctx, l)
	if errors.Is(err, errEmptyRemote) {
		return nil // the first commit creates the branch
	}
	if err != nil {
		return err
	}
	for _, r := range refs {
		if r.Name() == l.branchRef() {
			return nil
		}
	}
	return fmt.Errorf("gitlink: %s has no branch %q: %w", l.displayRepo(), l.branch(), ErrBranchMissing)
}

// commitRemote fetches, commits on top of the remote tip and pushes,
// retrying when somebody else pushed in between.
func (c *Client) commitRemote(ctx context.Context, l Link, files map[string]File, message string) (Result, error) {
	repo, unlock, err := c.openCache(ctx, l)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	dir, err := c.cachePath(l)
	if err != nil {
		return Result{}, err
	}
	auth, err := l.transportAuth()
	if err != nil {
		return Result{}, err
	}
	// A ref that a crash left unreadable only costs us the conflict check
	// for one commit; it must not block committing for good.
	base := readCacheRef(repo, baseRef(l))
	pending := readCacheRef(repo, pendingRef(l))

	var lastErr error
	for attempt := 1; attempt <= maxPushAttempts; attempt++ {
		tip, err := c.fetchTip(ctx, repo, l)
		creating := false
		switch {
		case errors.Is(err, errEmptyRemote):
			creating, tip, err = true, plumbing.ZeroHash, nil
		case errors.Is(err, ErrBranchMissing) && l.CreateBranch:
			creating = true
			tip, err = c.fetchDefaultTip(ctx, repo, l)
		}
		if err != nil {
			return Result{}, err
		}
		tree, err := treeOf(repo.Storer, tip)
		if err != nil {
			return Result{}, err
		}
		// An earlier push interrupted after the remote took it is ours,
		// not an upstream change.
		base = conflictBase(repo, base, pending, tip)
		ps, err := plan(repo.Storer, tree, l, files, "", nil)
		if err != nil {
			return Result{}, err
		}
		ch := changed(ps)
		if foreign, err := foreignFiles(repo.Storer, tree, l, ps); err != nil {
			return Result{}, err
		} else if len(foreign) > 0 {
			return Result{}, foreignConflict(l, foreign)
		}
		if err := checkUpstream(repo, l, base, ch); err != nil {
			return Result{}, err
		}
		h := tip // a new branch whose files are already up to date
		if len(ch) == 0 && !(creating && !tip.IsZero()) {
			// Upstream already has our files: it is our new base.
			_ = setCacheRef(dir, baseRef(l), tip)
			return Result{Changes: changesOf(ps)}, fmt.Errorf("gitlink: %s on %s: %w", folderName(l), l.branch(), ErrNothingToCommit)
		}
		if len(ch) > 0 {
			if h, err = c.buildCommit(ctx, repo.Storer, l, tip, ch, message); err != nil {
				return Result{}, err
			}
		}
		local := l.branchRef()
		if err := setCacheRef(dir, local, h); err != nil {
			return Result{}, err
		}
		if err := setCacheRef(dir, pendingRef(l), h); err != nil {
			return Result{}, err
		}
		pending = h
		opts := &git.PushOptions{
			RemoteName: remoteName,
			RefSpecs:   []config.RefSpec{config.RefSpec(local.String() + ":" + local.String())},
			Auth:       auth,
			Progress:   redactingWriter(progressOf(ctx), l.Auth.secrets()),
		}
		report(ctx, "Pushing %s to %s", l.branch(), l.displayRepo())
		if !tip.IsZero() && !creating {
			// Compare-and-swap on the remote branch: never overwrite a
			// commit we have not built on. Without it go-git still refuses
			// anything but a fast-forward, and we never force.
			opts.RequireRemoteRefs = []config.RefSpec{config.RefSpec(tip.String() + ":" + local.String())}
		}
		err = repo.PushContext(ctx, opts)
		if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
			_ = setCacheRef(dir, trackingRef(l), h)
			if err := setCacheRef(dir, baseRef(l), h); err != nil {
				return resultOf(h, ps, true), fmt.Errorf("gitlink: pushed %s but could not record it: %w", h, err)
			}
			_ = repo.Storer.RemoveReference(pendingRef(l))
			return resultOf(h, ps, true), nil
		}
		if !pushRaced(err) {
			return Result{}, transportError("push to", l, err)
		}
		lastErr = transportError("push to", l, err)
	}
	return Result{}, fmt.Errorf("gitlink: %s kept moving; gave up after %d attempts: %w", l.displayRepo(), maxPushAttempts, lastErr)
}

// pendingRef records a commit being pushed, until the push is confirmed.
func pendingRef(l Link) plumbing.ReferenceName {
	return plumbing.ReferenceName(strings.Replace(baseRef(l).String(), "/base/", "/pending/", 1))
}

// readCacheRef reads a bookkeeping ref of the cache; zero when it is
// missing, unreadable or points at a missing commit.
func readCacheRef(repo *git.Repository, name plumbing.ReferenceName) plumbing.Hash {
	h, err := refHash(repo.Storer, name)
	if err != nil || h.IsZero() {
		return plumbing.ZeroHash
	}
	if _, err := object.GetCommit(repo.Storer, h); err != nil {
		return plumbing.ZeroHash
	}
	return h
}

// setCacheRef writes a ref of the cache through a temporary file and a
// rename, so a crash leaves the old value or the new one. The cache is
// only used under our lock, so there is no old value to compare.
func setCacheRef(dir string, name plumbing.ReferenceName, h plumbing.Hash) error {
	file := filepath.Join(dir, filepath.FromSlash(name.String()))
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("gitlink: update cache %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-ref-*")
	if err != nil {
		return fmt.Errorf("gitlink: update cache %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(h.String() + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		return fmt.Errorf("gitlink: update cache %s: %w", name, err)
	}
	return nil
}

// isAncestor reports whether commit a is b or one of b's ancestors.
func isAncestor(repo *git.Repository, a, b plumbing.Hash) bool {
	if a == b {
		return true
	}
	if b.IsZero() {
		return false
	}
	ca, err := object.GetCommit(repo.Storer, a)
	if err != nil {
		return false
	}
	cb, err := object.GetCommit(repo.Storer, b)
	if err != nil {
		return false
	}
	ok, err := ca.IsAncestor(cb)
	return err == nil && ok
}

// pushRaced reports whether a push failed because the remote branch moved
// (somebody else pushed first), which a fetch and retry can fix.
func pushRaced(err error) bool {
	if errors.Is(err, git.ErrForceNeeded) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"non-fast-forward", "required to be", "fetch first", "cannot lock ref", "failed to update ref", "but is absent"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// checkUpstream refuses to overwrite files that changed upstream between
// base (the last commit this cache made or accepted for the folder) and the
// remote tip, unless l.Overwrite. Upstream changes to other files, in the
// folder or not, are kept: the commit is built on top of them.
func checkUpstream(repo *git.Repository, l Link, base plumbing.Hash, ch []planned) error {
	if l.Overwrite {
		return nil
	}
	out, err := upstreamChanged(repo, base, ch)
	if err != nil {
		return err
	}
	if len(out) > 0 {
		return &ConflictError{Files: out, Reason: fmt.Sprintf("changed in %s on %s since Switchboard last committed them; open the stack from the repository, or commit with Overwrite to replace them", l.displayRepo(), l.branch())}
	}
	return nil
}

// upstreamChanged lists the files of ch whose content at the tip (p.old)
// differs from their content at base.
func upstreamChanged(repo *git.Repository, base plumbing.Hash, ch []planned) ([]string, error) {
	baseTree, err := treeOf(repo.Storer, base)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range ch {
		was, _, ok, err := blobAt(repo.Storer, baseTree, p.repoPath)
		if errors.Is(err, ErrTooBig) {
			out = append(out, p.Path) // it was not ours then
			continue
		}
		if err != nil {
			return nil, err
		}
		switch {
		case !ok && p.old == nil: // absent before and now
		case ok && p.old != nil && bytes.Equal(was, p.old): // unchanged upstream
		default:
			out = append(out, p.Path)
		}
	}
	return out, nil
}

// conflictBase is the commit that upstream changes are measured from:
// the last commit this cache pushed or accepted for the folder, or one
// whose push was interrupted but reached the remote, or else the tip.
func conflictBase(repo *git.Repository, base, pending, tip plumbing.Hash) plumbing.Hash {
	if !pending.IsZero() && isAncestor(repo, pending, tip) {
		return pending
	}
	if base.IsZero() {
		// First commit from this cache: what is upstream now is what the
		// user is replacing.
		return tip
	}
	return base
}
