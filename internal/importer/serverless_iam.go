package importer

// The Framework's deployment bucket, log groups and shared role.

import (
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
	"github.com/switchboard-dev/switchboard/internal/model"
)

// deploymentBucket is the bucket the Framework uploads code to, with its
// policy refusing plain HTTP, unless provider.deploymentBucket names one.
func (c *slsCompile) deploymentBucket() error {
	if b := c.provider.Get("deploymentBucket"); b != nil {
		c.im.note("provider.deploymentBucket: the Framework uploads code to that bucket; the export's code folders are uploaded by aws cloudformation package to the bucket it is given")
		return nil
	}
	c.add(serverlessBucket, compiledResource("AWS::S3::Bucket", cfn.MapOf("BucketEncryption", cfn.MapOf(
		"ServerSideEncryptionConfiguration", cfn.ListOf(cfn.MapOf("ServerSideEncryptionByDefault", cfn.MapOf("SSEAlgorithm", cfn.Str("AES256"))))))))
	bucketARN := func(suffix ...*cfn.Value) *cfn.Value {
		return cfn.Join("", append([]*cfn.Value{cfn.Str("arn:"), cfn.Ref("AWS::Partition"), cfn.Str(":s3:::"), cfn.Ref(serverlessBucket)}, suffix...)...)
	}
	c.add(serverlessBucketPolicy, compiledResource("AWS::S3::BucketPolicy", cfn.MapOf(
		"Bucket", cfn.Ref(serverlessBucket),
		"PolicyDocument", cfn.MapOf("Statement", cfn.ListOf(cfn.MapOf(
			"Action", cfn.Str("s3:*"),
			"Effect", cfn.Str("Deny"),
			"Principal", cfn.Str("*"),
			"Resource", cfn.ListOf(bucketARN(cfn.Str("/*")), bucketARN()),
			"Condition", cfn.MapOf("Bool", cfn.MapOf("aws:SecureTransport", cfn.Boolean(false)))))))))
	c.outputs.Set("ServerlessDeploymentBucketName", cfn.MapOf("Value", cfn.Ref(serverlessBucket), "Export", c.export("ServerlessDeploymentBucketName")))
	return nil
}

// logGroups gives each function the log group the Framework creates,
// with the retention the serverless.yml states, its own or the provider's.
func (c *slsCompile) logGroups() error {
	for _, key := range c.keys {
		if c.logsDisabled(key) {
			continue
		}
		name, ok := c.functionName(key).Str()
		if !ok || !lambdaNamePattern.MatchString(name) {
			at := c.fns[key].Pos
			if n := c.fns[key].Get("name"); n != nil {
				at = n.Pos
			}
			return c.im.errorAt(at, "function %s: its name %q must be 1 to 64 letters, digits, - or _, as Lambda requires", key, name)
		}
		props := cfn.MapOf("LogGroupName", cfn.Str("/aws/lambda/"+name))
		v := c.fns[key].Get("logRetentionInDays")
		if v == nil {
			v = c.provider.Get("logRetentionInDays")
		}
		if v != nil {
			days, ok := v.Int()
			if !ok || !slices.Contains(model.LogRetentionDays, days) {
				return c.im.errorAt(v.Pos, "logRetentionInDays must be one of the periods CloudWatch Logs offers, such as 7, 14 or 30")
			}
			props.Set("RetentionInDays", cfn.Int(days))
		}
		c.add(frameworkName(key)+"LogGroup", compiledResource("AWS::Logs::LogGroup", props))
	}
	return nil
}

// roleValue is a role setting as the Framework writes it into a
// function's Role: an ARN as it is, a logical ID as its ARN, an intrinsic
// as it is.
func roleValue(v *cfn.Value) *cfn.Value {
	if s, ok := v.Str(); ok && !strings.HasPrefix(s, "arn:") {
		return cfn.GetAtt(s, "Arn")
	}
	return v
}

// role is the Framework's role shared by the functions that name none
// (merge-iam-templates.js): logs for their log groups, the statements
// and managed policies the serverless.yml gives, and ManageConnections for
// websocket events (added in websockets).
func (c *slsCompile) role() error {
	iamRole := c.provider.Path("iam", "role")
	var providerRole *cfn.Value
	switch {
	case iamRole != nil && iamRole.Kind != cfn.Map:
		providerRole = iamRole
	case c.provider.Get("role") != nil:
		providerRole = c.provider.Get("role")
	}
	// A role named by logical ID must be one of the file's resources: the
	// name is the untrusted file's, and CloudFormation would refuse it.
	checkRole := func(v *cfn.Value) error {
		if s, ok := v.Str(); ok && !strings.HasPrefix(s, "arn:") && !c.im.isType(s, typeRole) {
			return c.im.errorAt(v.Pos, "role %q is neither an ARN nor a role of resources.Resources", s)
		}
		return nil
	}
	shared := false
	for _, key := range c.keys {
		switch r := c.fns[key].Get("role"); {
		case r != nil:
			if err := checkRole(r); err != nil {
				return err
			}
			c.roles[key] = roleValue(r)
		case providerRole != nil:
			if err := checkRole(providerRole); err != nil {
				return err
			}
			c.roles[key] = roleValue(providerRole)
		default:
			c.roles[key] = cfn.GetAtt(serverlessRole, "Arn")
			shared = true
		}
	}
	if !shared {
		return nil
	}
	prefix := "/aws/lambda/" + c.service + "-" + c.stage
	logARN := func(group, suffix string) *cfn.Value {
		return cfn.Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:" + group + suffix)
	}
	create, put := &cfn.Value{Kind: cfn.List}, &cfn.Value{Kind: cfn.List}
	canonical := false
	var denied []*cfn.Value
	for _, key := range c.keys {
		name, _ := c.functionName(key).Str()
		if c.fns[key].Get("name") == nil || strings.HasPrefix(name, c.service+"-"+c.stage) {
			if c.logsDisabled(key) {
				denied = append(denied, logARN("/aws/lambda/"+name, ":*"))
			} else {
				canonical = true
			}
			continue
		}
		if !c.logsDisabled(key) {
			create.Items = append(create.Items, logARN("/aws/lambda/"+name, ":*"))
			put.Items = append(put.Items, logARN("/aws/lambda/"+name, ":*:*"))
		}
	}
	if canonical {
		create.Items = append(create.Items, logARN(prefix+"*", ":*"))
		put.Items = append(put.Items, logARN(prefix+"*", ":*:*"))
	}
	statements := cfn.ListOf(
		cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"), "Resource", create),
		cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("logs:PutLogEvents"), "Resource", put))
	if canonical && len(denied) > 0 {
		statements.Items = append(statements.Items, cfn.MapOf("Effect", cfn.Str("Deny"), "Action", cfn.Str("logs:PutLogEvents"), "Resource", cfn.ListOf(denied...)))
	}
	user := iamRole.Get("statements")
	if user == nil {
		user = c.provider.Get("iamRoleStatements")
	}
	if user != nil {
		if user.Kind != cfn.List {
			return c.im.errorAt(user.Pos, "the IAM role statements must be a list")
		}
		statements.Items = append(statements.Items, user.Items...)
	}
	path, name := iamRole.Get("path"), iamRole.Get("name")
	if path == nil {
		path = cfn.Str("/")
	}
	if name == nil {
		name = cfn.Join("-", cfn.Str(c.service), cfn.Str(c.stage), cfn.Ref("AWS::Region"), cfn.Str("lambdaRole"))
	}
	props := cfn.MapOf(
		"AssumeRolePolicyDocument", cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", cfn.ListOf(cfn.MapOf(
			"Effect", cfn.Str("Allow"),
			"Principal", cfn.MapOf("Service", cfn.Strings("lambda.amazonaws.com")),
			"Action", cfn.Strings("sts:AssumeRole")))),
		"Policies", cfn.ListOf(cfn.MapOf(
			"PolicyName", cfn.Join("-", cfn.Str(c.service), cfn.Str(c.stage), cfn.Str("lambda")),
			"PolicyDocument", cfn.MapOf("Version", cfn.Str("2012-10-17"), "Statement", statements))),
		"Path", path,
		"RoleName", name)
	if tags := iamRole.Get("tags"); tags != nil {
		list := &cfn.Value{Kind: cfn.List}
		for i, k := range mapKeys(tags) {
			list.Items = append(list.Items, cfn.MapOf("Key", cfn.Str(k), "Value", tags.Items[i]))
		}
		props.Set("Tags", list)
	}
	for _, b := range []*cfn.Value{iamRole.Get("permissionsBoundary"), iamRole.Get("permissionBoundary"), c.provider.Get("rolePermissionsBoundary")} {
		if b != nil {
			props.Set("PermissionsBoundary", b)
			break
		}
	}
	managed := &cfn.Value{Kind: cfn.List}
	if mp := iamRole.Get("managedPolicies"); mp != nil {
		managed.Items = append(managed.Items, valueList(mp)...)
	} else if mp := c.provider.Get("iamManagedPolicies"); mp != nil {
		managed.Items = append(managed.Items, valueList(mp)...)
	}
	vpc := c.provider.Get("vpc") != nil
	for _, key := range c.keys {
		vpc = vpc || c.fns[key].Get("vpc") != nil
	}
	if vpc {
		managed.Items = append(managed.Items, cfn.Join("", cfn.Str("arn:"), cfn.Ref("AWS::Partition"), cfn.Str(":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")))
	}
	if len(managed.Items) > 0 {
		props.Set("ManagedPolicyArns", managed)
	}
	c.add(serverlessRole, compiledResource(typeRole, props))
	return nil
}

// allow adds a statement to the shared role's policy, if there is that
// role; once is lodash's unionWith: not when an equal one is there.
func (c *slsCompile) allow(once bool, st *cfn.Value) {
	r := c.compiled.Get(serverlessRole)
	if r == nil {
		return
	}
	sts := r.Path("Properties", "Policies").Items[0].Path("PolicyDocument", "Statement")
	if once && slices.ContainsFunc(sts.Items, func(v *cfn.Value) bool { return cfn.Equal(v, st) }) {
		return
	}
	sts.Items = append(sts.Items, st)
}
