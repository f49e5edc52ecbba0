package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Fragments. Copying nodes on the canvas puts a fragment on the clipboard:
// a stack document holding the copied nodes and the wires between them,
// wrapped in an envelope like a stack file's. Pasting reads it back, in
// this stack or another, as new nodes. What is pasted may come from
// anywhere (the clipboard is the user's, and any page can write to it), so
// a fragment is read like a shared stack file (ParseStack: known fields
// only, no null entries, IDs that steer no URL) and its nodes only ever
// become new nodes: every ID is replaced, names are made unique, wires
// that reach outside the fragment are dropped and the stack it lands in
// must still pass validation.
const (
	// FragmentFormat is the envelope's "format".
	FragmentFormat = "switchboard.fragment"
	// FragmentVersion is the version this build writes and reads.
	FragmentVersion = 1
)

// Fragment returns the nodes with the IDs, an API's routes with it, and the
// wires between them, as a stack of their own. An ID that names no node is
// ENOTFOUND.
func (s *Stack) Fragment(ids []string) (*Stack, error) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	nodes := s.Nodes()
	found := 0
	for _, n := range nodes {
		if want[n.ID] {
			found++
		}
	}
	if found != len(want) {
		return nil, Errorf(ENOTFOUND, "Some of the selected resources are no longer in the stack.")
	}
	f := s.Clone()
	f.ID, f.Revision, f.Description, f.Sections = 0, 0, "", nil
	for _, n := range nodes {
		if !want[n.ID] {
			f.RemoveNode(n.ID)
		}
	}
	return f, nil
}

// MarshalFragment writes a fragment as the clipboard carries it.
func MarshalFragment(f *Stack) ([]byte, error) {
	doc, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("model: marshal fragment: %w", err)
	}
	data, err := json.Marshal(stackFile{Format: FragmentFormat, Version: FragmentVersion, Stack: doc})
	if err != nil {
		return nil, fmt.Errorf("model: marshal fragment: %w", err)
	}
	return data, nil
}

// ParseFragment reads what the clipboard carried. Anything but a fragment
// this build can read is EINVALID, saying what it is not.
func ParseFragment(data []byte) (*Stack, error) {
	var f stackFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil || f.Format != FragmentFormat {
		return nil, Errorf(EINVALID, "The clipboard holds no Switchboard resources; copy some on a canvas first.")
	}
	switch {
	case dec.More():
		return nil, Errorf(EINVALID, "The copied resources are followed by other data; copy them again.")
	case f.Version != FragmentVersion:
		return nil, Errorf(EINVALID, "The copied resources were written by another version of Switchboard (fragment version %d; this one reads %d).", f.Version, FragmentVersion)
	case len(f.Stack) == 0 || string(f.Stack) == "null":
		return nil, Errorf(EINVALID, "The copied resources are missing from the clipboard; copy them again.")
	}
	st, err := ParseStack(f.Stack)
	if err != nil {
		return nil, fmt.Errorf("copied resources: %w", err)
	}
	return st, nil
}

// TopLeft is the corner of the smallest box around the stack's node
// origins; the zero position for a stack without nodes.
func (s *Stack) TopLeft() Position {
	nodes := s.Nodes()
	if len(nodes) == 0 {
		return Position{}
	}
	p := Position{X: math.Inf(1), Y: math.Inf(1)}
	for _, n := range nodes {
		p.X = math.Min(p.X, n.Position.X)
		p.Y = math.Min(p.Y, n.Position.Y)
	}
	return p
}

// Paste adds the fragment's nodes to the stack as new nodes, its TopLeft
// moved to at, and returns their IDs in the fragment's order. Every node,
// route and wire gets a new ID; a name another node has gets the smallest
// number that makes it unique (SendHandler → SendHandler2); a wire whose
// ends are not both in the fragment is left out. The fragment is used up.
// What Paste does not check, the stack's validation does: the caller pastes
// inside a store.Edit.
func (s *Stack) Paste(frag *Stack, at Position) ([]string, error) {
	nodes := frag.Nodes()
	if len(nodes) == 0 {
		return nil, Errorf(EINVALID, "There is nothing to paste: the copied fragment holds no resources.")
	}
	ids := newPasteIDs(s)
	taken := make(map[string]bool)
	for _, n := range s.Nodes() {
		taken[n.Name] = true
	}
	from := frag.TopLeft()
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if ids.seen[n.ID] {
			return nil, Errorf(EINVALID, "The copied fragment is damaged: ID %q is used twice.", n.ID)
		}
		ids.seen[n.ID] = true
		name := uniqueName(n.Name, taken)
		taken[name] = true
		ids.oldName[name] = n.Name
		n.Name = name
		n.Position = Position{X: n.Position.X - from.X + at.X, Y: n.Position.Y - from.Y + at.Y}
	}
	for _, k := range kinds {
		k.adopt(s, frag, ids)
	}
	for _, o := range frag.Others {
		o.ID = ids.renew(o.ID, "res")
		s.Others = append(s.Others, o)
	}
	for _, n := range nodes {
		out = append(out, n.ID) // n points into the adopted node: its new ID
	}
	for _, w := range frag.Wires {
		from, okFrom := ids.renewed[w.From]
		to, okTo := ids.renewed[w.To]
		if !okFrom || !okTo {
			continue
		}
		w.ID, w.From, w.To = ids.renew(w.ID, "w"), from, to
		s.Wires = append(s.Wires, w)
	}
	return out, nil
}

// pasteIDs hands out the new IDs of a paste, continuing the stack's one
// sequence (NewID), and remembers what each old ID became.
type pasteIDs struct {
	next    int
	renewed map[string]string
	seen    map[string]bool
	// oldName maps a pasted node's new name to the name it was copied
	// with.
	oldName map[string]string
}

func newPasteIDs(s *Stack) *pasteIDs {
	n, _ := strconv.Atoi(s.NewID("")) // "" + the next number
	return &pasteIDs{next: n, renewed: map[string]string{}, seen: map[string]bool{}, oldName: map[string]string{}}
}

// renew returns a new ID for what was old. Wires are renewed after nodes
// and routes, so a wire end is looked up among theirs.
func (p *pasteIDs) renew(old, prefix string) string {
	id := prefix + strconv.Itoa(p.next)
	p.next++
	if _, dup := p.renewed[old]; !dup {
		p.renewed[old] = id
	}
	return id
}

// uniqueName is name, or when taken its stem (name without trailing
// digits) with the smallest number from 2 that is free.
func uniqueName(name string, taken map[string]bool) string {
	if !taken[name] {
		return name
	}
	stem := strings.TrimRight(name, "0123456789")
	if stem == "" {
		stem = name
	}
	for i := 2; ; i++ {
		if n := stem + strconv.Itoa(i); !taken[n] {
			return n
		}
	}
}

// forgetLogicalIDs drops the source logical IDs an imported node kept: a
// copy is a new resource, and keeping them would give it its original's
// logical IDs.
func forgetLogicalIDs(kept []Kept) []Kept {
	for i := range kept {
		kept[i].LogicalID = ""
	}
	return kept
}
