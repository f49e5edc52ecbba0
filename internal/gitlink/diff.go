package gitlink

import (
	"bytes"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	fdiff "github.com/go-git/go-git/v5/plumbing/format/diff"
	"github.com/go-git/go-git/v5/utils/diff"
)

// unifiedDiff renders old → new of the file at repoPath as `git diff` would.
// old is nil for a new file; newMode is 0 for a deleted one.
func unifiedDiff(repoPath string, old []byte, oldMode filemode.FileMode, new []byte, newMode filemode.FileMode) string {
	fp := &filePatch{binary: isBinary(old) || isBinary(new)}
	if newMode != 0 {
		fp.to = &diffFile{hash: blobHash(new), mode: newMode, path: repoPath}
	}
	if old != nil {
		fp.from = &diffFile{hash: blobHash(old), mode: oldMode, path: repoPath}
	}
	if !fp.binary {
		for _, d := range diff.Do(string(old), string(new)) {
			// d.Type is diffmatchpatch's Operation: -1 delete, 0 equal,
			// 1 insert. Comparing with the numbers keeps go-git our only
			// direct dependency.
			op := fdiff.Equal
			switch d.Type {
			case 1:
				op = fdiff.Add
			case -1:
				op = fdiff.Delete
			}
			fp.chunks = append(fp.chunks, chunk{content: d.Text, op: op})
		}
	}
	var sb strings.Builder
	if err := fdiff.NewUnifiedEncoder(&sb, fdiff.DefaultContextLines).Encode(patch{fp}); err != nil {
		return ""
	}
	return sb.String()
}

// isBinary uses Git's rule of thumb: a NUL byte in the first 8000 bytes.
func isBinary(b []byte) bool {
	if len(b) > 8000 {
		b = b[:8000]
	}
	return bytes.IndexByte(b, 0) >= 0
}

type patch []fdiff.FilePatch

func (p patch) FilePatches() []fdiff.FilePatch { return p }
func (patch) Message() string                  { return "" }

type filePatch struct {
	from, to *diffFile
	binary   bool
	chunks   []fdiff.Chunk
}

func (p *filePatch) IsBinary() bool { return p.binary }
func (p *filePatch) Files() (from, to fdiff.File) {
	// A nil *diffFile must become a nil interface, not a typed nil.
	if p.from != nil {
		from = p.from
	}
	if p.to != nil {
		to = p.to
	}
	return from, to
}
func (p *filePatch) Chunks() []fdiff.Chunk { return p.chunks }

type diffFile struct {
	hash plumbing.Hash
	mode filemode.FileMode
	path string
}

func (f *diffFile) Hash() plumbing.Hash     { return f.hash }
func (f *diffFile) Mode() filemode.FileMode { return f.mode }
func (f *diffFile) Path() string            { return f.path }

type chunk struct {
	content string
	op      fdiff.Operation
}

func (c chunk) Content() string       { return c.content }
func (c chunk) Type() fdiff.Operation { return c.op }
