package export

import (
	"context"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// TestDeployToMoto packages and deploys each example against moto, as a user
// would against AWS: write the template and scaffolds, `aws cloudformation
// package` (which uploads the code folders to S3), `aws cloudformation
// deploy`, and expect CREATE_COMPLETE; then cfn-lint the packaged
// templates (for TestCfnLint too: see deployLintsGoldens).
//
// moto's CloudFormation skips AWS::ApiGatewayV2::* resources (it has no
// CloudFormation model for them), so this proves the Lambda, IAM, Logs and
// DynamoDB parts deploy and that every reference resolves; cfn-lint and the
// structural tests cover the ApiGatewayV2 parts.
func TestDeployToMoto(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("deploying to moto takes seconds; skipped with -short")
	}
	for _, tool := range []string{"aws", "cfn-lint", "moto_server"} {
		requireTool(t, tool)
	}
	// The environment whose parameter file a deployment takes, as a user's
	// --parameter-overrides file://parameters/prod.json.
	environments := map[string]string{"everything": "prod"}
	examples := slices.Sorted(maps.Keys(goldenStacks))
	// Each deploy is its own moto account. Most of a deploy is waiting on
	// the AWS CLI's waiters, so they all run at once, not -parallel's
	// (the cores') few at a time; and the packaged templates are linted
	// together after, since cfn-lint takes seconds to start.
	root := t.TempDir()
	packaged := make([]string, len(examples))
	var deploys sync.WaitGroup
	for i, example := range examples {
		deploys.Go(func() {
			t.Run(example+"/DeploysToCreateComplete", func(t *testing.T) {
				start := time.Now()
				endpoint := mustStartMoto(t)
				env := []string{
					"AWS_ACCESS_KEY_ID=test",
					"AWS_SECRET_ACCESS_KEY=test",
					"AWS_DEFAULT_REGION=us-east-1",
					// awscli v1's `cloudformation package` ignores
					// --endpoint-url for its S3 upload; this covers it.
					"AWS_ENDPOINT_URL=" + endpoint,
					"HOME=" + t.TempDir(),
				}
				// The parent's folder: the packaged template outlives the
				// subtest, for the lint.
				dir := filepath.Join(root, example)
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				s := goldenStacks[example](t)
				tpl, err := YAML(s)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "template.yaml"), tpl, 0o644); err != nil {
					t.Fatal(err)
				}
				if _, err := WriteScaffolds(dir, s); err != nil {
					t.Fatal(err)
				}
				files := Definitions(s)
				maps.Copy(files, ParameterFiles(s))
				for p, data := range files {
					if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(dir, p), data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				aws := func(args ...string) {
					t.Helper()
					out, err := runTool(t, dir, env, "aws", append(args, "--endpoint-url", endpoint)...)
					if err != nil {
						t.Fatalf("aws %v: %v\n%s", args, err, out)
					}
				}
				// What only prepares or reads back goes to moto's API
				// directly; the CLI packages and deploys.
				api := testtool.MotoAPI{URL: endpoint}
				ctx := context.Background()
				// Bucket names are global, across moto's accounts too.
				bucket := "switchboard-test-" + example
				if err := api.Put(ctx, "/"+bucket, nil); err != nil {
					t.Fatal(err)
				}
				aws("cloudformation", "package", "--template-file", "template.yaml",
					"--s3-bucket", bucket, "--output-template-file", "packaged.yaml")
				packaged[i] = filepath.Join(dir, "packaged.yaml")
				deploy := []string{"cloudformation", "deploy", "--template-file", "packaged.yaml",
					"--stack-name", example, "--capabilities", "CAPABILITY_IAM"}
				// A parameter without a default (a domain's certificate) is
				// the deployment's to give, as a user's --parameter-overrides:
				// its environment's file, or the value on the command line.
				environment := s.Environment(environments[example])
				var overrides []string
				for _, p := range s.Parameters {
					if p.Default == nil {
						overrides = append(overrides, p.Name+"=arn:aws:acm:us-east-1:123456789012:certificate/test")
					}
				}
				if environment != nil {
					overrides = []string{"file://parameters/" + environment.Name + ".json"}
				}
				if len(overrides) > 0 {
					deploy = append(append(deploy, "--parameter-overrides"), overrides...)
				}
				aws(deploy...)
				var described struct {
					Stacks []struct {
						StackStatus string `xml:"StackStatus"`
						Parameters  []struct {
							ParameterKey   string `xml:"ParameterKey"`
							ParameterValue string `xml:"ParameterValue"`
						} `xml:"Parameters>member"`
					} `xml:"DescribeStacksResult>Stacks>member"`
				}
				if err := api.Query(ctx, "cloudformation", "2010-05-15", url.Values{"Action": {"DescribeStacks"}, "StackName": {example}}, &described); err != nil {
					t.Fatal(err)
				}
				if len(described.Stacks) != 1 || described.Stacks[0].StackStatus != "CREATE_COMPLETE" {
					t.Fatalf("stack status: %+v", described.Stacks)
				}
				// The stack took the environment's values.
				deployed := map[string]string{}
				for _, p := range described.Stacks[0].Parameters {
					deployed[p.ParameterKey] = p.ParameterValue
				}
				var given map[string]string
				if environment != nil {
					given = environment.Values
				}
				for name, want := range given {
					if p := s.Parameter(name); p != nil && !p.NoEcho && deployed[name] != want {
						t.Errorf("parameter %s deployed as %q, want %s's %q", name, deployed[name], environment.Name, want)
					}
				}
				var listed struct {
					ResourceTypes []string `xml:"ListStackResourcesResult>StackResourceSummaries>member>ResourceType"`
				}
				if err := api.Query(ctx, "cloudformation", "2010-05-15", url.Values{"Action": {"ListStackResources"}, "StackName": {example}}, &listed); err != nil {
					t.Fatal(err)
				}
				created := map[string]int{}
				for _, typ := range listed.ResourceTypes {
					created[typ]++
				}
				if example == "everything" {
					// The generic node's references resolved: its SSM
					// parameter holds the jobs queue's URL.
					var got struct{ Parameter struct{ Value string } }
					if err := api.JSON(ctx, "ssm", "AmazonSSM.GetParameter", map[string]string{"Name": "/everything/jobs-url"}, &got); err != nil {
						t.Fatal(err)
					}
					if !strings.Contains(got.Parameter.Value, "/everything-Jobs") {
						t.Errorf("the generic SSM parameter holds %q, not the jobs queue's URL", got.Parameter.Value)
					}
				}
				t.Logf("deployed %s in %s; moto created %v", example, time.Since(start).Round(100*time.Millisecond), created)
			})
		})
	}
	deploys.Wait()
	files := slices.DeleteFunc(slices.Clone(packaged), func(p string) bool { return p == "" })
	if len(files) == 0 {
		return
	}
	out, err := runTool(t, root, nil, "cfn-lint", append([]string{"--"}, files...)...)
	for i, example := range examples {
		if packaged[i] == "" {
			continue
		}
		t.Run(example+"/PackagedHasNoLintFindings", func(t *testing.T) {
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, packaged[i]+":") {
					t.Errorf("cfn-lint finding at %s\n%s", line, out)
					return
				}
			}
		})
	}
	if err != nil || out != "" {
		t.Errorf("cfn-lint of the packaged templates: %v\n%s", err, out)
	}
}
