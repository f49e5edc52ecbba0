package gitlink

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// DefaultMaxObjectSize is the largest object a fetch accepts unless
// Client.MaxObjectSize says otherwise. go-git holds each fetched object in
// memory while it indexes the pack, so this bounds a fetch's memory; it is
// GitHub's own limit for a file.
const DefaultMaxObjectSize = 100 << 20

func (c *Client) maxObjectSize() int64 {
	if c.MaxObjectSize > 0 {
		return c.MaxObjectSize
	}
	return DefaultMaxObjectSize
}

// guardedStorage is a cache's storage whose fetched packs are checked
// object by object, from their headers, as they stream in: a pack holding
// an object over max is refused before go-git inflates it into memory.
type guardedStorage struct {
	*filesystem.Storage
	max int64
}

// PackfileWriter implements storer.PackfileWriter, which fetch uses.
func (s *guardedStorage) PackfileWriter() (io.WriteCloser, error) {
	w, err := s.Storage.PackfileWriter()
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	g := &packGuard{w: w, pw: pw, done: make(chan error, 1), started: time.Now(),
		packDir: filepath.Join(s.Storage.Filesystem().Root(), "objects", "pack")}
	go func() {
		err := scanPack(pr, s.max)
		if err == nil {
			// Keep taking the rest so the writer never blocks.
			_, _ = io.Copy(io.Discard, pr)
		}
		pr.CloseWithError(err)
		g.done <- err
	}()
	return g, nil
}

// packGuard feeds a pack both to the scanner that checks its objects and
// to go-git's writer; the scanner sees every byte first.
type packGuard struct {
	w    io.WriteCloser
	pw   *io.PipeWriter
	done chan error
	// go-git leaves the refused pack's temporary file behind.
	started time.Time
	packDir string
	// refused is set once an object is too big: the rest of the pack is
	// read and dropped, because failing the write would leave the remote
	// side (git-upload-pack for file://) blocked on a full pipe while
	// go-git waits for it to exit. Close reports it.
	refused error
}

func (g *packGuard) Write(p []byte) (int, error) {
	if g.refused != nil {
		return len(p), nil
	}
	if _, err := g.pw.Write(p); err != nil {
		if errors.Is(err, ErrTooBig) {
			g.refused = err
			return len(p), nil
		}
		// The scanner gave up on something it cannot parse; go-git's own
		// parser will say what is wrong with the pack.
	}
	return g.w.Write(p)
}

func (g *packGuard) Close() error {
	g.pw.Close()
	err := <-g.done
	if g.refused != nil {
		err = g.refused
	}
	werr := g.w.Close()
	if errors.Is(err, ErrTooBig) {
		tmps, _ := filepath.Glob(filepath.Join(g.packDir, "tmp_pack_*"))
		for _, t := range tmps {
			if fi, serr := os.Stat(t); serr == nil && !fi.ModTime().Before(g.started.Add(-time.Second)) {
				_ = os.Remove(t)
			}
		}
		return err
	}
	return werr
}

// scanPack reads a pack stream and fails with a *tooBigError at the first
// object whose size (for a delta: the size of the object it produces) is
// over max. Anything it cannot parse is left to go-git's own parser.
func scanPack(r io.Reader, max int64) error {
	sc := packfile.NewScanner(r)
	_, n, err := sc.Header()
	if err != nil {
		return nil
	}
	for i := uint32(0); i < n; i++ {
		oh, err := sc.NextObjectHeader()
		if err != nil {
			return nil
		}
		size := oh.Length
		if oh.Type.IsDelta() && size <= max {
			var h deltaHeader
			if _, _, err := sc.NextObject(&h); err != nil {
				return nil
			}
			size = h.target()
		}
		if size > max {
			return &tooBigError{path: fmt.Sprintf("an object of the repository (%s)", oh.Type), size: size, limit: max}
		}
	}
	return nil
}

// deltaHeader keeps the start of a delta, which says the sizes of its
// base and of its result as two varints, and discards the rest.
type deltaHeader struct{ b []byte }

func (h *deltaHeader) Write(p []byte) (int, error) {
	if room := 20 - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// target decodes the second varint: the size of the delta's result.
func (h *deltaHeader) target() int64 {
	b := h.b
	for i := 0; i < 2; i++ {
		var v int64
		var shift uint
		for len(b) > 0 {
			c := b[0]
			b = b[1:]
			v |= int64(c&0x7f) << shift
			shift += 7
			if c&0x80 == 0 || shift > 56 {
				break
			}
		}
		if i == 1 {
			return v
		}
	}
	return 0
}
