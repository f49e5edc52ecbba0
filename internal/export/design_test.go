package export

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/model"
	"github.com/switchboard-dev/switchboard/internal/testtool"
)

// designStack is the chat example with typed parameters, fields that take
// them, and two environments.
func designStack(t testing.TB) *model.Stack {
	t.Helper()
	s := mustExample(t, "chat")
	s.Name = "designed"
	mem, name := "256", "chat-connections"
	s.Parameters = []*model.Parameter{
		{Name: "Memory", Type: "Number", Default: &mem, AllowedValues: []string{"256", "512"}},
		{Name: "TableNameParam", Default: &name, Description: "the connections table's name"},
		{Name: "ApiSecret", NoEcho: true},
	}
	s.Functions[0].SetParam("memorySize", "Memory")
	s.Functions[0].SetParam("timeout", "Memory")
	s.Functions[0].Environment = map[string]string{"SECRET": "${ApiSecret}"}
	s.Tables[0].SetParam("tableName", "TableNameParam")
	s.Environments = []*model.Environment{
		{Name: "dev", Values: map[string]string{"ApiSecret": "dev-secret"}},
		{Name: "prod", Values: map[string]string{"Memory": "512", "ApiSecret": "p=1", "TableNameParam": "prod-connections"}},
	}
	return s
}

// TestDesignExport: a parameter's type, allowed values and NoEcho are
// written; a field that takes a parameter is !Ref of it; each environment
// is a parameter file of "Key=Value" strings.
func TestDesignExport(t *testing.T) {
	t.Parallel()
	s := designStack(t)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	y := string(out)
	for _, want := range []string{
		"  Memory:\n    Type: Number\n    Default: \"256\"\n    AllowedValues:\n      - \"256\"\n      - \"512\"\n",
		"  ApiSecret:\n    Type: String\n    NoEcho: true\n",
		"MemorySize: !Ref Memory",
		"Timeout: !Ref Memory",
		"TableName: !Ref TableNameParam",
		"SECRET: !Ref ApiSecret",
	} {
		if !strings.Contains(y, want) {
			t.Errorf("the template lacks\n%s\n---\n%s", want, y)
		}
	}
	files := ParameterFiles(s)
	if got, want := string(files["parameters/prod.json"]), "[\n  \"Memory=512\",\n  \"TableNameParam=prod-connections\",\n  \"ApiSecret=p=1\"\n]\n"; got != want {
		t.Errorf("parameters/prod.json:\n%s\nwant\n%s", got, want)
	}
	if len(files) != 2 {
		t.Errorf("parameter files: %v", files)
	}
}

// TestDesignProblems: a field that takes a parameter the stack lacks, a
// number field taking a String parameter, and an environment's value for an
// unknown parameter or outside the allowed values are problems.
func TestDesignProblems(t *testing.T) {
	t.Parallel()
	s := designStack(t)
	s.Functions[1].SetParam("memorySize", "Nope")
	s.Functions[2].SetParam("timeout", "TableNameParam")
	s.Environments[0].Values["Ghost"] = "x"
	s.Environments[1].Values["Memory"] = "1024"
	var msgs []string
	for _, p := range s.Check() {
		msgs = append(msgs, p.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"takes parameter Nope, which the stack does not have",
		"takes parameter TableNameParam, which is not of type Number",
		"environment dev gives a value to parameter Ghost, which the stack does not have",
		`environment prod: "1024" is not an allowed value of parameter Memory`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}

// TestDeployEnvironmentToMoto deploys the designed stack with the real AWS
// CLI and `--parameter-overrides file://parameters/prod.json`: the file is
// in a format the CLI accepts, and the stack gets the environment's values.
func TestDeployEnvironmentToMoto(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("deploying to moto takes seconds; skipped with -short")
	}
	requireTool(t, "aws")
	requireTool(t, "moto_server")
	endpoint := mustStartMoto(t)
	env := []string{"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ENDPOINT_URL=" + endpoint, "HOME=" + t.TempDir()}
	dir := t.TempDir()
	s := designStack(t)
	tpl, err := YAML(s)
	if err != nil {
		t.Fatal(err)
	}
	write := func(p string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("template.yaml", tpl)
	for p, data := range ParameterFiles(s) {
		write(p, data)
	}
	if _, err := WriteScaffolds(dir, s); err != nil {
		t.Fatal(err)
	}
	aws := func(args ...string) {
		t.Helper()
		out, err := runTool(t, dir, env, "aws", append(args, "--endpoint-url", endpoint)...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
	}
	// What only prepares or reads back goes to moto's API directly; the
	// CLI packages and deploys.
	api := testtool.MotoAPI{URL: endpoint}
	ctx := context.Background()
	if err := api.Put(ctx, "/switchboard-test-design", nil); err != nil {
		t.Fatal(err)
	}
	aws("cloudformation", "package", "--template-file", "template.yaml",
		"--s3-bucket", "switchboard-test-design", "--output-template-file", "packaged.yaml")
	aws("cloudformation", "deploy", "--template-file", "packaged.yaml", "--stack-name", "designed",
		"--capabilities", "CAPABILITY_IAM", "--parameter-overrides", "file://parameters/prod.json")
	var described struct {
		Stacks []struct {
			StackStatus string `xml:"StackStatus"`
			Parameters  []struct {
				ParameterKey   string `xml:"ParameterKey"`
				ParameterValue string `xml:"ParameterValue"`
			} `xml:"Parameters>member"`
		} `xml:"DescribeStacksResult>Stacks>member"`
	}
	if err := api.Query(ctx, "cloudformation", "2010-05-15", url.Values{"Action": {"DescribeStacks"}, "StackName": {"designed"}}, &described); err != nil {
		t.Fatal(err)
	}
	if len(described.Stacks) != 1 || described.Stacks[0].StackStatus != "CREATE_COMPLETE" {
		t.Fatalf("stack: %+v", described.Stacks)
	}
	got := map[string]string{}
	for _, p := range described.Stacks[0].Parameters {
		got[p.ParameterKey] = p.ParameterValue
	}
	if got["Memory"] != "512" || got["TableNameParam"] != "prod-connections" {
		t.Errorf("deployed parameters %v, want prod's", got)
	}
	var tables struct{ TableNames []string }
	if err := api.JSON(ctx, "dynamodb", "DynamoDB_20120810.ListTables", struct{}{}, &tables); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(tables.TableNames, "prod-connections") {
		t.Errorf("the table is not named by the parameter: %v", tables.TableNames)
	}
}
