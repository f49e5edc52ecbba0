package testtool

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestMotoAPI: each protocol reaches moto, answers decode, and a refusal
// comes back as an error with AWS's message, whichever protocol.
func TestMotoAPI(t *testing.T) {
	t.Parallel()
	api := MotoAPI{URL: StartMoto(t, "MotoAPI speaks to it")}
	ctx := context.Background()
	if err := api.Put(ctx, "/motoapi-test", nil); err != nil {
		t.Fatal(err)
	}
	if err := api.Put(ctx, "/motoapi-test/a/b.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	err := api.Query(ctx, "cloudformation", "2010-05-15", url.Values{"Action": {"DescribeStacks"}, "StackName": {"missing"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "missing does not exist") {
		t.Fatalf("describe a missing stack: %v, want AWS's refusal", err)
	}
	var created struct {
		Arn string `xml:"CreateRoleResult>Role>Arn"`
	}
	form := url.Values{"Action": {"CreateRole"}, "RoleName": {"r"}, "AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[]}`}}
	if err := api.Query(ctx, "iam", "2010-05-08", form, &created); err != nil || !strings.HasSuffix(created.Arn, ":role/r") {
		t.Fatalf("create a role: %q, %v", created.Arn, err)
	}
	var tables struct{ TableNames []string }
	if err := api.JSON(ctx, "dynamodb", "DynamoDB_20120810.ListTables", struct{}{}, &tables); err != nil || len(tables.TableNames) != 0 {
		t.Fatalf("list tables: %v, %v", tables.TableNames, err)
	}
	err = api.JSON(ctx, "ssm", "AmazonSSM.GetParameter", map[string]string{"Name": "/missing"}, nil)
	if err == nil || !strings.Contains(err.Error(), "ParameterNotFound") {
		t.Fatalf("get a missing parameter: %v, want AWS's refusal", err)
	}
}
