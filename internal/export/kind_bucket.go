package export

import (
	"fmt"
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/policies"
	"github.com/awslabs/goformation/v7/cloudformation/s3"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The bucket kind becomes an S3 bucket that notifies the functions it is
// wired to, each with a permission to be invoked by this bucket alone.
//
// S3 checks a notification's function may be invoked when the bucket is
// configured, so the bucket depends on the permissions; a permission that
// named the bucket by Ref or GetAtt would depend on the bucket, a cycle.
// The bucket is named instead (its stem and the account's ID), and the
// permission's SourceArn is built from that name, with the account as
// SourceAccount: only this bucket, in this account, may invoke.
func init() {
	registerKind(model.KindBucket, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) {
			for _, w := range s.Wires {
				if w.Kind == model.WireNotify {
					resources++
				}
			}
			return resources + len(s.Buckets), len(s.Buckets)
		},
		build: func(b *builder) {
			for _, bkt := range b.s.Buckets {
				b.bucket(bkt)
			}
		},
	})
}

func bucketID(bkt *model.Bucket) string {
	return model.KeptLogicalID(bkt.Kept, model.PartMain, bkt.Name)
}

// BucketNameSub is the bucket's name as the export writes it, for Fn::Sub.
func BucketNameSub(stem string) string { return stem + "-${AWS::AccountId}" }

func (b *builder) bucket(bkt *model.Bucket) {
	id := bucketID(bkt)
	res := &s3.Bucket{
		AWSCloudFormationDeletionPolicy:      policies.DeletionPolicy(bkt.DeletionPolicy),
		AWSCloudFormationUpdateReplacePolicy: policies.UpdateReplacePolicy(bkt.DeletionPolicy),
	}
	var fns []propertyFn
	if bkt.BucketName != "" {
		fns = append(fns, at(b.sub(BucketNameSub(bkt.BucketName)), "BucketName"))
	}
	if bkt.Versioned {
		res.VersioningConfiguration = &s3.Bucket_VersioningConfiguration{Status: "Enabled"}
	}
	grant := model.ResourceGrants[model.WireNotify]
	for _, w := range b.index.WiresFromOfKind(bkt.ID, model.WireNotify) {
		f := b.index.Function(w.To)
		if f == nil {
			continue
		}
		fid := functionID(f)
		if res.NotificationConfiguration == nil {
			res.NotificationConfiguration = &s3.Bucket_NotificationConfiguration{}
		}
		for _, e := range bkt.Events {
			n := len(res.NotificationConfiguration.LambdaConfigurations)
			res.NotificationConfiguration.LambdaConfigurations = append(res.NotificationConfiguration.LambdaConfigurations, s3.Bucket_LambdaConfiguration{Event: e})
			fns = append(fns, at(b.getAtt(fid, "Arn"), "NotificationConfiguration", "LambdaConfigurations", strconv.Itoa(n), "Function"))
		}
		pid := model.EventSourcePermissionLogicalID(id, fid)
		res.AWSCloudFormationDependsOn = append(res.AWSCloudFormationDependsOn, pid)
		b.add(pid, &lambda.Permission{Action: grant.Action, Principal: grant.Principal}, w.ID, nil, model.PartPermission,
			at(b.getAtt(fid, "Arn"), "FunctionName"),
			at(b.sub("arn:${AWS::Partition}:s3:::"+BucketNameSub(bkt.BucketName)), "SourceArn"),
			at(b.ref("AWS::AccountId"), "SourceAccount"))
	}
	b.add(id, res, bkt.ID, bkt.Kept, model.PartMain, fns...)
	b.output(bkt.NameOutputName(), fmt.Sprintf("Name of bucket %s", bkt.Name), b.ref(id))
}
