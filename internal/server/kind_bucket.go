package server

import (
	"github.com/switchboard-dev/switchboard/internal/model"
)

// A bucket's form: its name, versioning, the events it notifies of and
// what happens to its objects on delete.
func init() {
	registerKindForm(model.KindBucket, &kindForm{
		fields: set("name", "bucketName", "versioned", "events", "deletionPolicy"),
		read:   readBucketFields,
	})
}

// bucketFields is a bucket's part of the properties form.
type bucketFields struct {
	Sent, Versioned            bool
	BucketName, DeletionPolicy *string
	Events                     *string
}

func readBucketFields(v formValues, _ map[string]string) kindFields {
	return &bucketFields{Sent: v.checked("bucket.sent"), Versioned: v.checked("versioned"),
		BucketName: v.str("bucketName"), DeletionPolicy: v.str("deletionPolicy"), Events: v.str("events")}
}

func (p *bucketFields) apply(common *propertiesForm, _ *nodeForm, st *model.Stack, id string) {
	b := st.Bucket(id)
	sent(&b.Name, common.Name)
	sent(&b.BucketName, p.BucketName)
	if p.Sent {
		b.Versioned = p.Versioned
	}
	if p.Events != nil {
		b.Events = lines(*p.Events)
	}
	setNonEmpty(&b.DeletionPolicy, p.DeletionPolicy)
}
