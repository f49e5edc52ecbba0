package model

import (
	"cmp"
	"slices"
	"strconv"
)

// KindSpec is what the model knows of one kind of node: its name in
// messages, how a new one is made, how a document's gaps are filled, how it
// is checked, copied and removed. Each kind registers one, in its own file
// (kind_api.go, kind_function.go, kind_table.go); the rest of the model
// asks the registry rather than switching over kinds. Which wires a kind
// accepts and what they grant are in wires.go, one table for all kinds.
type KindSpec struct {
	Kind Kind
	// Order places the kind among the others: in Nodes, in Check's problems
	// and in a document.
	Order int
	// Noun names a node of the kind in a message ("function"), Article
	// with its article ("a function").
	Noun, Article string
	// IDPrefix starts a new node's ID, BaseName its name before NewName
	// numbers it.
	IDPrefix, BaseName string

	// add appends a new node with the defaults and returns it.
	add func(s *Stack, id, name string) *Node
	// eachNode calls fn for every node of the kind, in stack order.
	eachNode func(s *Stack, fn func(*Node))
	// eachKept calls fn with each node's ID and each Kept list the node
	// holds (its own, and its parts' such as an API's routes), in stack
	// order.
	eachKept func(s *Stack, fn func(id string, kept *[]Kept))
	// count is how many nodes of the kind the stack has.
	count func(s *Stack) int
	// applyDefaults fills the fields a stack document may leave out.
	applyDefaults func(s *Stack)
	// check reports the problems of every node of the kind.
	check func(v *validator)
	// clone deep-copies the kind's nodes of src into dst.
	clone func(dst, src *Stack)
	// remove deletes the node with the ID, marking in gone the IDs of its
	// parts whose wires go with it, and reports whether it was there.
	remove func(s *Stack, id string, gone map[string]bool) bool
	// adopt moves the kind's nodes of src (a pasted fragment) into dst,
	// each node and part given a new ID by ids (see Paste).
	adopt func(dst, src *Stack, ids *pasteIDs)
}

// kinds holds the registered kinds in Order.
var kinds []*KindSpec

// registerKind adds a kind to the catalogue; each kind file calls it once.
func registerKind(k *KindSpec) {
	if k.eachNode == nil || k.eachKept == nil {
		panic("model: kind " + string(k.Kind) + " registers no eachNode or eachKept")
	}
	kinds = append(kinds, k)
	slices.SortStableFunc(kinds, func(a, b *KindSpec) int { return cmp.Compare(a.Order, b.Order) })
}

// Kinds lists the kinds of node a user can draw, in Order.
func Kinds() []*KindSpec { return kinds }

// SpecOf returns the catalogue entry of a kind, and false for a kind that is
// not registered (KindOther, KindRoute, a typo).
func SpecOf(k Kind) (*KindSpec, bool) {
	for _, s := range kinds {
		if s.Kind == k {
			return s, true
		}
	}
	return nil, false
}

// Label names a node of the kind in a message: `function "Send"`.
func (k *KindSpec) Label(n *Node) string {
	name := n.Name
	if name == "" {
		name = n.ID
	}
	// Not Sprintf("%s %q"): boxing Noun cost an allocation per node in
	// every check of a large stack.
	return k.Noun + " " + strconv.Quote(name)
}

// EachKept calls fn with each modelled node's ID and every Kept list it
// holds (what it and its parts kept from an imported template), kind by
// kind in the catalogue's order.
func (s *Stack) EachKept(fn func(id string, kept *[]Kept)) {
	for _, k := range kinds {
		k.eachKept(s, fn)
	}
}
