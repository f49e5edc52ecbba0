package importer

import (
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// Buckets come after the functions they notify.
func init() {
	registerKind(&recogniser{kind: model.KindBucket, mainType: typeBucket, order: 29, recognise: (*importer).importBuckets})
}

// importBuckets turns each AWS::S3::Bucket into a bucket. A bucket named
// as the export names one (a stem and the account's ID) whose lambda
// notifications each name a function with the export's permission becomes
// notify wires; anything else of its notifications stays as written.
func (im *importer) importBuckets() error {
	for _, r := range im.ofType(typeBucket) {
		if err := im.stopped(); err != nil {
			return err
		}
		b := model.NewBucket(im.id("bkt"), im.nodeName[r.id])
		p := r.props
		if sub, ok := subText(p.Get("BucketName")); ok {
			if stem, found := strings.CutSuffix(sub, export.BucketNameSub("")); found {
				b.BucketName = stem
			}
		}
		if status, _ := p.Path("VersioningConfiguration", "Status").Str(); status == "Enabled" {
			b.Versioned = true
		}
		// CloudFormation deletes a resource with no DeletionPolicy.
		b.DeletionPolicy = model.DeletionDelete
		if dp, ok := deletionPolicy(r.v.Get("DeletionPolicy")); ok {
			b.DeletionPolicy = dp
		}
		resetInvalid(&model.Stack{Buckets: []*model.Bucket{b}}, b.ID, func(field string) {
			if field == "bucketName" {
				b.BucketName = ""
			}
		})
		im.srcID[b.ID] = r.id
		im.claimed[r.id] = true
		im.stack.Buckets = append(im.stack.Buckets, b)
		im.bucketNotifications(b, r)
	}
	return nil
}

// subText is the text of an Fn::Sub with no variables map.
func subText(v *cfn.Value) (string, bool) {
	fn, arg := v.Call()
	if fn != "Fn::Sub" {
		return "", false
	}
	return arg.Str()
}

// bucketNotifications wires the bucket to the functions its notifications
// invoke when they are what the export writes: every function notified of
// the same events, each with its permission.
func (im *importer) bucketNotifications(b *model.Bucket, r *resource) {
	configs := r.props.Path("NotificationConfiguration", "LambdaConfigurations")
	if b.BucketName == "" || configs == nil || configs.Kind != cfn.List || len(r.props.Get("NotificationConfiguration").Keys) != 1 {
		return
	}
	var fns []string
	events := map[string][]string{}
	for _, c := range configs.Items {
		event, ok := c.Get("Event").Str()
		fn, att := c.Get("Function").GetAttOf()
		if !ok || att != "Arn" || len(c.Keys) != 2 || im.funcs[fn] == nil {
			return
		}
		if _, seen := events[fn]; !seen {
			fns = append(fns, fn)
		}
		events[fn] = append(events[fn], event)
	}
	if len(fns) == 0 {
		return
	}
	// The export notifies each function of the bucket's events, in turn.
	for _, fn := range fns {
		if !slices.Equal(events[fn], events[fns[0]]) {
			return
		}
	}
	for i, c := range configs.Items {
		if fn, _ := c.Get("Function").GetAttOf(); fn != fns[i/len(events[fns[0]])] {
			return
		}
	}
	var perms []*resource
	grant := model.ResourceGrants[model.WireNotify]
	for _, fn := range fns {
		p := im.res[model.EventSourcePermissionLogicalID(r.id, fn)]
		if p == nil || p.typ != typePermission || im.claimed[p.id] || len(p.props.Keys) != 5 || len(p.attrs()) > 0 {
			return
		}
		action, _ := p.props.Get("Action").Str()
		principal, _ := p.props.Get("Principal").Str()
		arn, _ := subText(p.props.Get("SourceArn"))
		if action != grant.Action || principal != grant.Principal || functionRef(p.props.Get("FunctionName")) != fn ||
			arn != "arn:${AWS::Partition}:s3:::"+export.BucketNameSub(b.BucketName) || p.props.Get("SourceAccount").RefTo() != "AWS::AccountId" {
			return
		}
		perms = append(perms, p)
	}
	b.Events = events[fns[0]]
	for i, fn := range fns {
		im.wire(model.WireNotify, b.ID, im.funcs[fn].ID)
		im.claimed[perms[i].id] = true
	}
}
