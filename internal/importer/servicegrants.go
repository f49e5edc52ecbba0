package importer

import (
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/export"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// serviceWire is one kind of wire from a function to a service, as its
// grant's statement reads: exactly the grant's actions, on resources each
// naming one node of the kind in a form the export writes (or CloudFormation
// writes the same ARN with).
type serviceWire struct {
	kind    model.WireKind
	to      model.Kind
	actions []string
	// names returns the resource texts that name the node with the source
	// logical ID id; bucket is the node, for a bucket's name.
	names func(id string, bucket *model.Bucket) []string
}

var serviceWires = []serviceWire{
	{model.WireSendToQueue, model.KindQueue, model.QueueSendActions, arnOf},
	// The ARNs spelt around a name are as SAM's policy templates write them.
	{model.WirePublishToTopic, model.KindTopic, model.TopicPublishActions, func(id string, _ *model.Bucket) []string {
		return []string{"${" + id + "}", "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${" + id + ".TopicName}"}
	}},
	{model.WirePutEventsOnBus, model.KindBus, model.BusPutEventsActions, func(id string, _ *model.Bucket) []string {
		return []string{"${" + id + ".Arn}", "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${" + id + "}",
			"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${" + id + ".Name}"}
	}},
	{model.WireStartMachine, model.KindStateMachine, model.MachineStartActions, func(id string, _ *model.Bucket) []string {
		return []string{"${" + id + "}", "${" + id + ".Arn}", "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${" + id + ".Name}"}
	}},
	{model.WireBucketRead, model.KindBucket, model.BucketReadActions, bucketARNs},
	{model.WireBucketReadWrite, model.KindBucket, model.BucketReadWriteActions, bucketARNs},
	{model.WirePutRecords, model.KindStream, model.StreamPutActions, arnOf},
}

func arnOf(id string, _ *model.Bucket) []string { return []string{"${" + id + ".Arn}"} }

// bucketARNs are a bucket's ARN and its objects': by GetAtt, around its Ref,
// or, for a named bucket, around its name as the export writes it.
func bucketARNs(id string, b *model.Bucket) []string {
	bases := []string{"${" + id + ".Arn}", "arn:${AWS::Partition}:s3:::${" + id + "}", "arn:aws:s3:::${" + id + "}"}
	if b != nil && b.BucketName != "" {
		bases = append(bases, "arn:${AWS::Partition}:s3:::"+export.BucketNameSub(b.BucketName))
	}
	var out []string
	for _, base := range bases {
		out = append(out, base, base+"/*")
	}
	return out
}

// serviceNodes are the modelled nodes a function's statement may grant
// calls to, by source logical ID.
type serviceNodes struct {
	kinds   map[string]model.Kind
	buckets map[string]*model.Bucket
}

// serviceGrants returns the wires a statement is the grant of: it allows
// exactly one service wire's actions, with no condition, and each of its
// resources names a node of that wire's kind. Anything wider or narrower
// is no wire (the role is then kept as written).
func serviceGrants(st statement, nodes serviceNodes) (kind model.WireKind, targets []string) {
	if !st.allow || st.other || len(st.resources) == 0 {
		return "", nil
	}
	actions := slices.Compact(slices.Sorted(slices.Values(st.actions)))
	for _, sw := range serviceWires {
		if !slices.Equal(actions, slices.Sorted(slices.Values(sw.actions))) {
			continue
		}
		var out []string
		// A bucket's grant is on the bucket and its objects both.
		objects := map[string]bool{}
		for _, r := range st.resources {
			text, ok := flatten(r)
			if !ok {
				return "", nil
			}
			matched := ""
			for id, k := range nodes.kinds {
				if k == sw.to && slices.Contains(sw.names(id, nodes.buckets[id]), text) {
					matched = id
					break
				}
			}
			if matched == "" {
				return "", nil
			}
			if strings.HasSuffix(text, "/*") {
				objects[matched] = true
			}
			if !slices.Contains(out, matched) {
				out = append(out, matched)
			}
		}
		if sw.to == model.KindBucket && len(st.resources) != 2*len(out) {
			return "", nil
		}
		for _, id := range out {
			if sw.to == model.KindBucket && !objects[id] {
				return "", nil
			}
		}
		return sw.kind, out
	}
	return "", nil
}
