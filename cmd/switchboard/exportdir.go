package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
)

// writeExportDir writes the template as name and, for each function whose
// code folder does not exist yet, its scaffold (path → content) into dir,
// and returns the scaffolds written. Every file goes to a temporary name in
// its folder first and is then renamed, so a full disk or a crash never
// leaves half a file. All of it happens through an os.Root on dir, which
// refuses any path that a symbolic link leads out of the folder, so a
// shared or cloned folder cannot make the export write elsewhere; a
// symbolic link in the way is reported rather than followed or replaced.
func writeExportDir(dir, name string, template []byte, definitions, scaffolds map[string][]byte) (written []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()

	if fi, err := root.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s in %s is a symbolic link; export --dir writes only regular files there, remove the link first", name, dir)
	}
	if err := writeInRoot(root, name, template, true); err != nil {
		return nil, fmt.Errorf("write %s in %s: %w", name, dir, err)
	}
	// State machine definitions are the design, like the template:
	// written over an older one, never through a link.
	for _, p := range slices.Sorted(maps.Keys(definitions)) {
		if fi, err := root.Lstat(p); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s in %s is a symbolic link; export --dir writes only regular files there, remove the link first", p, dir)
		}
		if err := root.MkdirAll(path.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("write %s in %s: %w", p, dir, err)
		}
		if err := writeInRoot(root, p, definitions[p], true); err != nil {
			return nil, fmt.Errorf("write %s in %s: %w", p, dir, err)
		}
	}
	paths := make([]string, 0, len(scaffolds))
	for p := range scaffolds {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		folder := path.Dir(p)
		fi, err := root.Lstat(folder)
		switch {
		case err == nil && fi.Mode()&fs.ModeSymlink != 0:
			// The user's own code may be linked in, but not from outside.
			if _, err := root.Stat(folder); err != nil {
				return written, fmt.Errorf("%s in %s is a symbolic link out of the folder; refusing to export through it: %w", folder, dir, err)
			}
			continue
		case err == nil:
			continue // the function's code is there: never touched
		case !errors.Is(err, fs.ErrNotExist):
			return written, scaffoldError(p, dir, err)
		}
		if err := root.MkdirAll(folder, 0o755); err != nil {
			return written, scaffoldError(p, dir, err)
		}
		if err := writeInRoot(root, p, scaffolds[p], false); err != nil {
			return written, scaffoldError(p, dir, err)
		}
		written = append(written, p)
	}
	return written, nil
}

func scaffoldError(p, dir string, err error) error {
	return fmt.Errorf("cannot write the scaffold %s in %s (nothing is written through a symbolic link out of the folder): %w", p, dir, err)
}

// writeInRoot writes data to name in root through a temporary file in the
// same folder. With replace it renames it over an existing file, keeping
// that file's permissions; without, an existing file is an error and is
// left alone (a hard link, unlike a rename, never replaces).
func writeInRoot(root *os.Root, name string, data []byte, replace bool) error {
	mode := fs.FileMode(0o644)
	if fi, err := root.Stat(name); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	tmp := path.Join(path.Dir(name), "."+path.Base(name)+"."+hex.EncodeToString(suffix[:]))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	defer root.Remove(tmp)
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// OpenFile's mode passed through the umask.
		err = root.Chmod(tmp, mode)
	}
	if err != nil {
		return err
	}
	if replace {
		return root.Rename(tmp, name)
	}
	return root.Link(tmp, name)
}
