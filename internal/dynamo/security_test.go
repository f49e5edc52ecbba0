package dynamo

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// TestTableNamesStayInTheDataFolder: a table name is a file name in the
// data folder, and any local process (a handler of an imported stack) may
// create tables: a name outside DynamoDB's alphabet is refused, as
// DynamoDB refuses it, and nothing is written outside the folder.
func TestTableNamesStayInTheDataFolder(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	srv, err := Start(t.Context(), nil, Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	db := client(srv.URL())
	for _, name := range []string{"../escaped", "a/b", "..", "x"} {
		_, err := db.CreateTable(t.Context(), &dynamodb.CreateTableInput{
			TableName:            aws.String(name),
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
			BillingMode:          types.BillingModePayPerRequest,
		})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "ValidationException" {
			t.Errorf("CreateTable %q: %v; want ValidationException", name, err)
		}
	}
	createTable(t, db, "...")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 || entries[0].Name() != "data" {
		t.Errorf("the data folder's parent holds %v; want only data", entries)
	}
	if _, err := os.Stat(filepath.Join(data, "..."+fileSuffix)); err != nil {
		t.Errorf("table ... not kept: %v", err)
	}
}

// TestWebPagesCannotCallTheEndpoint: a page the user visits can send
// simple cross-origin requests to loopback, but not X-Amz-Target without a
// CORS preflight, which is never granted; without it nothing happens.
func TestWebPagesCannotCallTheEndpoint(t *testing.T) {
	t.Parallel()
	srv, err := Start(t.Context(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	body := `{"TableName":"evil","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a simple cross-origin POST: %d; want 400", resp.StatusCode)
	}
	pre, _ := http.NewRequest(http.MethodOptions, srv.URL(), nil)
	pre.Header.Set("Origin", "https://evil.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "x-amz-target")
	resp, err = http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("preflight granted to %q", got)
	}
	out, err := client(srv.URL()).ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil || len(out.TableNames) != 0 {
		t.Errorf("tables after the attempts: %v, %v", out, err)
	}
	// A page whose name is rebound to 127.0.0.1 sends its own Host.
	rebound, _ := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(body))
	rebound.Host = "evil.example"
	rebound.Header.Set("X-Amz-Target", "DynamoDB_20120810.CreateTable")
	resp, err = http.DefaultClient.Do(rebound)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("a rebound Host: %d; want 421", resp.StatusCode)
	}
}
