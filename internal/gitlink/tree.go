package gitlink

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// entryAt returns the tree entry at a slash-separated path of t, or nil.
// A nil tree (unborn branch) has no entries.
func entryAt(t *object.Tree, p string) (*object.TreeEntry, error) {
	if t == nil {
		return nil, nil
	}
	e, err := t.FindEntry(p)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, nil
	}
	return e, err
}

// MaxFileSize is the largest file gitlink reads from a repository or a
// working tree. Every file it reads is one it writes (generated, small) or
// the stack file; a bigger one is somebody else's, and a tiny repository
// can hold gigabytes of zeros.
const MaxFileSize = 5 << 20

// blobAt reads the file at p of t. ok is false when there is no file there
// (nothing, or a folder). A blob over MaxFileSize is a *tooBigError: its
// size is read from the object header before any content.
func blobAt(s storer.EncodedObjectStorer, t *object.Tree, p string) (data []byte, mode filemode.FileMode, ok bool, err error) {
	e, err := entryAt(t, p)
	if err != nil || e == nil || !e.Mode.IsFile() {
		return nil, 0, false, err
	}
	size, err := s.EncodedObjectSize(e.Hash)
	if err != nil {
		return nil, 0, false, err
	}
	if size > MaxFileSize {
		return nil, 0, false, &tooBigError{path: p, size: size}
	}
	b, err := object.GetBlob(s, e.Hash)
	if err != nil {
		return nil, 0, false, err
	}
	r, err := b.Reader()
	if err != nil {
		return nil, 0, false, err
	}
	defer r.Close()
	// The header said the size; never trust it beyond the limit.
	data, err = io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err == nil && len(data) > MaxFileSize {
		return nil, 0, false, &tooBigError{path: p, size: int64(len(data))}
	}
	return data, e.Mode, err == nil, err
}

// writeBlob stores data as a blob and returns its hash.
func writeBlob(s storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

// blobHash is the object id data would get, without storing it.
func blobHash(data []byte) plumbing.Hash {
	return plumbing.ComputeHash(plumbing.BlobObject, data)
}

// newEntry is a file to put into a tree.
type newEntry struct {
	hash    plumbing.Hash
	mode    filemode.FileMode
	deleted bool // remove the file; a folder left empty goes too
}

// buildTree writes the tree that is base (nil for none) with files replaced
// or added. files maps slash-separated paths relative to base to blobs. It
// returns the new tree's hash; only trees that changed are written.
func buildTree(s storer.EncodedObjectStorer, base *object.Tree, files map[string]newEntry) (plumbing.Hash, error) {
	h, _, err := buildSubtree(s, base, files, true)
	return h, err
}

// buildSubtree is buildTree for one folder; empty reports that nothing is
// left in it (its files deleted), so its parent drops it, as Git has no
// empty folders. The root tree is written even when empty.
func buildSubtree(s storer.EncodedObjectStorer, base *object.Tree, files map[string]newEntry, root bool) (h plumbing.Hash, empty bool, err error) {
	here := map[string]newEntry{}             // files directly in this tree
	below := map[string]map[string]newEntry{} // per sub folder
	for p, e := range files {
		dir, rest, ok := strings.Cut(p, "/")
		if !ok {
			here[p] = e
			continue
		}
		if below[dir] == nil {
			below[dir] = map[string]newEntry{}
		}
		below[dir][rest] = e
	}
	for name := range here {
		if _, ok := below[name]; ok {
			return plumbing.ZeroHash, false, fmt.Errorf("%q is both a file and a folder", name)
		}
	}

	var entries []object.TreeEntry
	seen := map[string]bool{}
	if base != nil {
		for _, e := range base.Entries {
			seen[e.Name] = true
			if ne, ok := here[e.Name]; ok {
				if ne.deleted {
					if e.Mode == filemode.Dir || e.Mode == filemode.Submodule {
						entries = append(entries, e) // a file is deleted, never a folder
					}
					continue
				}
				if e.Mode == filemode.Dir || e.Mode == filemode.Submodule {
					return plumbing.ZeroHash, false, fmt.Errorf("%q is a folder in the repository, cannot write a file there", e.Name)
				}
				entries = append(entries, object.TreeEntry{Name: e.Name, Mode: ne.mode, Hash: ne.hash})
				continue
			}
			if sub, ok := below[e.Name]; ok {
				if e.Mode != filemode.Dir {
					return plumbing.ZeroHash, false, fmt.Errorf("%q is a file in the repository, cannot create a folder there", e.Name)
				}
				subTree, err := object.GetTree(s, e.Hash)
				if err != nil {
					return plumbing.ZeroHash, false, err
				}
				h, empty, err := buildSubtree(s, subTree, sub, false)
				if err != nil {
					return plumbing.ZeroHash, false, prefixErr(e.Name, err)
				}
				if !empty {
					entries = append(entries, object.TreeEntry{Name: e.Name, Mode: filemode.Dir, Hash: h})
				}
				continue
			}
			entries = append(entries, e)
		}
	}
	for name, ne := range here {
		if !seen[name] && !ne.deleted {
			entries = append(entries, object.TreeEntry{Name: name, Mode: ne.mode, Hash: ne.hash})
		}
	}
	for name, sub := range below {
		if seen[name] {
			continue
		}
		h, empty, err := buildSubtree(s, nil, sub, false)
		if err != nil {
			return plumbing.ZeroHash, false, prefixErr(name, err)
		}
		if !empty {
			entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
		}
	}
	if len(entries) == 0 && !root {
		return plumbing.ZeroHash, true, nil
	}

	// Git orders entries by name, comparing folders as if they ended in "/".
	sort.Slice(entries, func(i, j int) bool { return sortKey(entries[i]) < sortKey(entries[j]) })
	t := &object.Tree{Entries: entries}
	obj := s.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, false, err
	}
	h, err = s.SetEncodedObject(obj)
	return h, false, err
}

func sortKey(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

func prefixErr(dir string, err error) error {
	var pe *pathError
	if errors.As(err, &pe) {
		return &pathError{path: dir + "/" + pe.path, err: pe.err}
	}
	return &pathError{path: dir, err: err}
}

// writeCommit stores a commit and returns its hash.
func writeCommit(s storer.EncodedObjectStorer, c *object.Commit) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}
