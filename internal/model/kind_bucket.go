package model

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The bucket kind: an S3 bucket, whose object events invoke the functions
// it is wired to (notify wires).
func init() {
	registerKind(&KindSpec{
		Kind: KindBucket, Order: 73,
		Noun: "bucket", Article: "a bucket",
		IDPrefix: "bkt", BaseName: "Bucket",
		add: func(s *Stack, id, name string) *Node {
			b := NewBucket(id, name)
			b.BucketName = DefaultBucketName(s.Name, name)
			s.Buckets = append(s.Buckets, b)
			return &b.Node
		},
		eachKept: func(s *Stack, fn func(id string, kept *[]Kept)) {
			for _, b := range s.Buckets {
				fn(b.ID, &b.Kept)
			}
		},
		eachNode: func(s *Stack, fn func(*Node)) {
			for _, b := range s.Buckets {
				fn(&b.Node)
			}
		},
		count: func(s *Stack) int { return len(s.Buckets) },
		applyDefaults: func(s *Stack) {
			for _, b := range s.Buckets {
				if b.DeletionPolicy == "" {
					b.DeletionPolicy = DeletionRetain
				}
			}
		},
		check: func(v *validator) {
			// Bucket names are global: two of the stack's may not share one
			// (a pasted copy keeps its original's until renamed).
			names := map[string]string{}
			for _, b := range v.stack.Buckets {
				v.checkBucket(b)
				if other, ok := names[b.BucketName]; ok && b.BucketName != "" {
					v.add(b.ID, "bucketName", "%s: bucket name %q is bucket %q's too; S3 bucket names are unique", label(KindBucket, &b.Node), b.BucketName, other)
				}
				names[b.BucketName] = b.Name
			}
		},
		clone: func(dst, src *Stack) {
			dst.Buckets = cloneEach(src.Buckets, func(b *Bucket) *Bucket {
				c := *b
				c.Events = slices.Clone(b.Events)
				c.Kept = cloneKept(b.Kept)
				return &c
			})
		},
		remove: func(s *Stack, id string, _ map[string]bool) bool {
			n := len(s.Buckets)
			s.Buckets = slices.DeleteFunc(s.Buckets, func(b *Bucket) bool { return b.ID == id })
			return len(s.Buckets) != n
		},
		adopt: func(dst, src *Stack, ids *pasteIDs) {
			for _, b := range src.Buckets {
				b.ID = ids.renew(b.ID, "bkt")
				b.Kept = forgetLogicalIDs(b.Kept)
				// A copy beside its original gets a name of its own.
				if b.BucketName != "" && bucketNameTaken(dst, b.BucketName) {
					stem := DefaultBucketName(dst.Name, b.Name)
					b.BucketName = stem
					for i := 2; bucketNameTaken(dst, b.BucketName); i++ {
						b.BucketName = stem + "-" + strconv.Itoa(i)
					}
				}
				dst.Buckets = append(dst.Buckets, b)
			}
		},
	})
}

// Bucket is an S3 bucket.
type Bucket struct {
	Node
	// BucketName starts the bucket's name; the export appends the
	// account's ID, since bucket names are global. "" leaves the name to
	// CloudFormation, which a bucket that notifies a function cannot do:
	// its function's permission names the bucket, and the bucket's
	// notification waits for the permission, a dependency cycle unless the
	// name is known before the bucket is made.
	BucketName string `json:"bucketName,omitempty"`
	// Versioned keeps every version of an object.
	Versioned bool `json:"versioned,omitempty"`
	// Events are the object events (s3:ObjectCreated:*) that invoke the
	// functions the bucket is wired to.
	Events []string `json:"events,omitempty"`
	// DeletionPolicy says what happens to the objects when the bucket
	// leaves the stack.
	DeletionPolicy DeletionPolicy `json:"deletionPolicy"`
	// Kept is what an imported template said about the bucket that
	// Switchboard does not model.
	Kept []Kept `json:"kept,omitempty"`
}

// DefaultBucketEvents are the events a new bucket notifies of.
var DefaultBucketEvents = []string{"s3:ObjectCreated:*"}

// MaxBucketNameStem leaves room for "-" and a 12-digit account ID in S3's 63.
const MaxBucketNameStem = 50

var (
	bucketStem  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
	bucketEvent = regexp.MustCompile(`^s3:[A-Za-z]+(:[A-Za-z*]+)?$`)
)

// NewBucket returns a bucket kept when the stack is deleted, notifying of
// created objects.
func NewBucket(id, name string) *Bucket {
	return &Bucket{Node: Node{ID: id, Name: name}, Events: slices.Clone(DefaultBucketEvents), DeletionPolicy: DeletionRetain}
}

// DefaultBucketName is a new bucket's name stem: the stack's and the
// bucket's names in lower case (chat-uploads).
func DefaultBucketName(stack, bucket string) string {
	var b strings.Builder
	for _, part := range []string{stack, KebabName(bucket)} {
		for _, r := range strings.ToLower(part) {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				b.WriteRune(r)
			case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
				b.WriteByte('-')
			}
		}
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > MaxBucketNameStem {
		name = strings.Trim(name[:MaxBucketNameStem], "-")
	}
	if len(name) < 3 {
		name = "bucket-" + name
	}
	return strings.Trim(name, "-")
}

func bucketNameTaken(s *Stack, name string) bool {
	for _, b := range s.Buckets {
		if b.BucketName == name {
			return true
		}
	}
	return false
}

func (v *validator) checkBucket(b *Bucket) {
	l := label(KindBucket, &b.Node)
	if b.BucketName != "" && (len(b.BucketName) < 3 || len(b.BucketName) > MaxBucketNameStem || !bucketStem.MatchString(b.BucketName) || strings.Contains(b.BucketName, "..")) {
		v.add(b.ID, "bucketName", "%s: the name must be 3 to %d lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit", l, MaxBucketNameStem)
	}
	if b.DeletionPolicy != DeletionRetain && b.DeletionPolicy != DeletionDelete {
		v.add(b.ID, "deletionPolicy", "%s: deletion policy must be Retain or Delete", l)
	}
	for _, e := range b.Events {
		if !bucketEvent.MatchString(e) {
			v.add(b.ID, "events", "%s: %q is not an S3 event such as s3:ObjectCreated:*", l, e)
		}
	}
	if len(v.index.WiresFromOfKind(b.ID, WireNotify)) > 0 {
		if b.BucketName == "" {
			v.add(b.ID, "bucketName", "%s notifies a function, so it needs a name: the function's permission names the bucket before it exists", l)
		}
		if len(b.Events) == 0 {
			v.add(b.ID, "events", "%s notifies a function of no event; name at least one, such as s3:ObjectCreated:*", l)
		}
	}
}
