package publish

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// secrets keeps tokens out of the database: each in a file of its own,
// created 0600, in a folder that is made (and kept) 0700, so other users of
// the machine can read neither the tokens nor their names. A file is named by
// a random reference that the database row holds.
type secrets struct{ dir string }

func (s secrets) path(ref string) (string, error) {
	if ref == "" || strings.Trim(ref, "0123456789abcdef") != "" {
		return "", fmt.Errorf("publish: bad secret reference")
	}
	return filepath.Join(s.dir, ref), nil
}

// tighten makes the folder (creating it) 0700 again, whoever widened it:
// every use of a secret goes through here, so a chmod by the user or a
// backup tool is undone before a token is read or written.
func (s secrets) tighten() error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("publish: secrets folder: %w", err)
	}
	// MkdirAll leaves an existing folder's mode alone (and the umask may
	// have widened a new one): insist on 0700.
	if err := os.Chmod(s.dir, 0o700); err != nil {
		return fmt.Errorf("publish: secrets folder: %w", err)
	}
	return nil
}

// put stores a token in a new file and returns its reference.
func (s secrets) put(token string) (string, error) {
	if err := s.tighten(); err != nil {
		return "", err
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	ref := hex.EncodeToString(b[:])
	p, _ := s.path(ref)
	// O_EXCL with 0600 from the start: the token is never readable by
	// others, not even between create and chmod.
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("publish: write secret: %w", err)
	}
	_, werr := f.WriteString(token)
	if serr := f.Sync(); werr == nil {
		werr = serr
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(p)
		return "", fmt.Errorf("publish: write secret: %w", werr)
	}
	return ref, nil
}

// get reads the token a reference names; "" for no reference.
func (s secrets) get(ref string) (string, error) {
	if ref == "" {
		return "", nil
	}
	p, err := s.path(ref)
	if err != nil {
		return "", err
	}
	if err := s.tighten(); err != nil {
		return "", err
	}
	if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != 0o600 {
		if err := os.Chmod(p, 0o600); err != nil {
			return "", fmt.Errorf("publish: secret file: %w", err)
		}
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", errTokenLost
	}
	if err != nil {
		return "", fmt.Errorf("publish: read secret: %w", err)
	}
	return string(data), nil
}

// remove deletes a token file, if there is one.
func (s secrets) remove(ref string) {
	if p, err := s.path(ref); err == nil {
		_ = os.Remove(p)
	}
}
