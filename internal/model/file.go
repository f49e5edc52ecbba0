package model

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Stack files. A stack committed to a repository is written as
// switchboard.json: the stack wrapped in an envelope that names the format
// and its version, so that a later Switchboard can read old files and an
// older one refuses newer files instead of misreading them.
const (
	// StackFileFormat is the envelope's "format".
	StackFileFormat = "switchboard.stack"
	// StackFileVersion is the version this build writes and the newest it
	// reads.
	StackFileVersion = 1
)

// stackFile is the envelope of a stack file.
type stackFile struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Stack   json.RawMessage `json:"stack"`
}

// MarshalStackFile returns the stack as a stack file: indented JSON ending
// in a newline, byte-for-byte the same for the same stack, so commits of an
// unchanged stack change nothing. The store's ID and revision are left out.
func MarshalStackFile(s *Stack) ([]byte, error) {
	// Where the stack was imported from is a folder of this machine,
	// meaningless (and private) in a shared file.
	if s.ImportedFrom != "" {
		c := *s
		c.ImportedFrom = ""
		s = &c
	}
	doc, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("model: marshal stack file: %w", err)
	}
	data, err := json.MarshalIndent(stackFile{Format: StackFileFormat, Version: StackFileVersion, Stack: doc}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("model: marshal stack file: %w", err)
	}
	return append(data, '\n'), nil
}

// ParseStackFile reads a stack file written by MarshalStackFile. It refuses
// another format, a version newer than StackFileVersion (upgrade
// Switchboard) and an unknown one, each with an EINVALID error saying so;
// the stack inside is read as by ParseStack.
func ParseStackFile(data []byte) (*Stack, error) {
	var f stackFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, Errorf(EINVALID, "stack file: not a Switchboard stack file: %v", err)
	}
	if dec.More() {
		return nil, Errorf(EINVALID, "stack file: unexpected data after the stack")
	}
	switch {
	case f.Format != StackFileFormat:
		return nil, Errorf(EINVALID, "stack file: format is %q, want %q", f.Format, StackFileFormat)
	case f.Version > StackFileVersion:
		return nil, Errorf(EINVALID, "stack file: version %d was written by a newer Switchboard (this build reads up to version %d); upgrade Switchboard", f.Version, StackFileVersion)
	case f.Version < 1:
		return nil, Errorf(EINVALID, "stack file: version %d is not a known version", f.Version)
	case len(f.Stack) == 0 || string(f.Stack) == "null":
		return nil, Errorf(EINVALID, "stack file: no stack")
	}
	s, err := ParseStack(f.Stack)
	if err != nil {
		return nil, err
	}
	// A shared file never names a folder of this machine: one that did
	// could point a local run at code the user never chose.
	s.ImportedFrom = ""
	return s, nil
}
