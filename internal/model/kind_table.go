package model

import (
	"slices"
	"strings"
)

// The table kind: a DynamoDB table.
func init() {
	registerKind(&KindSpec{
		Kind: KindTable, Order: 30,
		Noun: "table", Article: "a table",
		IDPrefix: "tbl", BaseName: "Table",
		add: func(s *Stack, id, name string) *Node {
			t := NewTable(id, name)
			s.Tables = append(s.Tables, t)
			return &t.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, t := range s.Tables {
				fn(t.ID, &t.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, t := range s.Tables {
				fn(&t.Node)
			}
		},
		count: func(s *Stack) int { return len(s.Tables) },
		applyDefaults: func(s *Stack) {
			for _, t := range s.Tables {
				if t.BillingMode == "" {
					t.BillingMode = BillingOnDemand
				}
				if t.DeletionPolicy == "" {
					t.DeletionPolicy = DeletionRetain
				}
			}
		},
		check: func(v *validator) {
			for _, t := range v.stack.Tables {
				v.checkTable(t)
			}
		},
		clone: func(dst, src *Stack) {
			dst.Tables = cloneEach(src.Tables, func(t *Table) *Table {
				c := *t
				if t.SortKey != nil {
					k := *t.SortKey
					c.SortKey = &k
				}
				c.Kept = cloneKept(t.Kept)
				return &c
			})
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.Tables)
			s.Tables = slices.DeleteFunc(s.Tables, func(t *Table) bool { return t.ID == id })
			return len(s.Tables) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, t := range src.Tables {
				t.ID = ids.renew(t.ID, "tbl")
				t.Kept = forgetLogicalIDs(t.Kept)
				dst.Tables = append(dst.Tables, t)
			}
		},
	})
}

// Table is a DynamoDB table.
type Table struct {
	Node
	PartitionKey  Key         `json:"partitionKey"`
	SortKey       *Key        `json:"sortKey,omitempty"`
	BillingMode   BillingMode `json:"billingMode"`
	ReadCapacity  int         `json:"readCapacity,omitempty"`
	WriteCapacity int         `json:"writeCapacity,omitempty"`
	// TTLAttribute, when set, turns on time to live on that attribute.
	TTLAttribute   string         `json:"ttlAttribute,omitempty"`
	DeletionPolicy DeletionPolicy `json:"deletionPolicy"`
	// Kept is what an imported template said about the table that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// Key is a DynamoDB key attribute.
type Key struct {
	Name string        `json:"name"`
	Type AttributeType `json:"type"`
}

// AttributeType is a DynamoDB key attribute type.
type AttributeType string

// The key attribute types DynamoDB allows.
const (
	AttributeString AttributeType = "S"
	AttributeNumber AttributeType = "N"
	AttributeBinary AttributeType = "B"
)

// BillingMode is a DynamoDB billing mode.
type BillingMode string

// The billing modes DynamoDB offers.
const (
	BillingOnDemand    BillingMode = "PAY_PER_REQUEST"
	BillingProvisioned BillingMode = "PROVISIONED"
)

// NewTable returns an on-demand table keyed by a string "id".
func NewTable(id, name string) *Table {
	return &Table{
		Node:           Node{ID: id, Name: name},
		PartitionKey:   Key{Name: "id", Type: AttributeString},
		BillingMode:    BillingOnDemand,
		DeletionPolicy: DeletionRetain,
	}
}

func (v *validator) checkTable(t *Table) {
	l := label(KindTable, &t.Node)
	v.checkKey(t.ID, "partitionKey", l, "partition key", t.PartitionKey)
	if t.SortKey != nil {
		v.checkKey(t.ID, "sortKey", l, "sort key", *t.SortKey)
		if t.SortKey.Name == t.PartitionKey.Name {
			v.add(t.ID, "sortKey.name", "%s: the sort key must differ from the partition key", l)
		}
	}
	switch t.BillingMode {
	case BillingOnDemand:
		if t.ReadCapacity != 0 || t.WriteCapacity != 0 {
			v.add(t.ID, "billingMode", "%s: on-demand tables take no read or write capacity", l)
		}
	case BillingProvisioned:
		if t.ReadCapacity < 1 || t.ReadCapacity > 40000 {
			v.add(t.ID, "readCapacity", "%s: read capacity must be 1 to 40000 units, not %d", l, t.ReadCapacity)
		}
		if t.WriteCapacity < 1 || t.WriteCapacity > 40000 {
			v.add(t.ID, "writeCapacity", "%s: write capacity must be 1 to 40000 units, not %d", l, t.WriteCapacity)
		}
	default:
		v.add(t.ID, "billingMode", "%s: billing mode must be %s or %s", l, BillingOnDemand, BillingProvisioned)
	}
	if t.TTLAttribute != "" {
		if !keyAttributePattern.MatchString(t.TTLAttribute) {
			v.add(t.ID, "ttlAttribute", "%s: TTL attribute name must be 1 to 255 characters", l)
		}
		if t.TTLAttribute == t.PartitionKey.Name || (t.SortKey != nil && t.TTLAttribute == t.SortKey.Name) {
			v.add(t.ID, "ttlAttribute", "%s: the TTL attribute cannot be a key attribute", l)
		}
	}
	if t.DeletionPolicy != DeletionRetain && t.DeletionPolicy != DeletionDelete {
		v.add(t.ID, "deletionPolicy", "%s: deletion policy must be Retain or Delete", l)
	}
}

func (v *validator) checkKey(id, field, l, what string, k Key) {
	if !keyAttributePattern.MatchString(k.Name) || strings.TrimSpace(k.Name) != k.Name {
		v.add(id, field+".name", "%s: %s name must be 1 to 255 characters without leading or trailing spaces", l, what)
	}
	if k.Type != AttributeString && k.Type != AttributeNumber && k.Type != AttributeBinary {
		v.add(id, field+".type", "%s: %s type must be S (string), N (number) or B (binary)", l, what)
	}
}
