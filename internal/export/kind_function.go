package export

import (
	"fmt"
	"github.com/switchboard-dev/switchboard/internal/cfn"
	"hash/fnv"
	"maps"
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/policies"

	"github.com/switchboard-dev/switchboard/internal/model"
)

// The function kind becomes a Lambda function with its execution role
// (holding what its wires grant) and log group; its output is the ARN.
func init() {
	registerKind(model.KindFunction, &kindBuilder{
		room: func(s *model.Stack) (resources, outputs int) { return 4 * len(s.Functions), len(s.Functions) },
		build: func(b *builder) {
			for _, f := range b.s.Functions {
				b.function(f)
			}
		},
	})
}

// policyDocument is an IAM policy. Structs, not maps, so the keys come out in
// IAM's usual order and the same every time.
type policyDocument struct {
	Version   string
	Statement []statement
}

type statement struct {
	Effect    string
	Principal *principal `json:",omitempty"`
	Action    []string
	// Resource holds ARNs: intrinsic functions, as *cfn.Value.
	Resource []any `json:",omitempty"`
}

type principal struct {
	Service []string
}

func allow(actions []string, resources ...any) policyDocument {
	return policyDocument{Version: "2012-10-17", Statement: []statement{{Effect: "Allow", Action: actions, Resource: resources}}}
}

// policyName keeps a policy name within IAM's 128 characters while keeping
// it unique: a long name is cut and given a hash of the whole.
func policyName(name string) string {
	const limit = 128
	if len(name) <= limit {
		return name
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("%s-%08x", name[:limit-9], h.Sum32())
}

func (b *builder) function(f *model.Function) {
	id := functionID(f)
	logGroup := model.KeptLogicalID(f.Kept, model.PartLogGroup, f.LogGroupLogicalID())
	role := model.KeptLogicalID(f.Kept, model.PartRole, f.RoleLogicalID())
	// Least privilege: the function writes only to its own log group, so the
	// role needs no AWSLambdaBasicExecutionRole (which allows every group).
	pols := []iam.Role_Policy{{
		PolicyName: "Logs",
		PolicyDocument: allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"},
			b.getAtt(logGroup, "Arn")),
	}}
	// The function's own variables are literals; what its wires grant are
	// references, set beside them (and over one of the same name).
	var fnProps []propertyFn
	// A function that kept its own Role (a shared role, an ARN) uses it;
	// a generated role would be one nothing assumes.
	keptRoleID, keptRole := f.KeptRole()
	// Where an import kept the role's policies as written, what the source
	// granted stays as it said it (never widened), and each wire the user
	// added grants in a policy of its own attached to that role.
	grantsApart := f.GrantsApart()
	var added []statement
	for _, w := range b.index.GrantWires(f.ID) {
		g, ok := b.index.Grant(w)
		if !ok {
			continue // grants nothing, or a draft's wire to nothing
		}
		var resources []any
		if q := g.Queue; q != nil && g.EnvName != "" {
			// A send-to-queue wire: the queue's Ref is its URL.
			resources = []any{b.getAtt(queueID(q), "Arn")}
			fnProps = append(fnProps, at(b.ref(queueID(q)), "Environment", "Variables", g.EnvName))
		} else if q := g.Queue; q != nil {
			resources = []any{b.getAtt(queueID(q), "Arn")}
		} else if r, env, ok := b.serviceGrant(g); ok {
			resources = r
			fnProps = append(fnProps, at(env, "Environment", "Variables", g.EnvName))
		} else if t := g.Table; t != nil && g.Stream {
			resources = []any{b.getAtt(tableID(t), "StreamArn")}
		} else if t := g.Table; t != nil {
			resources = []any{b.getAtt(tableID(t), "Arn"), b.sub("${" + tableID(t) + ".Arn}/index/*")}
			fnProps = append(fnProps, at(b.ref(tableID(t)), "Environment", "Variables", g.EnvName))
		} else {
			resources = []any{b.sub(model.ManageConnectionsARNSub(apiID(g.API), stageName(g.API)))}
			fnProps = append(fnProps, at(b.connectionsURL(g.API, stageName(g.API)), "Environment", "Variables", g.EnvName))
		}
		if grantsApart && !f.GrantedAtImport(w) {
			// Not in the role's policies either: those stay as imported.
			added = append(added, statement{Effect: "Allow", Action: g.Actions, Resource: resources})
			continue
		}
		pols = append(pols, iam.Role_Policy{PolicyName: policyName(g.PolicyName), PolicyDocument: allow(g.Actions, resources...)})
	}
	if !keptRole {
		b.add(role, &iam.Role{
			AssumeRolePolicyDocument: policyDocument{Version: "2012-10-17", Statement: []statement{{
				Effect:    "Allow",
				Principal: &principal{Service: []string{"lambda.amazonaws.com"}},
				Action:    []string{"sts:AssumeRole"},
			}}},
			Policies: pols,
		}, f.ID, f.Kept, model.PartRole)
	}

	grantsRole := role
	if keptRole {
		// A Role that is no role of the stack takes no grant: Validate
		// refuses the wire, a draft goes without.
		grantsRole = ""
		if keptRoleID != "" && len(added) > 0 && (b.draft || b.s.IsRole(keptRoleID)) {
			grantsRole = keptRoleID
		}
	}
	if len(added) > 0 && grantsRole != "" {
		// An inline policy of the role, named after the function: roles
		// are shared, and one name would overwrite another function's.
		b.add(model.KeptLogicalID(f.Kept, model.PartGrants, functionID(f)+"Grants"), &iam.Policy{
			PolicyName:     policyName(f.Name + "Grants"),
			PolicyDocument: policyDocument{Version: "2012-10-17", Statement: added},
		}, f.ID, f.Kept, model.PartGrants, at(b.ref(grantsRole), "Roles", "0"))
	}

	policy := policies.DeletionPolicy(f.LogDeletionPolicy)
	b.add(logGroup, &logs.LogGroup{
		RetentionInDays:                      cloudformation.Int(f.LogRetentionDays),
		AWSCloudFormationDeletionPolicy:      policy,
		AWSCloudFormationUpdateReplacePolicy: policies.UpdateReplacePolicy(policy),
	}, f.ID, f.Kept, model.PartLogGroup, at(b.sub("/aws/lambda/${AWS::StackName}-"+f.Name), "LogGroupName"))

	fn := &lambda.Function{
		Handler:    cloudformation.String(f.Handler),
		MemorySize: cloudformation.Int(f.MemorySize),
		Runtime:    cloudformation.String(f.Runtime),
		Timeout:    cloudformation.Int(f.Timeout),
	}
	fnProps = append(fnProps, at(b.ref(logGroup), "LoggingConfig", "LogGroup"), at(b.getAtt(role, "Arn"), "Role"))
	for i, l := range b.index.FunctionLayers(f.ID) {
		fnProps = append(fnProps, at(b.ref(layerID(l)), "Layers", strconv.Itoa(i)))
	}
	if f.Description != "" {
		fn.Description = cloudformation.String(f.Description)
	}
	// Values that use the stack's parameters are functions of them.
	literal := f.Environment
	for k, v := range f.Environment {
		if ref := b.parameterValue(v); ref != nil {
			if len(literal) == len(f.Environment) {
				literal = maps.Clone(f.Environment)
			}
			delete(literal, k)
			fnProps = append(fnProps, at(ref, "Environment", "Variables", k))
		}
	}
	if len(literal) > 0 {
		fn.Environment = &lambda.Function_Environment{Variables: literal}
	}
	b.add(id, fn, f.ID, f.Kept, model.PartMain, fnProps...)
	b.codePaths[id] = f.CodePath

	b.output(f.ArnOutputName(), fmt.Sprintf("ARN of function %s", f.Name), b.getAtt(id, "Arn"))
}

// serviceGrant is where a wire from a function to a topic, bus, state
// machine, bucket or stream grants its actions, and the value of its
// variable: the ARN or name the SDK call takes.
func (b *builder) serviceGrant(g model.Grant) (resources []any, env *cfn.Value, ok bool) {
	switch {
	case g.Topic != nil:
		id := topicID(g.Topic) // a topic's Ref is its ARN
		return []any{b.ref(id)}, b.ref(id), true
	case g.Bus != nil:
		id := busID(g.Bus) // a bus's Ref is its name
		return []any{b.getAtt(id, "Arn")}, b.ref(id), true
	case g.StateMachine != nil:
		id := stateMachineID(g.StateMachine) // a state machine's Ref is its ARN
		return []any{b.ref(id)}, b.ref(id), true
	case g.Bucket != nil:
		// ListBucket applies to the bucket, the object actions to its keys.
		// A named bucket is named as its notifications' permissions name it
		// (kind_bucket.go): a function it notifies may read it without the
		// cycle a Ref would make (role → bucket → permission → function).
		if stem := g.Bucket.BucketName; stem != "" {
			arn := "arn:${AWS::Partition}:s3:::" + BucketNameSub(stem)
			return []any{b.sub(arn), b.sub(arn + "/*")}, b.sub(BucketNameSub(stem)), true
		}
		id := bucketID(g.Bucket)
		return []any{b.getAtt(id, "Arn"), b.sub("${" + id + ".Arn}/*")}, b.ref(id), true
	case g.KinesisStream != nil:
		id := streamID(g.KinesisStream)
		return []any{b.getAtt(id, "Arn")}, b.ref(id), true
	}
	return nil, nil, false
}
