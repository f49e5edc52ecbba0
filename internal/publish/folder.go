package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// The working folder: the folder on this machine that holds a stack's
// template.yaml and switchboard.json (its folder in a linked local
// repository, or the one `switchboard watch` keeps), which the user may
// edit in an IDE or update with a git pull. The files in it are
// untrusted: only those two names are read, each only when it is a
// regular file (not a link that could lead out of the folder), and each
// at most MaxFolderFile bytes.

// MaxFolderFile bounds each file read from a working folder: the
// importer's limit on a template (importer.MaxSize).
const MaxFolderFile = 2 << 20

// FolderFiles are a working folder's files; nil when missing.
type FolderFiles struct {
	Template, Stack []byte
}

// WorkingFolder is the stack's folder in its linked local repository, when
// the stack has one and it exists; else the folder it was last exported to
// with `export --dir` (store.WorkingFolder), when that still exists.
// A folder that would lead out of the repository (which a link's checks
// refuse when it is saved) is none.
func (s *Service) WorkingFolder(ctx context.Context, st *model.Stack) (string, bool) {
	row, err := s.store.GitLink(ctx, st.ID)
	if err == nil {
		if IsRemote(row.Repo) {
			return "", false
		}
		if f := filepath.FromSlash(row.Folder); f != "" && !filepath.IsLocal(f) {
			return "", false
		}
		return s.LocalCodeDir(ctx, st)
	}
	dir, err := s.store.WorkingFolder(ctx, st.ID)
	if err != nil || dir == "" || !filepath.IsAbs(dir) {
		return "", false
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", false
	}
	return dir, true
}

// ReadFolder reads the working folder's files.
func ReadFolder(dir string) (FolderFiles, error) {
	var f FolderFiles
	var err error
	if f.Template, err = readFolderFile(dir, TemplateFile); err != nil {
		return FolderFiles{}, err
	}
	if f.Stack, err = readFolderFile(dir, StackFile); err != nil {
		return FolderFiles{}, err
	}
	return f, nil
}

func readFolderFile(dir, name string) ([]byte, error) {
	p := filepath.Join(dir, name)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the working folder: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, model.Errorf(model.EINVALID, "%s in the working folder is not a regular file (a link or a folder); it is not read.", name)
	}
	if fi.Size() > MaxFolderFile {
		return nil, model.Errorf(model.EINVALID, "%s in the working folder is %d bytes; the limit is %d.", name, fi.Size(), MaxFolderFile)
	}
	file, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read the working folder: %w", err)
	}
	defer file.Close()
	// The file may grow between the Lstat and the read.
	data, err := io.ReadAll(io.LimitReader(file, MaxFolderFile+1))
	if err != nil {
		return nil, fmt.Errorf("read the working folder: %w", err)
	}
	if len(data) > MaxFolderFile {
		return nil, model.Errorf(model.EINVALID, "%s in the working folder is over the limit of %d bytes.", name, MaxFolderFile)
	}
	return data, nil
}

// FolderStamp says cheaply whether the working folder's files may have
// changed: their sizes and modification times. Equal stamps mean the files
// were not written in between (to the file system's clock resolution).
func FolderStamp(dir string) string {
	var b bytes.Buffer
	for _, name := range []string{TemplateFile, StackFile} {
		if fi, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			b.WriteString(strconv.FormatInt(fi.Size(), 10) + "@" + strconv.FormatInt(fi.ModTime().UnixNano(), 10))
		}
		b.WriteByte(';')
	}
	return b.String()
}

// WriteFolder writes the stack's template.yaml and switchboard.json into
// dir, each only when it differs from what is there, through a temporary
// file renamed over it, so an editor or a watcher never sees half a file.
// It reports whether it wrote anything. A stack with problems cannot be
// exported: its template is left as it is, with the *model.ValidationError.
func WriteFolder(dir string, st *model.Stack) (bool, error) {
	if err := st.Validate(); err != nil {
		return false, err
	}
	tmpl, err := export.YAML(st)
	if err != nil {
		return false, err
	}
	doc, err := model.MarshalStackFile(st)
	if err != nil {
		return false, err
	}
	wrote := false
	for _, f := range []struct {
		name string
		data []byte
	}{{TemplateFile, tmpl}, {StackFile, doc}} {
		have, err := readFolderFile(dir, f.name)
		if err == nil && bytes.Equal(have, f.data) {
			continue
		}
		if err := writeAtomic(dir, f.name, f.data); err != nil {
			return wrote, err
		}
		wrote = true
	}
	return wrote, nil
}

func writeAtomic(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// folderSettle is how long WatchFolder waits after the last event before
// it reports: an editor's save or a git pull is several events.
const folderSettle = 50 * time.Millisecond

// WatchFolder calls changed, one call at a time, whenever template.yaml or
// switchboard.json in dir is written, created, renamed or removed, until
// ctx is done. It watches the folder rather than the files, since editors
// and git replace a file by renaming another over it.
func WatchFolder(ctx context.Context, dir string, changed func()) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	var settle <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if name := filepath.Base(ev.Name); name == TemplateFile || name == StackFile {
				settle = time.After(folderSettle)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: look again.
				settle = time.After(folderSettle)
				continue
			}
			return fmt.Errorf("watch %s: %w", dir, err)
		case <-settle:
			settle = nil
			changed()
		}
	}
}
